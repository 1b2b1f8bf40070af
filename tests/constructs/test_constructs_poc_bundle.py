"""Default run: a `poc = true` certificate that is missing is generated once, with its store
password in a 0600 file beside it that really opens the keystore."""

from __future__ import annotations

import stat
from pathlib import Path

from helpers.constructs import CertificateBundle, tenant_toml
from teams_notify.certs import Thumbprints, load_certificate, read_jks
from teams_notify.config import load_tenant
from teams_notify.stacks.app import ensure_poc_bundles, poc_password_file


def test_missing_poc_bundle_is_generated_once_with_its_password(tmp_path: Path) -> None:
    wanted = CertificateBundle(tmp_path / "poc", "acme-notify")
    tenant_file = tmp_path / "acme.toml"
    tenant_file.write_text(tenant_toml("acme", [("current", wanted, True)], {"poc": True}))
    tenant = load_tenant(tenant_file)
    cert = tenant.certificates[0]

    assert ensure_poc_bundles(tenant) == [cert.dir]

    password_path = poc_password_file(cert)
    assert stat.S_IMODE(password_path.stat().st_mode) == 0o600
    assert stat.S_IMODE(cert.dir.stat().st_mode) == 0o700
    password = password_path.read_text().strip()
    entry = read_jks(cert.jks, password)  # verifies the store's integrity with that password
    assert Thumbprints.of(entry.chain[0]) == Thumbprints.of(load_certificate(cert.crt))

    before = password_path.read_bytes(), cert.jks.read_bytes()
    assert ensure_poc_bundles(tenant) == []
    assert (password_path.read_bytes(), cert.jks.read_bytes()) == before
