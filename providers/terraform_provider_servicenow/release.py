"""Release artifacts in the layout of Terraform's provider registry protocol.

For version V, `write_release` puts in one folder what a registry (public, or Terraform Cloud's
private registry) serves and what `goreleaser` writes for Terraform providers:

    terraform-provider-servicenow_V_<os>_<arch>.zip   the executable `terraform-provider-servicenow_vV`
                                                      and its `_internal/` folder (Terraform unpacks
                                                      the whole zip into one folder)
    terraform-provider-servicenow_V_manifest.json     registry manifest: plugin protocol 6.0
    terraform-provider-servicenow_V_SHA256SUMS        `<sha256 hex>  <file name>` of the zips and manifest
    terraform-provider-servicenow_V_SHA256SUMS.sig    detached binary GPG signature of the SHA256SUMS

Zips are reproducible for a given build: sorted entries, fixed timestamps, Unix modes kept
(Terraform keeps the executable bit from the zip).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import subprocess
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from terraform_provider_servicenow.build import CONTENTS_DIR, Build, ReleaseError
from terraform_provider_servicenow.lockfile import file_sha256

PROVIDER_TYPE = "servicenow"
PROJECT = f"terraform-provider-{PROVIDER_TYPE}"
PROTOCOL_VERSIONS = ("6.0",)
GPG_KEY_ENV = "TEAMS_NOTIFY_GPG_KEY_ID"
GPG_PASSPHRASE_ENV = "TEAMS_NOTIFY_GPG_PASSPHRASE"  # optional; read from the environment, never argv
SEMVER = re.compile(r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?$")
PLATFORM = re.compile(r"^[a-z0-9]+_[a-z0-9]+$")
ZIP_DATE = (1980, 1, 1, 0, 0, 0)  # the earliest a zip can store: the same build gives the same zip


@dataclass(frozen=True)
class Release:
    """The files of one provider version in a release folder."""

    folder: Path
    version: str
    zips: dict[str, Path] = field(default_factory=dict)  # os_arch -> zip

    @property
    def manifest(self) -> Path:
        return self.folder / f"{PROJECT}_{self.version}_manifest.json"

    @property
    def sha256sums(self) -> Path:
        return self.folder / f"{PROJECT}_{self.version}_SHA256SUMS"

    @property
    def signature(self) -> Path:
        return self.folder / f"{PROJECT}_{self.version}_SHA256SUMS.sig"

    def checksums(self) -> dict[str, str]:
        """File name -> sha256 hex, as the SHA256SUMS file lists them."""
        return parse_sha256sums(self.sha256sums.read_text())


def check_version(version: str) -> str:
    if not SEMVER.match(version):
        raise ReleaseError(
            f"version {version!r} is not a semantic version",
            "Registries and Terraform need MAJOR.MINOR.PATCH, e.g. 0.1.0 or 1.2.0-rc.1 (no leading v).",
        )
    return version


def zip_name(version: str, platform: str) -> str:
    return f"{PROJECT}_{version}_{platform}.zip"


def executable_name(version: str) -> str:
    """The name Terraform expects inside the zip (it accepts any `terraform-provider-<type>` prefix)."""
    return f"{PROJECT}_v{version}"


def manifest_json() -> str:
    return json.dumps({"version": 1, "metadata": {"protocol_versions": list(PROTOCOL_VERSIONS)}}) + "\n"


def sha256_file(path: Path) -> str:
    return file_sha256(path).hex()


def parse_sha256sums(text: str) -> dict[str, str]:
    sums: dict[str, str] = {}
    for line in text.splitlines():
        if line.strip():
            digest, _, name = line.partition("  ")
            sums[name.strip()] = digest.strip()
    return sums


def write_release(
    out_dir: Path, version: str, builds: Iterable[Build], gpg_key_id: str | None = None
) -> Release:
    """Write zips, manifest, SHA256SUMS and its signature for `version` into `out_dir`.

    gpg and the key are checked before anything is written, and the SHA256SUMS appears only once
    its signature exists: a release folder never holds unsigned checksums.
    """
    check_version(version)
    key_id = gpg_key_id if gpg_key_id is not None else os.environ.get(GPG_KEY_ENV, "")
    check_gpg_key(key_id)
    release = Release(out_dir, version)
    _make_dir(out_dir)
    try:
        for build in builds:
            target = out_dir / zip_name(version, build.platform)
            write_zip(build, executable_name(version), target)
            release.zips[build.platform] = target
        release.manifest.write_text(manifest_json())
        files = [*release.zips.values(), release.manifest]
        sums = "".join(f"{sha256_file(p)}  {p.name}\n" for p in sorted(files, key=lambda p: p.name))
        partial = release.sha256sums.with_name(release.sha256sums.name + ".partial")
        partial.write_text(sums)
        try:
            sign_detached(partial, release.signature, key_id)
            os.replace(partial, release.sha256sums)
        finally:
            partial.unlink(missing_ok=True)
    except OSError as err:
        raise unwritable_error(out_dir, err) from None
    return release


def write_zip(build: Build, executable: str, target: Path) -> None:
    """The build folder as a zip: the executable renamed to `executable`, `_internal/` beside it."""
    if not build.executable.is_file():
        raise ReleaseError(f"no provider executable in {build.folder}", "Build it first (provider build).")
    partial = target.with_name(target.name + ".partial")
    with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        _add_file(archive, build.executable, executable)
        for path in sorted((build.folder / CONTENTS_DIR).rglob("*")):
            if path.is_file():  # follows symlinks: Terraform's unzip would write a link as a text file
                _add_file(archive, path, path.relative_to(build.folder).as_posix())
    os.replace(partial, target)


def _add_file(archive: zipfile.ZipFile, path: Path, name: str) -> None:
    info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
    info.compress_type = zipfile.ZIP_DEFLATED
    mode = stat.S_IMODE(path.stat().st_mode)
    info.external_attr = (stat.S_IFREG | (0o755 if mode & 0o111 else 0o644)) << 16
    info.create_system = 3  # Unix: the mode bits above are read by unzip tools and Terraform
    with path.open("rb") as source, archive.open(info, "w") as dest:
        shutil.copyfileobj(source, dest, 1 << 20)


def read_release(folder: Path, version: str | None = None) -> Release:
    """A release folder written by `write_release` (the newest version in it unless `version`)."""
    sums = sorted(folder.glob(f"{PROJECT}_*_SHA256SUMS"))
    versions = [p.name[len(PROJECT) + 1 : -len("_SHA256SUMS")] for p in sums]
    if version is None and len(versions) > 1:
        raise ReleaseError(
            f"{folder} holds several versions ({', '.join(versions)})", "Choose one with --version."
        )
    chosen = version or (versions[0] if versions else None)
    if chosen is None or chosen not in versions:
        raise ReleaseError(
            f"no {PROJECT}_{chosen or '<version>'}_SHA256SUMS in {folder}",
            "Point --from at the --out folder of `teams-notify provider release`.",
        )
    release = Release(folder, chosen)
    prefix = f"{PROJECT}_{chosen}_"
    for name in release.checksums():
        platform = (
            name[len(prefix) : -len(".zip")] if name.startswith(prefix) and name.endswith(".zip") else ""
        )
        if PLATFORM.match(platform):
            release.zips[platform] = folder / name
    verify_checksums(release)
    return release


def verify_checksums(release: Release) -> None:
    """Every file the SHA256SUMS lists exists and has the listed hash."""
    for name, expected in release.checksums().items():
        path = release.folder / name
        if not path.is_file():
            raise ReleaseError(
                f"{name} is listed in {release.sha256sums.name} but missing", "Re-run the release."
            )
        if sha256_file(path) != expected:
            raise ReleaseError(
                f"{name} does not match its SHA256SUMS entry (changed after release?)",
                "Re-run `teams-notify provider release`; never edit release files by hand.",
            )


def check_gpg_key(key_id: str) -> None:
    """gpg is installed and `key_id` names a secret key in the keyring ($GNUPGHOME)."""
    if not key_id:
        raise ReleaseError(
            f"{GPG_KEY_ENV} is not set",
            f"Set {GPG_KEY_ENV} to the id or fingerprint of the signing key in your GnuPG keyring "
            "(GNUPGHOME); registries need a signed SHA256SUMS.",
        )
    if shutil.which("gpg") is None:
        raise ReleaseError("gpg is not installed (not on PATH)", "Install GnuPG (apt-get install gnupg).")
    proc = _gpg("--list-secret-keys", "--with-colons", "--", key_id)
    if proc.returncode != 0 or "\nsec:" not in "\n" + proc.stdout:
        home = os.environ.get("GNUPGHOME", "~/.gnupg")
        raise ReleaseError(
            f"no secret GPG key {key_id!r} in the keyring at {home}",
            f"Check {GPG_KEY_ENV} and GNUPGHOME (gpg --list-secret-keys shows the keys there).",
        )


def sign_detached(path: Path, signature: Path, key_id: str) -> None:
    """A detached binary signature (what registries and Terraform verify), as gpg makes it."""
    passphrase = os.environ.get(GPG_PASSPHRASE_ENV)
    options = ["--pinentry-mode", "loopback", "--passphrase-fd", "0"] if passphrase is not None else []
    proc = _gpg(
        *options,
        "--yes",
        "--local-user",
        key_id,
        "--output",
        str(signature),
        "--no-armor",  # Terraform reads binary signatures only, whatever gpg.conf says
        "--detach-sign",
        str(path),
        stdin=passphrase,
    )
    if proc.returncode != 0 or not signature.is_file():
        last = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        raise ReleaseError(
            f"gpg could not sign with key {key_id!r}: {last}",
            f"A key with a passphrase needs {GPG_PASSPHRASE_ENV} in the environment (or a gpg-agent "
            "that has it).",
        )


def public_key_armored(key_id: str) -> str:
    """The ASCII-armored public key, as Terraform Cloud's GPG key API wants it."""
    proc = _gpg("--armor", "--export", "--", key_id)
    if proc.returncode != 0 or "BEGIN PGP PUBLIC KEY BLOCK" not in proc.stdout:
        raise ReleaseError(f"cannot export the public key {key_id!r}", "Check gpg --list-keys.")
    return proc.stdout


def _gpg(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["gpg", "--batch", "--no-tty", *args], input=stdin, capture_output=True, text=True, check=False
    )


def _make_dir(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
        probe = folder / ".write-test"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as err:
        raise unwritable_error(folder, err) from None


def unwritable_error(folder: Path, err: OSError) -> ReleaseError:
    return ReleaseError(
        f"cannot write to {err.filename or folder}: {err.strerror}",
        "Choose a folder you can write to with --out (it is created if missing).",
    )
