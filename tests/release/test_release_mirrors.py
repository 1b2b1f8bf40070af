"""`terraform init` and `terraform providers lock` from generated mirrors: a filesystem mirror and a
network mirror served over HTTPS on loopback (throwaway CA, trusted through SSL_CERT_FILE).
Terraform checks each zip against the hashes that come from the release's SHA256SUMS; a changed
zip is refused."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import zipfile
from pathlib import Path

import pytest
from helpers.release import RELEASE_VERSION, https_server
from helpers.terraform import REQUIRED_PROVIDERS, Terraform
from terraform_provider_servicenow.install import DEFAULT_SOURCE
from terraform_provider_servicenow.lockfile import package_hash_v1
from terraform_provider_servicenow.mirror import Mirror, cli_config_text, write_mirror
from terraform_provider_servicenow.release import Release

pytestmark = pytest.mark.terraform

ZIP = f"terraform-provider-servicenow_{RELEASE_VERSION}_linux_amd64.zip"


def locked_hashes(tf: Terraform) -> list[str]:
    """The hashes `.terraform.lock.hcl` records for our provider."""
    text = (tf.workdir / ".terraform.lock.hcl").read_text()
    block = text[text.index(f'provider "{DEFAULT_SOURCE}" {{') :].split("\n}\n")[0]
    return re.findall(r'"((?:h1|zh):[^"]+)"', block)


def mirror_terraform(
    tmp_path: Path, mirror: Mirror, url: str | None = None, env: dict | None = None
) -> Terraform:
    tf = Terraform(tmp_path, tmp_path / "unused", env=env)
    tf.cli_config.write_text(cli_config_text(mirror, url))
    tf.write(REQUIRED_PROVIDERS)
    return tf


def tamper(zip_path: Path) -> None:
    """What an attacker would do: a valid zip with one more file in it (the hashes no longer match)."""
    with zipfile.ZipFile(zip_path, "a") as archive:
        archive.writestr("_internal/sitecustomize.py", "import os  # injected\n")


def test_network_mirror_documents(release_dir: Release, tmp_path: Path) -> None:
    mirror = write_mirror(release_dir, tmp_path / "net", "network")
    folder = tmp_path / "net" / "terraform.local" / "teams-notify" / "servicenow"
    assert json.loads((folder / "index.json").read_text()) == {"versions": {RELEASE_VERSION: {}}}
    archives = json.loads((folder / f"{RELEASE_VERSION}.json").read_text())["archives"]
    assert list(archives) == ["linux_amd64"]
    assert archives["linux_amd64"]["url"] == ZIP
    sha256 = release_dir.checksums()[ZIP]
    assert archives["linux_amd64"]["hashes"] == [package_hash_v1(folder / ZIP), f"zh:{sha256}"]
    assert sorted(p.name for p in mirror.files) == sorted([ZIP, f"{RELEASE_VERSION}.json", "index.json"])


def test_init_and_lock_from_filesystem_mirror(release_dir: Release, tmp_path: Path) -> None:
    mirror = write_mirror(release_dir, tmp_path / "fs", "fs")
    assert (tmp_path / "fs" / "terraform.local" / "teams-notify" / "servicenow" / ZIP).is_file()
    tf = mirror_terraform(tmp_path / "tf", mirror)
    init = tf.init()
    assert f"Installed {DEFAULT_SOURCE} v{RELEASE_VERSION}" in init.output
    sha256 = release_dir.checksums()[ZIP]

    assert sha256 == hashlib.sha256((mirror.folder / ZIP).read_bytes()).hexdigest()
    tf.run("providers", "lock", f"-fs-mirror={mirror.root}", "-platform=linux_amd64")
    # Terraform's own hash of the unpacked zip, as we compute it. Terraform records zh: hashes only
    # from a source whose GPG signature it verified (a registry: test_release_registry.py).
    assert locked_hashes(tf) == [package_hash_v1(mirror.folder / ZIP)]

    # A zip changed after the release no longer matches the locked hashes: init refuses it.
    tamper(mirror.folder / ZIP)
    shutil.rmtree(tf.workdir / ".terraform")
    refused = tf.run("init", "-input=false", "-no-color", check=False)
    assert refused.returncode != 0
    assert "checksums previously recorded in the dependency lock file" in refused.output


def test_init_and_lock_from_network_mirror_over_https(release_dir: Release, tmp_path: Path) -> None:
    mirror = write_mirror(release_dir, tmp_path / "net", "network")
    with https_server(mirror.root, tmp_path / "pki") as server:
        env = {"SSL_CERT_FILE": str(server.ca_file)}
        tf = mirror_terraform(tmp_path / "tf", mirror, server.url, env)
        init = tf.init()
        assert f"Installed {DEFAULT_SOURCE} v{RELEASE_VERSION}" in init.output
        assert f"/terraform.local/teams-notify/servicenow/{ZIP}" in server.requests
        # Terraform checked the zip against the mirror's hashes (h1:, and zh: = the SHA256SUMS entry)
        # before installing it; it locks the h1: it computed itself, which is the one we listed.
        listed = json.loads((mirror.folder / f"{RELEASE_VERSION}.json").read_text())
        h1, zh = listed["archives"]["linux_amd64"]["hashes"]
        assert zh == f"zh:{release_dir.checksums()[ZIP]}"
        assert locked_hashes(tf) == [h1]

        locker = mirror_terraform(tmp_path / "lock", mirror, server.url, env)
        locker.run("providers", "lock", f"-net-mirror={server.url}", "-platform=linux_amd64")
        assert locked_hashes(locker) == [h1]


def test_network_mirror_refuses_a_tampered_zip(release_dir: Release, tmp_path: Path) -> None:
    mirror = write_mirror(release_dir, tmp_path / "net", "network")
    tamper(mirror.folder / ZIP)
    with https_server(mirror.root, tmp_path / "pki") as server:
        tf = mirror_terraform(tmp_path / "tf", mirror, server.url, {"SSL_CERT_FILE": str(server.ca_file)})
        refused = tf.run("init", "-input=false", "-no-color", check=False)
    assert refused.returncode != 0
    assert "checksum" in refused.output.lower() or "doesn't match" in refused.output, refused.output
    assert not (tf.workdir / ".terraform.lock.hcl").exists()


def test_untrusted_https_mirror_is_refused(release_dir: Release, tmp_path: Path) -> None:
    """Without the test CA in SSL_CERT_FILE Terraform does not talk to the mirror at all."""
    mirror = write_mirror(release_dir, tmp_path / "net", "network")
    with https_server(mirror.root, tmp_path / "pki") as server:
        tf = mirror_terraform(tmp_path / "tf", mirror, server.url)
        refused = tf.run("init", "-input=false", "-no-color", check=False)
    assert refused.returncode != 0 and "certificate" in refused.output
