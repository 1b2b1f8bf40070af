"""The local Microsoft Graph: `GET /v1.0/users/{id | userPrincipalName}`, app-only tokens."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from teams_notify.sandbox.api import Response, json_response
from teams_notify.sandbox.entra.access_tokens import (
    GRAPH_APP_ID,
    GRAPH_RESOURCE,
    InvalidTokenError,
    TokenIssuer,
)
from teams_notify.sandbox.entra.directory import EntraState

USERS_PREFIX = "/v1.0/users/"
# Application permissions that let an app read a user (Graph "Get user", least to most privileged).
READ_USER_ROLES = frozenset(
    {
        "User.ReadBasic.All",
        "User.Read.All",
        "User.ReadWrite.All",
        "Directory.Read.All",
        "Directory.ReadWrite.All",
    }
)


def graph_error(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> Response:
    """Graph's error body: {"error": {"code", "message", "innerError": {date, request-id, ...}}}."""
    request_id = str(uuid.uuid4())
    inner = {
        "date": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S"),
        "request-id": request_id,
        "client-request-id": request_id,
    }
    return json_response(status, {"error": {"code": code, "message": message, "innerError": inner}}, headers)


def get_user(state: EntraState, issuer: TokenIssuer, authorization: str, user_key: str) -> Response:
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return graph_error(
            401,
            "InvalidAuthenticationToken",
            "Access token is empty.",
            {"WWW-Authenticate": 'Bearer realm="", authorization_uri="", client_id=""'},
        )
    try:
        claims = issuer.verify(token.strip(), (GRAPH_RESOURCE, GRAPH_APP_ID))
    except InvalidTokenError as err:
        return graph_error(401, "InvalidAuthenticationToken", str(err))
    found = state.tenant(str(claims.get("tid", "")))
    if found is None:
        return graph_error(
            401, "InvalidAuthenticationToken", "Access token validation failure. Invalid tenant."
        )
    if not READ_USER_ROLES & set(claims.get("roles") or []):
        return graph_error(
            403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation."
        )
    user = found[1].user(user_key)
    if user is None:
        return graph_error(
            404,
            "Request_ResourceNotFound",
            f"Resource '{user_key}' does not exist or one of its queried reference-property objects "
            "are not present.",
        )
    return json_response(
        200,
        {
            "@odata.context": f"{GRAPH_RESOURCE}/v1.0/$metadata#users/$entity",
            "id": user.id,
            "userPrincipalName": user.user_principal_name,
            "displayName": user.display_name,
        },
    )
