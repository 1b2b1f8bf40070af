"""The post-synth hook: runs after `app.synth()` (so for `python main.py`, `cdktf synth` and
`cdktf deploy`, which all run main.py).

For every stack it reads the tenant's certificates, checks them (the `.crt` Entra gets and
the certificate inside the JKS ServiceNow gets are the same; the private key matches; the
active one does not expire within the horizon), fills the computed `x5t` into the JSON where
the constructs left a placeholder, and writes `teams-notify.json` next to `cdk.tf.json`.
"""

from __future__ import annotations

import importlib
import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat, load_pem_private_key

from teams_notify.certs import (
    Thumbprints,
    jks_certificate,
    jks_private_key,
    load_certificate,
    load_private_key,
)
from teams_notify.config import CertificateConfig, TenantConfig
from teams_notify.errors import CheckFailedError
from teams_notify.stacks.backend import cloud_workspace
from teams_notify.stacks.servicenow.fields import X5T_PLACEHOLDER_PREFIX, x5t_placeholder

SUMMARY_FILE = "teams-notify.json"
STACK_JSON = "cdk.tf.json"


@dataclass(frozen=True)
class CheckedCertificate:
    """A certificate that passed the checks, with its thumbprints and any warnings."""

    config: CertificateConfig
    thumbprints: Thumbprints
    warnings: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "key": self.config.key,
            "active": self.config.active,
            "certificate_path": str(self.config.crt),
            "jks_path": str(self.config.jks),
            **self.thumbprints.to_json(),
            "warnings": list(self.warnings),
        }


def _spki(cert_or_key: Any) -> bytes:
    return bytes(cert_or_key.public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo))


def _key_spki(path: Path) -> bytes:
    """The public half of a private key file.

    Only the public half is compared here, so an unencrypted PEM key is loaded without RSA's
    private-key consistency check (about 35 ms a key, most of a tenant's hook time);
    `teams-notify cert check` validates the key fully. Anything else goes through the certs
    loader, which reads DER and gives the clear error for an encrypted or damaged file.
    """
    try:
        key = load_pem_private_key(path.read_bytes(), None, unsafe_skip_rsa_key_validation=True)
    except (ValueError, TypeError):
        key = load_private_key(path)
    return _spki(key.public_key())


def _check_key(cert: CertificateConfig, crt: x509.Certificate) -> str | None:
    """Error text when the private key does not belong to the certificate; None when it does.

    Uses the bundle's `.key` when present, otherwise the JKS entry if TEAMS_NOTIFY_STORE_PASSWORD
    is set; without either the key cannot be read, which is not an error at synth time.
    """
    store_password = os.environ.get("TEAMS_NOTIFY_STORE_PASSWORD")
    if cert.key_file.is_file():
        key_spki, where = _key_spki(cert.key_file), str(cert.key_file)
    elif store_password:
        key_password = os.environ.get("TEAMS_NOTIFY_KEY_PASSWORD")
        key = jks_private_key(cert.jks, store_password, key_password, cert.jks_alias)
        key_spki, where = _spki(key.public_key()), str(cert.jks)
    else:
        return None
    if key_spki != _spki(crt.public_key()):
        return f"the private key in {where} does not match the certificate {cert.crt}"
    return None


def check_certificate(tenant: TenantConfig, cert: CertificateConfig, now: datetime) -> CheckedCertificate:
    """Raise CheckFailedError (one clear line + fix) if this certificate cannot be deployed."""
    where = f"tenant {tenant.name}, certificate {cert.key!r}"
    crt = load_certificate(cert.crt)
    in_jks = jks_certificate(cert.jks, None, cert.jks_alias)
    prints = Thumbprints.of(crt)
    jks_prints = Thumbprints.of(in_jks)
    if prints.sha1_hex != jks_prints.sha1_hex:
        raise CheckFailedError(
            f"{where}: the certificate for Entra ({cert.crt}, SHA-1 {prints.sha1_hex}) differs from the one "
            f"in the keystore for ServiceNow ({cert.jks}, SHA-1 {jks_prints.sha1_hex})",
            "use the .crt and .jks of the same bundle (teams-notify cert new|import writes both)",
        )
    key_error = _check_key(cert, crt)
    if key_error:
        raise CheckFailedError(f"{where}: {key_error}", "use the key and certificate of the same bundle")
    return CheckedCertificate(cert, prints, tuple(_expiry_findings(tenant, cert, prints, now, where)))


def _expiry_findings(
    tenant: TenantConfig, cert: CertificateConfig, prints: Thumbprints, now: datetime, where: str
) -> list[str]:
    horizon = timedelta(days=tenant.expiry_horizon_days)
    expiry = prints.not_after.strftime("%Y-%m-%dT%H:%M:%SZ")
    if prints.not_after <= now:
        if cert.active:
            raise CheckFailedError(
                f"{where}: the active certificate expired on {expiry}",
                "add a new certificate (teams-notify cert new), mark it active = true and synth again",
            )
        return [f"{where}: expired on {expiry}; remove it from the tenant file to retire it"]
    if prints.not_after - now >= horizon:
        return []
    message = f"{where}: expires on {expiry}, within the {tenant.expiry_horizon_days}-day horizon"
    if cert.active and not _has_successor(tenant, cert, now + horizon):
        raise CheckFailedError(
            message,
            "add a next certificate to the tenant file, deploy, then mark it active "
            "(docs/constructs.md, rotation)",
        )
    return [message]


def _has_successor(tenant: TenantConfig, current: CertificateConfig, valid_until: datetime) -> bool:
    """True when another listed certificate outlives the horizon: a rotation is under way."""
    for cert in tenant.certificates:
        if cert.key != current.key and Thumbprints.of(load_certificate(cert.crt)).not_after > valid_until:
            return True
    return False


def fill_placeholders(stack_json: dict[str, Any], x5t_by_key: dict[str, str]) -> int:
    """Replace every x5t placeholder in string values; returns how many were replaced."""
    count = 0

    def walk(node: Any) -> Any:
        nonlocal count
        if isinstance(node, dict):
            return {k: walk(v) for k, v in node.items()}
        if isinstance(node, list):
            return [walk(v) for v in node]
        if isinstance(node, str) and node.startswith(X5T_PLACEHOLDER_PREFIX):
            key = node.removeprefix(X5T_PLACEHOLDER_PREFIX)
            count += 1
            return x5t_by_key[key]
        return node

    stack_json.update(walk(stack_json))
    return count


def resource_steps(stack: Any, stack_json: dict[str, Any]) -> dict[str, str]:
    """`{<type>.<name>: article step}` for every resource and data source of a synthesized stack,
    in construct-tree order.

    The step comes from the construct path cdktf writes into each block's metadata, matched
    against the paths the stack's steps registered: one Node round trip per resource (its
    name) instead of asking for its type and walking its ancestors through jsii.
    """
    from teams_notify.stacks.compat import TerraformDataSource, TerraformResource
    from teams_notify.stacks.steps import STACK_INPUTS, step_of_path

    blocks = {
        (section, name): (type_, block)
        for section in ("resource", "data")
        for type_, group in stack_json.get(section, {}).items()
        for name, block in group.items()
    }
    steps: dict[str, str] = {}
    for node in stack.node.find_all():
        if isinstance(node, TerraformResource):
            section, prefix = "resource", ""
        elif isinstance(node, TerraformDataSource):
            section, prefix = "data", "data."
        else:
            continue
        name = node.friendly_unique_id
        type_, block = blocks[(section, name)]
        path = block.get("//", {}).get("metadata", {}).get("path")
        steps[f"{prefix}{type_}.{name}"] = step_of_path(path, stack.step_paths) if path else STACK_INPUTS
    return steps


def run_hook(stacks: list[Any], outdir: Path, now: datetime | None = None) -> list[dict[str, Any]]:
    """Check certificates, fill x5t, write summaries (and Teams artifacts) for every stack."""
    moment = now or datetime.now(UTC)
    checked_by_tenant: dict[str, list[CheckedCertificate]] = {}
    summaries = []
    for stack in stacks:
        tenant: TenantConfig = stack.tenant
        if tenant.name not in checked_by_tenant:
            checked_by_tenant[tenant.name] = [
                check_certificate(tenant, c, moment) for c in tenant.certificates
            ]
        checked = checked_by_tenant[tenant.name]
        stack_dir = outdir / "stacks" / stack.stack_name
        summary = _process_stack(stack, stack_dir, tenant, checked)
        _write_teams_artifacts(tenant, stack_dir, summary)
        summaries.append(summary)
    return summaries


def _process_stack(
    stack: Any, stack_dir: Path, tenant: TenantConfig, checked: list[CheckedCertificate]
) -> dict[str, Any]:
    json_path = stack_dir / STACK_JSON
    data = json.loads(json_path.read_text(encoding="utf-8"))
    x5t_by_key = {c.config.key: c.thumbprints.x5t for c in checked}
    if fill_placeholders(data, x5t_by_key):
        json_path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    active = next(c for c in checked if c.config.active)
    summary = {
        "tenant": tenant.name,
        "stack": stack.stack_name,
        "side": stack.side,
        "tenant_config": str(tenant.source) if tenant.source else None,
        "certificate_path": str(active.config.crt),
        "x5t": active.thumbprints.x5t,
        "sha1_hex": active.thumbprints.sha1_hex,
        "not_after": active.thumbprints.to_json()["not_after"],
        "active_certificate": active.config.key,
        "certificates": [c.to_json() for c in checked],
        "warnings": [w for c in checked for w in c.warnings],
        "resources": resource_steps(stack, data),
    }
    workspace = cloud_workspace(tenant, stack.stack_name)
    if workspace:
        summary["terraform_cloud"] = workspace  # tags are applied through the API from here
    (stack_dir / SUMMARY_FILE).write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    return summary


def _write_teams_artifacts(tenant: TenantConfig, stack_dir: Path, summary: dict[str, Any]) -> None:
    """Call site for the Teams artifacts (app package, access-policy script, runbook), if installed."""
    try:
        teams = importlib.import_module("teams_notify.teams")
    except ModuleNotFoundError as err:
        if err.name != "teams_notify.teams":
            raise
        return
    writer = getattr(teams, "write_teams_artifacts", None)
    if writer is not None:
        writer(tenant, stack_dir, summary)


__all__ = ["check_certificate", "fill_placeholders", "run_hook", "x5t_placeholder"]
