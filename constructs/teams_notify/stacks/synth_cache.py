"""Incremental synth: which tenants' stacks can be taken from the previous output unchanged.

A tenant's two stacks depend only on its own inputs, so each tenant gets a key: a hash of
everything its output is made from (the tenant file's bytes and validated config, the
certificate, key and keystore bytes, the certificate check's result for today (thumbprints,
expiry warnings), the output folder's path, the package version and the bytes of its code,
the CDK engine and the versions of its libraries, the Python version). The output folder
keeps an index (`.teams-notify-synth.json`) of each tenant's key and of the files its stacks
were synthesized into, with their hashes. A tenant whose key and files are unchanged is
reused; anything else, including a file someone edited by hand, is synthesized again.

The index is written by every synth, full or incremental, so both produce the same bytes.
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from teams_notify.files import read_input
from teams_notify.stacks.engine import engine_versions, selected_engine

if TYPE_CHECKING:  # imported by the synth command before the config: kept light
    from teams_notify.config import TenantConfig
    from teams_notify.stacks.certificates import CheckedCertificate

INDEX_FILE = ".teams-notify-synth.json"
INDEX_FORMAT = 1
MANIFEST_FILE = "manifest.json"
STACKS_DIR = "stacks"
# Our code and the provider code it imports (exact-match queries): a change to either, even
# without a version bump, must never be served from the cache.
_CODE_PACKAGES = ("teams_notify", "terraform_provider_servicenow")
_CODE_SUFFIXES = (".py", ".j2", ".json", ".png")


@dataclass(frozen=True)
class TenantOutput:
    """What one tenant contributed to the output: its key, its stacks' manifest entries and
    every file it wrote, relative to the output folder, with its sha256."""

    key: str
    manifest: dict[str, Any]
    files: dict[str, str]

    def to_json(self) -> dict[str, Any]:
        return {"key": self.key, "manifest": self.manifest, "files": self.files}


@dataclass(frozen=True)
class Index:
    """The index of a synth output: engine manifest version and each tenant's output."""

    version: str
    tenants: dict[str, TenantOutput]

    def to_json(self) -> dict[str, Any]:
        return {
            "format": INDEX_FORMAT,
            "manifest_version": self.version,
            "tenants": {name: out.to_json() for name, out in self.tenants.items()},
        }


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """Hash of what shapes output besides the tenant: code bytes, versions, engine, Python."""
    digest = hashlib.sha256()
    engine = selected_engine()
    facts = {
        "package": _version("teams-notify"),
        "engine": engine,
        "engine_versions": engine_versions(engine),
        "python": list(sys.version_info[:2]),
    }
    digest.update(json.dumps(facts, sort_keys=True).encode())
    for package in _CODE_PACKAGES:
        root = Path(__import__(package).__file__ or "").parent
        for path in sorted(p for p in root.rglob("*") if p.suffix in _CODE_SUFFIXES and p.is_file()):
            digest.update(path.relative_to(root).as_posix().encode() + b"\0")
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


Installed = dict[tuple[str, str], list[Any]]


def provider_fingerprints(tenants: list[TenantConfig]) -> Installed:
    """`{(source, version): what is installed}` for the local-only providers the tenants use: the
    post-synth step locks (or warns about) exactly that package, so a new install, a rebuilt
    package or another CLI config must not be served from the cache."""
    from terraform_provider_servicenow.installed import find_installed

    from teams_notify.stacks.provider_lock import is_local_only

    found: Installed = {}
    for tenant in tenants:
        wanted = (tenant.servicenow.provider_source, tenant.servicenow.provider_version)
        if wanted in found or not is_local_only(wanted[0]):
            continue
        package = find_installed(*wanted).package
        found[wanted] = _package_stat(package.path) if package else ["not installed"]
    return found


def _package_stat(path: Path) -> list[Any]:
    """Path, size and modification time of a package and of every file in it (no hashing: a
    self-contained build is tens of MB)."""
    files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    return [str(path)] + [(str(f), f.stat().st_size, f.stat().st_mtime_ns) for f in files]


def tenant_key(
    tenant: TenantConfig, checked: list[CheckedCertificate], target: Path, installed: Installed
) -> str:
    """The cache key of a tenant's two stacks (see the module docstring)."""
    digest = hashlib.sha256()
    sn = tenant.servicenow
    facts = {
        "code": code_fingerprint(),
        "output": str(target),
        "tenant": tenant.model_dump(mode="json"),
        "certificates": [c.to_json() for c in checked],
        "provider": installed.get((sn.provider_source, sn.provider_version)),
    }
    digest.update(json.dumps(facts, sort_keys=True).encode())
    for path in input_files(tenant):
        digest.update(str(path).encode() + b"\0")
        digest.update(hashlib.sha256(read_input(path, "tenant input")).digest())
    return digest.hexdigest()


def input_files(tenant: TenantConfig) -> list[Path]:
    """The files a tenant's output is made from: its tenant file and its certificate bundles."""
    files = [tenant.source] if tenant.source else []
    for cert in tenant.certificates:
        files += [cert.crt, cert.jks] + ([cert.key_file] if cert.key_file.is_file() else [])
    return files


def probably_changed(target: Path, tenants: list[TenantConfig]) -> bool:
    """A cheap early guess (file times only) that some tenant will be synthesized: no index, or
    an input file written since it. Only decides when the engine starts; what is reused is
    decided by the keys."""
    return written_since_index(target, (path for t in tenants for path in input_files(t))) != 0


def written_since_index(target: Path, paths: Iterable[Path]) -> int | None:
    """How many of `paths` were written since the output's index; None without an index
    (everything will be built). The synth command asks it of the tenant files (`*.toml`) before
    reading them, so the engine can start while the config is still being loaded."""
    try:
        since = (target / INDEX_FILE).stat().st_mtime_ns
        return sum(1 for path in paths if path.stat().st_mtime_ns >= since)
    except OSError:
        return None


def load_index(target: Path) -> Index | None:
    """The previous output's index; None when there is none or it cannot be trusted."""
    try:
        data = json.loads((target / INDEX_FILE).read_text(encoding="utf-8"))
        if data.get("format") != INDEX_FORMAT:
            return None
        tenants = {
            name: TenantOutput(str(out["key"]), dict(out["manifest"]), dict(out["files"]))
            for name, out in data["tenants"].items()
        }
        return Index(str(data["manifest_version"]), tenants)
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def write_index(staging: Path, index: Index) -> None:
    text = json.dumps(index.to_json(), indent=2, sort_keys=True) + "\n"
    (staging / INDEX_FILE).write_text(text, encoding="utf-8")


def still_intact(target: Path, output: TenantOutput) -> bool:
    """True when every file the tenant wrote is still there with the same bytes."""
    for relative, sha in output.files.items():
        try:
            if hashlib.sha256((target / relative).read_bytes()).hexdigest() != sha:
                return False
        except OSError:
            return False
    return True


def copy_files(target: Path, staging: Path, output: TenantOutput) -> None:
    """Put a reused tenant's files into the staging folder (hard links: they are not edited)."""
    from teams_notify.stacks.staging import link_or_copy

    # Each folder made once, parents first: a file system call is what a re-synth waits on.
    folders = {parent for relative in output.files for parent in PurePosixPath(relative).parents}
    for folder in sorted(folders, key=lambda f: len(f.parts)):
        if folder.parts:
            (staging / folder).mkdir(exist_ok=True)
    for relative in output.files:
        link_or_copy(target / relative, staging / relative)


def files_of(staging: Path, stack_names: list[str]) -> dict[str, str]:
    """`{relative path: sha256}` of every file under the given stacks' folders."""
    found = {}
    for name in stack_names:
        for path in sorted((staging / STACKS_DIR / name).rglob("*")):
            if path.is_file():
                found[path.relative_to(staging).as_posix()] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


def write_manifest(staging: Path, version: str, stacks: dict[str, Any]) -> None:
    """manifest.json exactly as the engine writes it (json-stable-stringify, 2 spaces)."""
    text = stable_stringify({"stacks": stacks, "version": version})
    (staging / MANIFEST_FILE).write_text(text, encoding="utf-8")


def stable_stringify(value: Any, indent: str = "  ", level: int = 0) -> str:
    """The JavaScript `json-stable-stringify(value, {space: 2})`: sorted keys, and empty arrays
    and objects still broken over two lines (unlike Python's json)."""
    inner = "\n" + indent * (level + 1)
    close = "\n" + indent * level
    if isinstance(value, dict):
        pairs = sorted(value.items())
        items = [f"{inner}{_js(k)}: {stable_stringify(v, indent, level + 1)}" for k, v in pairs]
        return "{" + ",".join(items) + close + "}"
    if isinstance(value, list):
        return "[" + ",".join(inner + stable_stringify(v, indent, level + 1) for v in value) + close + "]"
    return _js(value)


def _js(value: Any) -> str:
    """A scalar as JSON.stringify writes it (non-ASCII characters as they are)."""
    return json.dumps(value, ensure_ascii=False)


def _version(distribution: str) -> str:
    from importlib import metadata  # here: 15 ms to import, before the engine process is started

    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return "unknown"
