"""A static provider registry made from the release (Terraform's provider registry protocol over
HTTPS on loopback): Terraform itself checks the zip against the SHA256SUMS and the SHA256SUMS
against its GPG signature, and locks both `h1:` and `zh:` hashes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from helpers.release import RELEASE_VERSION, GpgKey, https_server
from helpers.terraform import Terraform
from terraform_provider_servicenow.lockfile import package_hash_v1
from terraform_provider_servicenow.mirror import write_registry
from terraform_provider_servicenow.release import Release, public_key_armored

pytestmark = pytest.mark.terraform

ZIP = f"terraform-provider-servicenow_{RELEASE_VERSION}_linux_amd64.zip"


@pytest.fixture
def registry_root(
    release_dir: Release, release_gpg: GpgKey, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Path:
    monkeypatch.setenv("GNUPGHOME", str(release_gpg.home))
    public = public_key_armored(release_gpg.fingerprint)
    write_registry(release_dir, tmp_path / "registry", public, release_gpg.fingerprint, "teams-notify")
    return tmp_path / "registry"


def registry_terraform(workdir: Path, url: str, ca_file: Path) -> tuple[Terraform, str]:
    source = url.removeprefix("https://").rstrip("/") + "/teams-notify/servicenow"
    tf = Terraform(workdir, workdir / "unused", env={"SSL_CERT_FILE": str(ca_file)})
    tf.cli_config.write_text("")  # the usual installation: straight from the source's registry host
    tf.write(f'terraform {{\n  required_providers {{\n    servicenow = {{ source = "{source}" }}\n  }}\n}}\n')
    return tf, source


def locked_hashes(tf: Terraform) -> list[str]:
    return re.findall(r'"((?:h1|zh):[^"]+)"', (tf.workdir / ".terraform.lock.hcl").read_text())


def test_init_verifies_signature_and_checksums_and_locks_h1_and_zh(
    registry_root: Path, release_dir: Release, release_gpg: GpgKey, tmp_path: Path
) -> None:
    with https_server(registry_root, tmp_path / "pki") as server:
        tf, source = registry_terraform(tmp_path / "tf", server.url, server.ca_file)
        init = tf.init()
        key_id = release_gpg.fingerprint[-16:].upper()  # "self-signed": our key, no partner chain
        assert f"Installed {source} v{RELEASE_VERSION} (self-signed, key ID {key_id})" in init.output
        # h1: of the package it installed, zh: of every file the signed SHA256SUMS lists (the zips
        # of all platforms, and the manifest, as with releases made by goreleaser).
        expected = {package_hash_v1(release_dir.zips["linux_amd64"])} | {
            f"zh:{digest}" for digest in release_dir.checksums().values()
        }
        assert f"zh:{release_dir.checksums()[ZIP]}" in expected
        assert set(locked_hashes(tf)) == expected

        locker, _ = registry_terraform(tmp_path / "lock", server.url, server.ca_file)
        locker.run("providers", "lock", "-platform=linux_amd64")
        assert set(locked_hashes(locker)) == expected
        assert f"/v1/providers/teams-notify/servicenow/{RELEASE_VERSION}/{ZIP}" in server.requests


def test_a_changed_sha256sums_fails_the_signature(registry_root: Path, tmp_path: Path) -> None:
    sums = next(registry_root.rglob("*_SHA256SUMS"))
    sums.write_text(sums.read_text() + "0" * 64 + "  extra.zip\n")
    with https_server(registry_root, tmp_path / "pki") as server:
        tf, _ = registry_terraform(tmp_path / "tf", server.url, server.ca_file)
        refused = tf.run("init", "-input=false", "-no-color", check=False)
    assert refused.returncode != 0
    assert "signature" in refused.output.lower(), refused.output


def test_a_changed_zip_fails_the_checksum(registry_root: Path, tmp_path: Path) -> None:
    zip_path = next(registry_root.rglob(ZIP))
    zip_path.write_bytes(zip_path.read_bytes() + b"\0")
    with https_server(registry_root, tmp_path / "pki") as server:
        tf, _ = registry_terraform(tmp_path / "tf", server.url, server.ca_file)
        refused = tf.run("init", "-input=false", "-no-color", check=False)
    assert refused.returncode != 0
    assert "checksum" in refused.output.lower(), refused.output
