"""Check 4: exchange the assertion for a Graph token with `msal`, as a client of Entra would.

`ConfidentialClientApplication` with the assertion as its client credential, authority
`<authority host>/<tenant>`, no instance discovery for a host other than the public cloud's
(a sovereign cloud or a local stand-in), scope `https://graph.microsoft.com/.default`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from teams_notify.doctor.cloud_endpoints import Endpoints
from teams_notify.entra_endpoints import metadata_url


@dataclass(frozen=True)
class TokenAnswer:
    """Entra's answer: an access token, or an error with its AADSTS code(s)."""

    access_token: str | None = None
    expires_in: int = 0
    error: str = ""
    description: str = ""
    codes: tuple[int, ...] = ()

    @property
    def code(self) -> int | None:
        return self.codes[0] if self.codes else None


def _answer(result: dict[str, Any]) -> TokenAnswer:
    if "access_token" in result:
        return TokenAnswer(
            access_token=str(result["access_token"]), expires_in=int(result.get("expires_in", 0))
        )
    codes = tuple(int(c) for c in result.get("error_codes") or [] if str(c).isdigit())
    return TokenAnswer(
        error=str(result.get("error", "")), description=str(result.get("error_description", "")), codes=codes
    )


class EntraUnreachable(Exception):
    """No answer from the authority host (connection, TLS or an unreadable discovery document)."""


_AADSTS = re.compile(r"AADSTS(\d+)")


def exchange(
    assertion: Callable[[], str], tenant_id: str, client_id: str, endpoints: Endpoints
) -> TokenAnswer:
    """One token request, with a fresh msal application (and so a fresh discovery) each time;
    `assertion` makes a new client assertion whenever msal needs one."""
    import msal
    import requests

    try:
        app = msal.ConfidentialClientApplication(
            client_id,
            client_credential={"client_assertion": assertion},
            authority=endpoints.authority(tenant_id),
            instance_discovery=endpoints.is_default_cloud,
            http_client=endpoints.requests_session(),
            token_cache=msal.TokenCache(),
        )
        result = app.acquire_token_for_client(scopes=[endpoints.scope])
    except requests.RequestException as err:
        raise EntraUnreachable(f"{type(err).__name__}: {err}") from err
    except ValueError as err:
        # msal raises ValueError when the tenant's discovery document is refused (e.g. an
        # unknown tenant, AADSTS90002) and drops Entra's answer: ask for it again to keep the code.
        refused = _discovery_error(endpoints, tenant_id)
        if refused is None:
            raise EntraUnreachable(str(err)) from err
        return refused
    return _answer(result)


def _discovery_error(endpoints: Endpoints, tenant_id: str) -> TokenAnswer | None:
    """Entra's error answer for the tenant's OpenID discovery document, if it is one."""
    import requests

    url = metadata_url(tenant_id, endpoints.authority_host)
    try:
        body = endpoints.requests_session().get(url, timeout=30).json()
    except (requests.RequestException, ValueError):
        return None
    if not isinstance(body, dict) or "error" not in body:
        return None
    answer = _answer(body)
    if not answer.codes:
        codes = tuple(int(c) for c in _AADSTS.findall(answer.description))
        answer = TokenAnswer(error=answer.error, description=answer.description, codes=codes[:1])
    return answer
