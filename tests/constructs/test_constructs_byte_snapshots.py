"""The synthesized `cdk.tf.json` files, byte for byte, against recorded snapshots: the shipped
example tenant and a set of three tenants that between them use every tenant-config section the
stacks read (rotation with two certificates, name overrides, requester, selector settings, the
JKS as a variable, Terraform Cloud and azurerm backends, the remote-state hand-off, an existing
service user, the bot).

Certificates are generated per run, so the values that come from them (PEM, x5t, dates, the
JKS digest) are replaced by exact, named placeholders computed from each bundle; everything else
is compared as the bytes synth wrote. Refactorings must keep these files unchanged; a deliberate
change re-records them with UPDATE_SNAPSHOTS=1 (review the diff).
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import shutil
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.serialization import Encoding
from helpers.constructs import BundleFactory, CertificateBundle, synth_tenants, write_tenant
from teams_notify.certs import Thumbprints, load_certificate

ROOT = Path(__file__).resolve().parents[2]
SNAPSHOTS = Path(__file__).parent / "snapshots" / "bytes"
STACK_JSON = "cdk.tf.json"

SELECTOR = {
    "name": "Teams (alpha)",
    "order": 50,
    "table": "x_alpha_call",
    "condition": "priority=1",
    "catch_all": True,
    "manual_selection": False,
    "conference_provider": "Teams Calling",
}
ALPHA_SERVICENOW = {
    "provider_version": "0.1.0",
    "name_prefix": "Alpha",
    "requester": "Existing alpha credential",
    "connection_url": "https://graph.microsoft.us",
    "jwt_expiry_seconds": 420,
    "teams_config_query": "active=true",
    "selector": SELECTOR,
}
ALPHA_OVERRIDES = {
    "tables": {"teams_config": "x_alpha_teams_config", "selector": "x_alpha_selector"},
    "columns": {
        "credential": {"credential_alias": "credential_alias", "name": "u_name"},
        "jwt_key": {"include_x5t": "u_x5t"},
        "oidc_config": {"name": "name", "metadata_url": "oidc_url"},
        "teams_config": {"tenant_id": "u_tenant"},
        "selector_choice": {"selector": "selector"},
    },
}
BRAVO_USER = {
    "upn": "svc@bravo.onmicrosoft.com",
    "create": False,
    "object_id": "0f0f0f0f-1111-4222-8333-444444444444",
}
BRAVO_BOT = {
    "enabled": True,
    "name": "bravo-notify-bot",
    "resource_group_name": "rg-bot",
    "subscription_id": "12345678-1234-4234-8234-123456789012",
    "calling_web_hook": "https://bravo.service-now.com/api/sn_msteams_com_spk/callback",
}
CHARLIE_BACKEND = {
    "type": "azurerm",
    "resource_group_name": "rg-state",
    "storage_account_name": "charliestate",
    "container_name": "tfstate",
}


def _bundle(root: Path, factory: BundleFactory, name: str) -> CertificateBundle:
    """A copy of a cached bundle at a fixed place under `root`, so relative paths are the same
    in every run."""
    return factory.make(name).copy_to(root / "bundles" / name)


def _write_three(root: Path, factory: BundleFactory) -> list[CertificateBundle]:
    folder = root / "tenants"
    alpha_current, alpha_next = _bundle(root, factory, "alpha-cert"), _bundle(root, factory, "alpha-next")
    bravo, charlie = _bundle(root, factory, "bravo-cert"), _bundle(root, factory, "charlie-cert")
    write_tenant(
        folder,
        "alpha",
        [("current", alpha_current, False), ("next", alpha_next, True)],
        enable_online_meetings=False,
        app_display_name="Alpha Notify",
        servicenow={"instance_url": "https://alpha.service-now.com", **ALPHA_SERVICENOW},
        overrides=ALPHA_OVERRIDES,
    )
    write_tenant(
        folder,
        "bravo",
        [("current", bravo, True)],
        certificate_options={"jks_upload": "variable"},
        backend={"type": "cloud", "organization": "acme", "workspace_pattern": "notify-{stack}"},
        entra={"handoff": "remote_state"},
        service_user=BRAVO_USER,
        bot=BRAVO_BOT,
    )
    write_tenant(folder, "charlie", [("current", charlie, True)], backend=CHARLIE_BACKEND)
    return [alpha_current, alpha_next, bravo, charlie]


def _certificate_values(crt: Path, jks: Path, label: str) -> dict[str, str]:
    """{text in cdk.tf.json that comes from this bundle: its placeholder}."""
    cert = load_certificate(crt)
    prints = Thumbprints.of(cert)
    pem = cert.public_bytes(Encoding.PEM).decode("ascii")
    jks_digest = hashlib.sha256(base64.b64encode(jks.read_bytes())).hexdigest()
    values = {
        json.dumps(pem)[1:-1]: f"<{label} pem>",
        prints.x5t: f"<{label} x5t>",
        prints.sha1_hex: f"<{label} sha1>",
        jks_digest: f"<{label} jks sha256>",
    }
    for moment, what in ((prints.not_before, "start"), (prints.not_after, "end")):
        values[moment.strftime("%Y-%m-%dT%H:%M:%SZ")] = f"<{what}>"  # equal across bundles made in one second
    return values


def _normalized(outdir: Path, values: dict[str, str]) -> dict[str, str]:
    """{stack: its cdk.tf.json text with certificate-derived values replaced}."""
    found = {}
    for stack_dir in sorted((outdir / "stacks").iterdir()):
        text = (stack_dir / STACK_JSON).read_text(encoding="utf-8")
        for value, placeholder in values.items():
            text = text.replace(value, placeholder)
        found[stack_dir.name] = text
    return found


def _compare(current: dict[str, str]) -> None:
    if os.environ.get("UPDATE_SNAPSHOTS") == "1":
        SNAPSHOTS.mkdir(parents=True, exist_ok=True)
        for stack, text in current.items():
            (SNAPSHOTS / f"{stack}.{STACK_JSON}").write_text(text, encoding="utf-8")
    for stack, text in current.items():
        recorded = SNAPSHOTS / f"{stack}.{STACK_JSON}"
        assert recorded.is_file(), f"{recorded} is missing: run once with UPDATE_SNAPSHOTS=1 and review it"
        assert text == recorded.read_text(encoding="utf-8"), f"{stack}: synthesized output changed"
        assert "/tmp/" not in text and "-----BEGIN" not in text


def test_three_tenants_byte_for_byte(
    tmp_path_factory: pytest.TempPathFactory, constructs_bundles: BundleFactory
) -> None:
    root = tmp_path_factory.mktemp("bytes-three")
    bundles = _write_three(root, constructs_bundles)
    synth_tenants(root / "tenants", root / "cdktf.out")
    values: dict[str, str] = {}
    for bundle in bundles:
        values |= _certificate_values(bundle.crt, bundle.dir / f"{bundle.name}.jks", bundle.name)
    current = _normalized(root / "cdktf.out", values)
    names = [f"{t}-{side}" for t in ("alpha", "bravo", "charlie") for side in ("entra", "servicenow")]
    assert sorted(current) == names
    _compare(current)


def test_shipped_example_byte_for_byte(tmp_path: Path) -> None:
    """tenants/example.toml as shipped, with its PoC bundle generated next to it on first synth."""
    (tmp_path / "tenants").mkdir()
    shutil.copy(ROOT / "tenants" / "example.toml", tmp_path / "tenants" / "example.toml")
    synth_tenants(tmp_path / "tenants", tmp_path / "cdktf.out")
    bundle = tmp_path / ".teams-notify" / "example"
    values = _certificate_values(bundle / "example-notify.crt", bundle / "example-notify.jks", "example")
    current = _normalized(tmp_path / "cdktf.out", values)
    assert sorted(current) == ["example-entra", "example-servicenow"]
    _compare(current)
