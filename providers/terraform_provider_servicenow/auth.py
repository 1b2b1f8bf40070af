"""Credentials for the Table API: basic auth, a static bearer token, or OAuth via /oauth_token.do.

An OAuth token is fetched once, shared by every thread, refreshed shortly before it expires or
when ServiceNow answers 401, and never requested per call. One lock guards the refresh so ten
parallel Terraform operations that all see a 401 cause one token request, not ten.
"""

from __future__ import annotations

import base64
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from terraform_provider_servicenow.exceptions import AuthenticationError, ServiceNowError

# Refresh this long before the instance says the token expires, so a token never dies in flight.
EXPIRY_MARGIN_SECONDS = 30.0


@dataclass(frozen=True)
class Credentials:
    """What the provider block (or environment) supplied. `kind` is decided by `choose_kind`."""

    kind: str  # "basic" | "bearer" | "oauth_client_credentials" | "oauth_password"
    username: str = ""
    password: str = ""
    client_id: str = ""
    client_secret: str = ""
    token: str = ""

    def __repr__(self) -> str:  # never let a secret reach a log line through repr()
        return f"Credentials(kind={self.kind!r}, username={self.username!r}, client_id={self.client_id!r})"


def choose_kind(username: str, password: str, client_id: str, client_secret: str, token: str) -> str:
    """Pick the auth kind from what is set: token > OAuth (password grant if a user is set) > basic."""
    if token:
        return "bearer"
    if client_id or client_secret:
        if not (client_id and client_secret):
            raise ServiceNowError(
                "OAuth needs both client_id and client_secret",
                "Set both (or SERVICENOW_CLIENT_ID and SERVICENOW_CLIENT_SECRET), or neither for basic auth.",
            )
        if username or password:
            if not (username and password):
                raise ServiceNowError(
                    "the OAuth password grant needs both username and password",
                    "Set both, or neither to use the client credentials grant.",
                )
            return "oauth_password"
        return "oauth_client_credentials"
    if username and password:
        return "basic"
    raise ServiceNowError(
        "no ServiceNow credentials configured",
        "Set username+password (basic auth), client_id+client_secret (OAuth), or token, in the provider "
        "block or as SERVICENOW_USERNAME/SERVICENOW_PASSWORD, SERVICENOW_CLIENT_ID/SERVICENOW_CLIENT_SECRET "
        "or SERVICENOW_TOKEN.",
    )


DESCRIPTIONS = {
    "basic": "basic-auth username/password",
    "bearer": "bearer token",
    "oauth_client_credentials": "OAuth access token (client credentials grant)",
    "oauth_password": "OAuth access token (password grant)",
}


class Auth(Protocol):
    """Supplies the Authorization header and reacts to a 401."""

    description: str

    def header(self) -> str:
        """The Authorization header value to send now."""
        ...

    def invalidate(self, used: str) -> bool:
        """Called on a 401 with the header that was used; True when a retry may succeed."""
        ...


class StaticAuth:
    """Basic auth or a fixed bearer token: nothing to refresh, a 401 is final."""

    def __init__(self, header: str, description: str) -> None:
        self._header = header
        self.description = description

    def header(self) -> str:
        return self._header

    def invalidate(self, used: str) -> bool:
        return False


# post_form(path, form) -> (status, json body or None); provided by the client so token
# requests share its connection pool, timeout and retry policy.
PostForm = Callable[[str, dict[str, str]], tuple[int, Any]]


class OAuthTokenAuth:
    """A cached OAuth access token from /oauth_token.do, refreshed under a lock."""

    def __init__(self, credentials: Credentials, post_form: PostForm) -> None:
        self._credentials = credentials
        self._post_form = post_form
        self._lock = threading.Lock()
        self._token = ""
        self._expires_at = 0.0
        self.description = DESCRIPTIONS[credentials.kind]
        self.requests_made = 0  # how many times a token was fetched (tests and logs)

    def header(self) -> str:
        with self._lock:
            if not self._token or time.monotonic() >= self._expires_at:
                self._fetch()
            return f"Bearer {self._token}"

    def invalidate(self, used: str) -> bool:
        with self._lock:
            # Only the first thread to see the 401 drops the token; the others already
            # hold (or will fetch) the fresh one.
            if used == f"Bearer {self._token}":
                self._token = ""
        return True

    def _fetch(self) -> None:
        status, body = self._post_form("/oauth_token.do", self._form())
        self.requests_made += 1
        if status in (400, 401) or not isinstance(body, dict) or "access_token" not in body:
            raise AuthenticationError(
                f"ServiceNow refused to issue an OAuth token (HTTP {status})",
                self._rejected_fix(body),
            )
        lifetime = float(body.get("expires_in") or 1800)
        self._token = str(body["access_token"])
        self._expires_at = time.monotonic() + max(lifetime - EXPIRY_MARGIN_SECONDS, lifetime / 2)

    def _form(self) -> dict[str, str]:
        creds = self._credentials
        form = {"client_id": creds.client_id, "client_secret": creds.client_secret}
        if creds.kind == "oauth_password":
            form |= {"grant_type": "password", "username": creds.username, "password": creds.password}
        else:
            form["grant_type"] = "client_credentials"
        return form

    def _rejected_fix(self, body: Any) -> str:
        said = ""
        if isinstance(body, dict) and (body.get("error_description") or body.get("error")):
            said = f" ServiceNow said: {body.get('error_description') or body.get('error')}."
        which = "client_id/client_secret"
        if self._credentials.kind == "oauth_password":
            which += " or the username/password of the password grant"
        return (
            f"Check {which} (an Application Registry entry of type OAuth API endpoint for external "
            f"clients must exist and be active).{said}"
        )


def basic_header(username: str, password: str) -> str:
    """The Authorization header for basic auth."""
    raw = f"{username}:{password}".encode()
    return "Basic " + base64.b64encode(raw).decode()


def make_auth(credentials: Credentials, post_form: PostForm) -> Auth:
    """The Auth for a set of credentials."""
    if credentials.kind == "basic":
        return StaticAuth(basic_header(credentials.username, credentials.password), DESCRIPTIONS["basic"])
    if credentials.kind == "bearer":
        return StaticAuth(f"Bearer {credentials.token}", DESCRIPTIONS["bearer"])
    return OAuthTokenAuth(credentials, post_form)
