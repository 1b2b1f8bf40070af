"""Terraform provider version constraints (`"0.1.0"`, `"~> 0.1"`, `">= 0.1, < 1.0"`), enough to
pick an installed provider version the way `terraform init` would.

Terraform's rules: comma-separated parts that must all hold; operators `=` (also no operator),
`!=`, `>`, `>=`, `<`, `<=`, and `~>` (only the rightmost given component may grow: `~> 1.2`
allows 1.x from 1.2 on, `~> 1.2.3` allows 1.2.x from 1.2.3 on). Pre-release versions match
only an exact `=` constraint.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from terraform_provider_servicenow.exceptions import ConfigError

_PART_RE = re.compile(r"^\s*(=|!=|>=|<=|>|<|~>)?\s*(\d+)(?:\.(\d+))?(?:\.(\d+))?(-[0-9A-Za-z.-]+)?\s*$")
_VERSION_RE = re.compile(r"^(\d+)\.(\d+)\.(\d+)(-[0-9A-Za-z.-]+)?$")

Version = tuple[int, int, int]


@dataclass(frozen=True)
class _Part:
    op: str
    version: Version
    given: int  # how many components were written (1-3): `~>` needs it
    prerelease: str

    def allows(self, version: Version, prerelease: str) -> bool:
        if prerelease or self.prerelease:
            return self.op == "=" and (version, prerelease) == (self.version, self.prerelease)
        if self.op == "~>":
            return self.version <= version < _tilde_ceiling(self.version, self.given)
        compare = {
            "=": version == self.version,
            "!=": version != self.version,
            ">": version > self.version,
            ">=": version >= self.version,
            "<": version < self.version,
            "<=": version <= self.version,
        }
        return compare[self.op]


def _tilde_ceiling(version: Version, given: int) -> Version:
    major, minor, _ = version
    if given <= 2:
        return (major + 1, 0, 0)
    return (major, minor + 1, 0)


def _parse(constraint: str) -> list[_Part]:
    parts = []
    for text in constraint.split(","):
        match = _PART_RE.match(text)
        if not match:
            raise ConfigError(
                f"invalid provider version constraint {constraint!r}",
                'Use Terraform\'s syntax, e.g. "0.1.0", "~> 0.1" or ">= 0.1.0, < 1.0.0".',
            )
        op, major, minor, patch, pre = match.groups()
        given = 1 + (minor is not None) + (patch is not None)
        version = (int(major), int(minor or 0), int(patch or 0))
        parts.append(_Part(op or "=", version, given, (pre or "").lstrip("-")))
    return parts


def check_constraint(constraint: str) -> str:
    """`constraint` unchanged when Terraform can read it; ConfigError (with the fix) otherwise."""
    _parse(constraint)
    return constraint


def parse_version(text: str) -> tuple[Version, str] | None:
    """`"1.2.3"` / `"1.2.3-rc1"` -> ((1, 2, 3), "rc1"); None for anything else (a stray folder)."""
    match = _VERSION_RE.match(text)
    if not match:
        return None
    major, minor, patch, pre = match.groups()
    return (int(major), int(minor), int(patch)), (pre or "").lstrip("-")


def allows(constraint: str, version: str) -> bool:
    """Does `version` (e.g. "0.1.0") satisfy `constraint`?"""
    parsed = parse_version(version)
    if parsed is None:
        return False
    return all(part.allows(*parsed) for part in _parse(constraint))


def newest_allowed(constraint: str, versions: list[str]) -> str | None:
    """The highest of `versions` that satisfies `constraint`, as `terraform init` picks it."""
    candidates: list[tuple[Version, bool, str, str]] = []
    for text in versions:
        parsed = parse_version(text)
        if parsed is not None and allows(constraint, text):
            version, prerelease = parsed
            # A pre-release sorts below its release (only an exact constraint admits one anyway).
            candidates.append((version, prerelease == "", prerelease, text))
    return max(candidates)[3] if candidates else None
