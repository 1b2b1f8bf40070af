"""Entra ID endpoint URLs of a tenant, in one place for the stacks and the doctor.

The stacks write them into ServiceNow records (the JWT `aud` claim, the app registry's token
URL, the OIDC metadata URL); the doctor checks those records against the same functions.
Kept free of CDK imports so the doctor and the CLI load fast.
"""

from __future__ import annotations

# The public cloud. Sovereign clouds use another host (e.g. https://login.microsoftonline.us).
DEFAULT_AUTHORITY_HOST = "https://login.microsoftonline.com"


def token_url(tenant_id: str, host: str = DEFAULT_AUTHORITY_HOST) -> str:
    """The v2 token endpoint of the tenant: the `aud` claim and the registry's token URL."""
    return f"{host.rstrip('/')}/{tenant_id}/oauth2/v2.0/token"


def metadata_url(tenant_id: str, host: str = DEFAULT_AUTHORITY_HOST) -> str:
    """The tenant's v2 OpenID discovery document."""
    return f"{host.rstrip('/')}/{tenant_id}/v2.0/.well-known/openid-configuration"
