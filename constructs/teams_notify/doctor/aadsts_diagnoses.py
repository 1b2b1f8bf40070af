"""What an AADSTS code from Entra's token endpoint means for this setup, and what to do.

Codes from Microsoft's Entra error-code reference; match on the code (the texts change).
"""

from __future__ import annotations

from dataclasses import dataclass

from teams_notify.config import TenantConfig
from teams_notify.entra_endpoints import token_url

# A new app, certificate credential or role grant can take minutes to reach every Entra
# replica (DESIGN pitfall 7): these answers are worth retrying for a while right after a deploy.
REPLICATION_CODES = frozenset({700016, 700027})


@dataclass(frozen=True)
class Diagnosis:
    cause: str
    fix: str


def diagnose(
    code: int | None, description: str, tenant: TenantConfig, client_id: str, aud_host: str
) -> Diagnosis:
    """The diagnosis for one Entra error answer."""
    said = description.splitlines()[0] if description else "no description"
    entra = (
        f"run `terraform apply` in the {tenant.entra_stack} stack (or `cdktf deploy {tenant.entra_stack}`)"
    )
    servicenow = f"run `terraform apply` in the {tenant.servicenow_stack} stack"
    known = {
        700027: Diagnosis(
            "AADSTS700027: Entra has no registered certificate matching the assertion's x5t/kid, or the "
            "signature does not verify with it (certificate not registered on the app, or another key)",
            f"register the active certificate's .crt on app {client_id}: {entra}",
        ),
        700023: Diagnosis(
            "AADSTS700023: the assertion's aud is not this tenant's token endpoint",
            f"set the aud claim to {token_url(tenant.tenant_id, aud_host)}: {servicenow}",
        ),
        700021: Diagnosis(
            "AADSTS700021: the assertion's iss/sub is not the app's client id",
            f"set iss and sub to the app's client id: {servicenow}",
        ),
        700024: Diagnosis(
            "AADSTS700024: the assertion is outside its valid time range (clock skew, or exp too far out)",
            "check the instance's clock and the JWT provider's expiry interval (60-600 s)",
        ),
        50027: Diagnosis(
            "AADSTS50027: Entra could not read the assertion (malformed JWT)",
            "check the JWT key (RS256) and that the claim values are plain strings",
        ),
        7000215: Diagnosis(
            "AADSTS7000215: a client secret was sent instead of a client assertion",
            f"set Send Credentials to private-key JWT on the app registry and clear its secret: {servicenow}",
        ),
        700016: Diagnosis(
            f"AADSTS700016: no app with client id {client_id} in tenant {tenant.tenant_id}",
            "use the Entra stack's client_id in the registry and iss/sub, and make sure the app "
            f"exists: {entra}",
        ),
        90002: Diagnosis(
            f"AADSTS90002: Entra does not know tenant {tenant.tenant_id}",
            f"check tenant_id in {tenant.source} and on the Teams configuration",
        ),
    }
    if code in known:
        return known[code]
    return Diagnosis(
        f"Entra refused the assertion: {said}", "look the AADSTS code up in Entra's error reference"
    )
