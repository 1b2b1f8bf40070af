"""Check 2: the values on the instance are the ones Entra and the tenant file expect.

The x5t claim must be the base64url SHA-1 of the keystore's certificate: the two classic
mistakes, Azure's hex thumbprint and standard Base64 (`+`, `/`, `=`), are named with the right
value to paste. aud must be the tenant's v2 token endpoint, iss = sub = the app's client id,
and the Teams configuration must name the tenant and service user of the tenant file.
"""

from __future__ import annotations

import re

from cryptography import x509

from teams_notify.certs import Thumbprints
from teams_notify.config import TenantConfig
from teams_notify.doctor.cloud_endpoints import Endpoints
from teams_notify.doctor.outcome import Check, failed, first_problem, passed, skipped
from teams_notify.doctor.record_checks import apply_fix
from teams_notify.doctor.snapshot import Snapshot
from teams_notify.entra_endpoints import token_url

_HEX_SEPARATORS = re.compile(r"[\s:]")


def x5t_spelling(value: str, prints: Thumbprints) -> str | None:
    """Which wrong spelling of the right thumbprint `value` is, or None when it is another one."""
    if _HEX_SEPARATORS.sub("", value).upper() == prints.sha1_hex:
        return "the hex thumbprint (as the Azure portal shows it)"
    if value == prints.sha1_base64 or value.rstrip("=") == prints.sha1_base64.rstrip("="):
        return "standard Base64 (with padding, `+` or `/`), not base64url"
    return None


def x5t_claim_check(snap: Snapshot, certificate: x509.Certificate | None, tenant: TenantConfig) -> Check:
    name = "x5t claim"
    claim = snap.claims.get("x5t")
    if claim is None or certificate is None:
        return skipped(name, "no x5t claim or no certificate on the instance to compare with")
    prints = Thumbprints.of(certificate)
    value = claim["value"]
    if value == prints.x5t:
        return passed(name, f"{prints.x5t} = base64url SHA-1 of the keystore's certificate")
    spelling = x5t_spelling(value, prints)
    what = f"holds {spelling}" if spelling else "is not the thumbprint of the keystore's certificate"
    return failed(
        name,
        f"the x5t claim {value!r} {what}; the right value is {prints.x5t}",
        f"set the x5t claim to {prints.x5t}: {apply_fix(tenant)}",
    )


def aud_claim_check(snap: Snapshot, tenant: TenantConfig, endpoints: Endpoints) -> Check:
    name = "aud claim"
    claim = snap.claims.get("aud")
    if claim is None:
        return skipped(name, "the JWT provider has no aud claim")
    expected = token_url(tenant.tenant_id, endpoints.audience_host)
    if claim["value"] == expected:
        return passed(name, f"{expected} (the tenant's v2 token endpoint)")
    return failed(
        name,
        f"aud is {claim['value']!r}, not the tenant's v2 token endpoint {expected} (Entra: AADSTS700023)",
        f"set the aud claim to {expected}: {apply_fix(tenant)}",
    )


def iss_sub_check(snap: Snapshot, tenant: TenantConfig) -> Check:
    name = "iss/sub claims"
    if snap.registry is None or not {"iss", "sub"} <= set(snap.claims):
        return skipped(name, "no app registry or no iss/sub claims to compare")
    client_id = snap.registry["client_id"]
    problems = []
    for claim in ("iss", "sub"):
        value = snap.claims[claim]["value"]
        if value != client_id:
            problems.append(
                (
                    f"{claim} is {value!r}, not the app's client id {client_id} (Entra: AADSTS700021)",
                    f"set the {claim} claim to {client_id}: {apply_fix(tenant)}",
                )
            )
    known = tenant.entra.client_id
    if known and client_id != known:
        problems.append(
            (
                f"the app registry's client id {client_id} is not the tenant file's entra.client_id {known}",
                f"pass the Entra stack's client_id to the ServiceNow stack: {apply_fix(tenant)}",
            )
        )
    return first_problem(name, problems, f"iss = sub = client id {client_id}")


def teams_tenant_check(snap: Snapshot, tenant: TenantConfig) -> Check:
    name = "Teams tenant"
    config = snap.teams_config
    if config is None:
        return skipped(name, "no Teams configuration")
    if config["tenant_id"] == tenant.tenant_id:
        return passed(name, f"the Teams configuration names tenant {tenant.tenant_id}")
    return failed(
        name,
        f"{config.label('tenant_id')} is {config['tenant_id']!r}, the tenant file says {tenant.tenant_id}",
        apply_fix(tenant),
    )


def teams_service_user_check(snap: Snapshot, tenant: TenantConfig) -> Check:
    name = "Teams service user"
    config = snap.teams_config
    if config is None:
        return skipped(name, "no Teams configuration")
    found, known = config["service_user_azure_id"], tenant.entra.service_user_object_id
    if not found:
        return failed(name, f"{config.label('service_user_azure_id')} is empty", apply_fix(tenant))
    if known is None:
        return passed(name, f"{found} (the tenant file names no object id; the Graph check resolves it)")
    if found == known:
        return passed(name, f"{found} = the tenant file's entra.service_user_object_id")
    return failed(
        name,
        f"{config.label('service_user_azure_id')} is {found}, the tenant file says {known}",
        apply_fix(tenant),
    )


def value_checks(
    snap: Snapshot, tenant: TenantConfig, certificate: x509.Certificate | None, endpoints: Endpoints
) -> list[Check]:
    """Check 2."""
    return [
        x5t_claim_check(snap, certificate, tenant),
        aud_claim_check(snap, tenant, endpoints),
        iss_sub_check(snap, tenant),
        teams_tenant_check(snap, tenant),
        teams_service_user_check(snap, tenant),
    ]
