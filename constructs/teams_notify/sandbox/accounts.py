"""Who is calling: basic auth for the built-in users, and OAuth bearer tokens from `/oauth_token.do`.

The accounts are fixed, well-known demo credentials (printed by `teams-notify sandbox`); they
protect nothing. Tokens are random, stored only as SHA-256 hashes, and survive a restart.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import secrets
import time
from dataclasses import dataclass
from urllib.parse import parse_qs

from teams_notify.sandbox.store import Store


@dataclass(frozen=True)
class User:
    name: str
    password: str
    can_write: bool


USERS: dict[str, User] = {
    "admin": User("admin", "admin", can_write=True),
    "readonly": User("readonly", "readonly", can_write=False),
    # A password that is not also the user name, so a test can prove it never shows up in a log.
    "integration": User("integration", "Integration-Pa55-sandbox", can_write=True),
}
OAUTH_CLIENT_ID = "sandbox-client"
OAUTH_CLIENT_SECRET = "sandbox-secret"


class OAuthError(Exception):
    """A token request we refuse: HTTP status plus the OAuth `error` code and description."""

    def __init__(self, status: int, error: str, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.error = error
        self.description = description


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _basic_credentials(header: str) -> tuple[str, str] | None:
    if not header.lower().startswith("basic "):
        return None
    try:
        name, _, password = base64.b64decode(header[6:].strip()).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return name, password


def _check_password(name: str, password: str) -> User | None:
    user = USERS.get(name)
    if user is None or not secrets.compare_digest(user.password, password):
        return None
    return user


class Auth:
    """Authenticates requests and issues tokens; tokens live in the store."""

    def __init__(self, store: Store, token_lifetime_seconds: int) -> None:
        self._store = store
        self.token_lifetime_seconds = token_lifetime_seconds

    def user_for(self, authorization: str) -> User | None:
        """The user an `Authorization` header authenticates, or None."""
        if authorization.lower().startswith("bearer "):
            name = self._store.token_user(_hash(authorization[7:].strip()), time.time())
            return USERS.get(name or "")
        credentials = _basic_credentials(authorization)
        return _check_password(*credentials) if credentials else None

    def expire_tokens(self) -> None:
        self._store.clear_tokens()

    def token_response(self, form_body: bytes, authorization: str) -> dict[str, object]:
        """Handle a form-encoded `/oauth_token.do` request; raises OAuthError on refusal."""
        form = {key: values[0] for key, values in parse_qs(form_body.decode("utf-8", "replace")).items()}
        client_id, client_secret = form.get("client_id", ""), form.get("client_secret", "")
        if not client_id and (credentials := _basic_credentials(authorization)):
            client_id, client_secret = credentials
        if client_id != OAUTH_CLIENT_ID or not secrets.compare_digest(client_secret, OAUTH_CLIENT_SECRET):
            raise OAuthError(401, "access_denied", "invalid client_id or client_secret")
        grant_type = form.get("grant_type", "")
        if grant_type == "client_credentials":
            user = USERS["admin"]
        elif grant_type == "password":
            found = _check_password(form.get("username", ""), form.get("password", ""))
            if found is None:
                raise OAuthError(401, "access_denied", "invalid username or password")
            user = found
        else:
            raise OAuthError(400, "unsupported_grant_type", f"grant_type {grant_type!r} is not supported")
        token = secrets.token_urlsafe(32)
        self._store.add_token(_hash(token), user.name, time.time() + self.token_lifetime_seconds)
        return {
            "access_token": token,
            "token_type": "Bearer",
            "expires_in": self.token_lifetime_seconds,
            "scope": "useraccount",
        }
