"""Provider mirrors for teams that cannot reach a registry: filesystem and network.

Both take the zips of a release folder (`release.py`), after checking them against its
SHA256SUMS, so a mirror never serves a file the release did not list.

Filesystem mirror, Terraform's "packed" layout (a `filesystem_mirror` block points at DIR):

    DIR/<host>/<namespace>/<type>/terraform-provider-<type>_<version>_<os>_<arch>.zip

Network mirror (Terraform's provider network mirror protocol, served over HTTPS from any static
web server whose base URL is given to a `network_mirror` block): the same zips plus

    DIR/<host>/<namespace>/<type>/index.json        {"versions": {"<version>": {}, ...}}
    DIR/<host>/<namespace>/<type>/<version>.json    {"archives": {"<os>_<arch>": {"url": "<zip name>",
                                                     "hashes": ["h1:...", "zh:<sha256 of the zip>"]}}}

`zh:` is the zip's SHA-256 (the SHA256SUMS entry); `h1:` is Terraform's hash of the unpacked
contents (what it writes to `.terraform.lock.hcl`). Terraform refuses a zip that matches neither.

Terraform records only the `h1:` it computes itself from a mirror: it trusts a source's other
hashes (the `zh:` of every platform) only when a GPG signature over them verified. That is what a
registry gives, so `write_registry` also writes a static provider registry (Terraform's provider
registry protocol, read-only, served over HTTPS at the source address's host):

    DIR/.well-known/terraform.json                                  {"providers.v1": "/v1/providers/"}
    DIR/v1/providers/<namespace>/<type>/versions                    versions, protocols, platforms
    DIR/v1/providers/<namespace>/<type>/<version>/download/<os>/<arch>   zip, SHA256SUMS(.sig) URLs,
                                                                    shasum, the public signing key
    DIR/v1/providers/<namespace>/<type>/<version>/<release files>

Terraform verifies the zip against the SHA256SUMS, the SHA256SUMS against its signature, and locks
`h1:` plus the `zh:` of every platform. The extension-less files must be served as JSON.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from terraform_provider_servicenow.build import ReleaseError
from terraform_provider_servicenow.exceptions import ServiceNowError
from terraform_provider_servicenow.install import (
    DEFAULT_SOURCE,
    SourceAddress,
    parse_source,
    provider_installation_text,
)
from terraform_provider_servicenow.lockfile import package_hash_v1
from terraform_provider_servicenow.release import PROTOCOL_VERSIONS, PROVIDER_TYPE, Release, unwritable_error

MirrorKind = Literal["fs", "network", "registry"]


@dataclass(frozen=True)
class Mirror:
    """A generated mirror: `root` is what Terraform's mirror block (or the web server) points at."""

    root: Path
    kind: MirrorKind
    folder: Path  # root/<host>/<namespace>/<type>
    version: str
    files: tuple[Path, ...]


def write_mirror(
    release: Release, out_dir: Path, kind: MirrorKind = "fs", source: str = DEFAULT_SOURCE
) -> Mirror:
    """Copy the release's zips into a mirror under `out_dir` (and, for a network mirror, write
    its JSON documents). Other versions already in `out_dir` stay and are listed in index.json."""
    address = _address(source)
    folder = out_dir / address.host / address.namespace / address.type
    sums = release.checksums()
    written: list[Path] = []
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for platform, zip_path in sorted(release.zips.items()):
            target = folder / f"terraform-provider-{address.type}_{release.version}_{platform}.zip"
            partial = target.with_name(target.name + ".partial")
            shutil.copyfile(zip_path, partial)
            os.replace(partial, target)
            written.append(target)
        if kind == "network":
            archives = {
                platform: {
                    "url": path.name,
                    "hashes": [package_hash_v1(path), f"zh:{sums[release.zips[platform].name]}"],
                }
                for platform, path in zip(sorted(release.zips), written, strict=True)
            }
            written.append(_write_json(folder / f"{release.version}.json", {"archives": archives}))
            written.append(_write_json(folder / "index.json", {"versions": _versions_in(folder)}))
    except OSError as err:
        raise unwritable_error(out_dir, err) from None
    return Mirror(out_dir, kind, folder, release.version, tuple(written))


def write_registry(release: Release, out_dir: Path, public_key: str, key_id: str, namespace: str) -> Mirror:
    """A static, read-only provider registry for `<host>/<namespace>/servicenow` (the host is wherever
    `out_dir` is served over HTTPS). `public_key` is the ASCII-armored key that signed the release."""
    base = f"/v1/providers/{namespace}/{PROVIDER_TYPE}"
    folder = out_dir / base.lstrip("/")
    version_dir = folder / release.version
    sums = release.checksums()
    written: list[Path] = []
    try:
        version_dir.mkdir(parents=True, exist_ok=True)
        for path in [*release.zips.values(), release.sha256sums, release.signature]:
            written.append(Path(shutil.copyfile(path, version_dir / path.name)))
        signing_keys = {"gpg_public_keys": [{"key_id": key_id[-16:].upper(), "ascii_armor": public_key}]}
        for platform, zip_path in sorted(release.zips.items()):
            os_name, arch = platform.split("_", 1)
            url = f"{base}/{release.version}"
            download = {
                "protocols": list(PROTOCOL_VERSIONS),
                "os": os_name,
                "arch": arch,
                "filename": zip_path.name,
                "download_url": f"{url}/{zip_path.name}",
                "shasums_url": f"{url}/{release.sha256sums.name}",
                "shasums_signature_url": f"{url}/{release.signature.name}",
                "shasum": sums[zip_path.name],
                "signing_keys": signing_keys,
            }
            written.append(_write_json(version_dir / "download" / os_name / arch, download))
        written.append(_write_json(folder / "versions", {"versions": _registry_versions(folder)}))
        written.append(
            _write_json(out_dir / ".well-known" / "terraform.json", {"providers.v1": "/v1/providers/"})
        )
    except OSError as err:
        raise unwritable_error(out_dir, err) from None
    return Mirror(out_dir, "registry", folder, release.version, tuple(written))


def _registry_versions(folder: Path) -> list[dict[str, object]]:
    """Every version under `folder` with its platforms (the registry's `versions` document)."""
    versions: list[dict[str, object]] = []
    for version_dir in sorted(p for p in folder.iterdir() if (p / "download").is_dir()):
        platforms = [
            {"os": arch.parent.name, "arch": arch.name}
            for arch in sorted((version_dir / "download").glob("*/*"))
        ]
        versions.append(
            {"version": version_dir.name, "protocols": list(PROTOCOL_VERSIONS), "platforms": platforms}
        )
    return versions


def cli_config_text(mirror: Mirror, url: str | None = None, source: str = DEFAULT_SOURCE) -> str:
    """A Terraform CLI configuration that installs our provider from this mirror (a network mirror
    needs the HTTPS `url` it is served at) and everything else as usual."""
    if mirror.kind == "fs":
        return provider_installation_text("filesystem_mirror", "path", str(mirror.root), source)
    if mirror.kind == "network" and url and url.startswith("https://"):
        return provider_installation_text("network_mirror", "url", url.rstrip("/") + "/", source)
    if mirror.kind == "network":
        raise ReleaseError("a network mirror needs its https:// URL", "Pass the URL it is served at (--url).")
    raise ReleaseError("a registry needs no CLI configuration", "Serve it at the host of the source address.")


def _address(source: str) -> SourceAddress:
    try:
        address = parse_source(source)
    except ServiceNowError as err:  # ConfigError from install.py: keep its cause and fix
        raise ReleaseError(err.summary, err.detail) from None
    if address.type != PROVIDER_TYPE:
        raise ReleaseError(
            f"provider source {source!r} must end in /{PROVIDER_TYPE}",
            "The zips are named terraform-provider-servicenow_*; Terraform matches the type to that name.",
        )
    return address


def _versions_in(folder: Path) -> dict[str, dict[str, str]]:
    names = [p.stem for p in folder.glob("*.json") if p.name != "index.json"]
    return {version: {} for version in sorted(names)}


def _write_json(path: Path, document: dict) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    partial.write_text(json.dumps(document, indent=2, sort_keys=True) + "\n")
    os.replace(partial, path)
    return path
