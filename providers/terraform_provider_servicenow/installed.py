"""Where Terraform finds an installed provider without a registry, and which package it would use.

Terraform reads its CLI configuration (`TF_CLI_CONFIG_FILE`, else `~/.terraformrc`, plus
`~/.terraform.d/*.tfrc`). With a `provider_installation` block, a provider comes from the
`filesystem_mirror` blocks whose `include` / `exclude` patterns let it in; without one, from
the implied local mirrors (`~/.terraform.d/plugins`, `$XDG_DATA_HOME/terraform/plugins`,
`$XDG_DATA_DIRS/*/terraform/plugins`). In a mirror a package is either unpacked,
`<host>/<namespace>/<type>/<version>/<os>_<arch>/`, or packed,
`<host>/<namespace>/<type>/terraform-provider-<type>_<version>_<os>_<arch>.zip`.

Only the parts of the CLI configuration syntax those blocks use are read (HCL native syntax,
not the JSON variant).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from terraform_provider_servicenow.install import SourceAddress, default_plugin_dir, os_arch, parse_source
from terraform_provider_servicenow.version_constraints import newest_allowed

REGISTRY_HOST = "registry.terraform.io"
_COMMENT_RE = re.compile(r'"(?:[^"\\]|\\.)*"|#[^\n]*|//[^\n]*|/\*.*?\*/', re.DOTALL)
_STRING_RE = re.compile(r'"((?:[^"\\]|\\.)*)"')


@dataclass(frozen=True)
class Mirror:
    """A filesystem mirror folder and the provider patterns it serves (empty include = all)."""

    path: Path
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()

    def serves(self, source: SourceAddress) -> bool:
        if any(_matches(p, source) for p in self.exclude):
            return False
        return not self.include or any(_matches(p, source) for p in self.include)


@dataclass(frozen=True)
class InstalledPackage:
    """A provider package Terraform would install: its version and folder or zip."""

    source: SourceAddress
    version: str
    platform: str
    path: Path


@dataclass(frozen=True)
class Lookup:
    """The result of looking for a provider: the mirrors searched and the package, if any."""

    mirrors: tuple[Mirror, ...]
    package: InstalledPackage | None


def _matches(pattern: str, source: SourceAddress) -> bool:
    parts = pattern.strip().lower().split("/")
    if len(parts) == 2:
        parts.insert(0, REGISTRY_HOST)
    if len(parts) != 3:
        return False
    wanted = (source.host, source.namespace, source.type)
    return all(p in ("*", s) for p, s in zip(parts, wanted, strict=True))


def cli_config_files() -> list[Path]:
    """The CLI configuration files Terraform reads, in order (missing ones left out)."""
    home = Path.home()
    main = os.environ.get("TF_CLI_CONFIG_FILE") or os.environ.get("TERRAFORM_CONFIG")
    files = [Path(main).expanduser()] if main else [home / ".terraformrc"]
    extra = home / ".terraform.d"
    if extra.is_dir():
        files.extend(sorted(extra.glob("*.tfrc")))
    return [f for f in files if f.is_file()]


def _unquote(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


def _blocks(text: str, name: str) -> Iterator[str]:
    """Bodies of every `name { ... }` block in `text` (braces balanced, comments removed)."""
    for match in re.finditer(rf"(?<![\w-]){re.escape(name)}\s*\{{", text):
        depth, start = 1, match.end()
        for index in range(start, len(text)):
            if text[index] == "{":
                depth += 1
            elif text[index] == "}":
                depth -= 1
                if depth == 0:
                    yield text[start:index]
                    break


def _strip_comments(text: str) -> str:
    return _COMMENT_RE.sub(lambda m: m.group(0) if m.group(0).startswith('"') else "", text)


def _list_attr(body: str, name: str) -> tuple[str, ...]:
    match = re.search(rf"(?<![\w-]){name}\s*=\s*\[([^\]]*)\]", body)
    return tuple(_unquote(s) for s in _STRING_RE.findall(match.group(1))) if match else ()


def configured_mirrors(config_text: str) -> list[Mirror] | None:
    """The filesystem mirrors of a CLI configuration's `provider_installation` block, or None
    when it has none (then the implied local mirrors apply)."""
    text = _strip_comments(config_text)
    installations = list(_blocks(text, "provider_installation"))
    if not installations:
        return None
    mirrors = []
    for installation in installations:
        for body in _blocks(installation, "filesystem_mirror"):
            path = re.search(rf'(?<![\w-])path\s*=\s*{_STRING_RE.pattern}', body)
            if path:
                mirrors.append(
                    Mirror(
                        Path(_unquote(path.group(1))).expanduser(),
                        _list_attr(body, "include"),
                        _list_attr(body, "exclude"),
                    )
                )
    return mirrors


def implied_mirrors() -> list[Mirror]:
    """Terraform's implied local mirror folders on Linux and macOS, in its search order."""
    home = Path.home()
    data_home = Path(os.environ.get("XDG_DATA_HOME") or home / ".local" / "share")
    data_dirs = (os.environ.get("XDG_DATA_DIRS") or "/usr/local/share:/usr/share").split(":")
    folders = [default_plugin_dir(), data_home / "terraform" / "plugins"]
    folders += [Path(d) / "terraform" / "plugins" for d in data_dirs if d]
    return [Mirror(f) for f in folders]


def active_mirrors() -> list[Mirror]:
    """The filesystem mirrors Terraform uses with the current CLI configuration."""
    configured: list[Mirror] = []
    found_block = False
    for path in cli_config_files():
        mirrors = configured_mirrors(path.read_text(encoding="utf-8", errors="replace"))
        if mirrors is not None:
            found_block = True
            configured.extend(mirrors)
    return configured if found_block else implied_mirrors()


def _packages(mirror: Path, source: SourceAddress, platform: str) -> dict[str, Path]:
    """{version: package path} for `source` on `platform` in one mirror folder."""
    folder = mirror / source.host / source.namespace / source.type
    found: dict[str, Path] = {}
    prefix, suffix = f"terraform-provider-{source.type}_", f"_{platform}.zip"
    if not folder.is_dir():
        return found
    for entry in folder.iterdir():
        if entry.name.startswith(prefix) and entry.name.endswith(suffix) and entry.is_file():
            found.setdefault(entry.name[len(prefix) : -len(suffix)], entry)
        elif (entry / platform).is_dir():
            found[entry.name] = entry / platform  # unpacked wins over packed
    return found


def find_installed(source: str, constraint: str | None, platform: str | None = None) -> Lookup:
    """The package of `source` that Terraform would install from the local mirrors for
    `constraint` (None: any version), or none."""
    address = parse_source(source)
    target = platform or os_arch()
    mirrors = tuple(m for m in active_mirrors() if m.serves(address))
    for mirror in mirrors:
        packages = _packages(mirror.path, address, target)
        version = newest_allowed(constraint or ">= 0.0.0", list(packages))
        if version is not None:
            return Lookup(mirrors, InstalledPackage(address, version, target, packages[version]))
    return Lookup(mirrors, None)
