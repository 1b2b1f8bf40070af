"""Routing for the local Entra: OpenID discovery, signing keys, the v2 token endpoint (authority
side) and the users API (Graph side), all on one HTTPS server."""

from __future__ import annotations

import time
from collections.abc import Callable
from urllib.parse import parse_qsl, unquote

from teams_notify.sandbox.api import Request, Response, json_response
from teams_notify.sandbox.entra import aadsts
from teams_notify.sandbox.entra.access_tokens import TokenIssuer, resource_for_scope
from teams_notify.sandbox.entra.client_assertion import (
    AssertionPolicy,
    ReplayCache,
    authenticate_client,
    registered_certificate,
)
from teams_notify.sandbox.entra.directory import EntraState, TenantState
from teams_notify.sandbox.entra.graph_users import USERS_PREFIX, get_user, graph_error
from teams_notify.sandbox.entra.replication import Replication, role_key

PUBLIC_AUTHORITY = "https://login.microsoftonline.com"
NO_STORE = {"Cache-Control": "no-store, no-cache", "Pragma": "no-cache"}


def _discovery(authority: str, tenant_id: str) -> dict[str, object]:
    """Entra's v2.0 OpenID configuration for a tenant, with every URL on this server."""
    base = f"{authority}/{tenant_id}"
    return {
        "token_endpoint": f"{base}/oauth2/v2.0/token",
        "token_endpoint_auth_methods_supported": [
            "client_secret_post",
            "private_key_jwt",
            "client_secret_basic",
        ],
        "jwks_uri": f"{authority}/{tenant_id}/discovery/v2.0/keys",
        "response_modes_supported": ["query", "fragment", "form_post"],
        "subject_types_supported": ["pairwise"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
        "scopes_supported": ["openid", "profile", "email", "offline_access"],
        "issuer": f"{base}/v2.0",
        "request_uri_parameter_supported": False,
        "userinfo_endpoint": f"{authority}/oidc/userinfo",
        "authorization_endpoint": f"{base}/oauth2/v2.0/authorize",
        "device_authorization_endpoint": f"{base}/oauth2/v2.0/devicecode",
        "http_logout_supported": True,
        "frontchannel_logout_supported": True,
        "end_session_endpoint": f"{base}/oauth2/v2.0/logout",
        "claims_supported": ["sub", "iss", "aud", "exp", "iat", "nonce", "tid", "ver", "oid"],
        "tenant_region_scope": None,
        "cloud_instance_name": "microsoftonline.com",
        "cloud_graph_host_name": "graph.windows.net",
        "msgraph_host": authority.removeprefix("https://"),
        "rbac_url": "https://pas.windows.net",
    }


class EntraApi:
    """Answers one request; `state` is read per request so a reload takes effect at once."""

    def __init__(
        self,
        state: Callable[[], EntraState],
        issuer: TokenIssuer,
        authorities: Callable[[], tuple[str, ...]],
    ) -> None:
        self._state = state
        self.issuer = issuer
        self._authorities = authorities  # this server's base URLs (127.0.0.1, localhost, ...)
        self.replication = Replication()
        self.replay = ReplayCache()

    def observe(self, state: EntraState) -> None:
        """Start the replication clock of every certificate and role grant in `state` not seen before."""
        now = time.time()
        for tenant_id, tenant in state.tenants.items():
            for app in tenant.apps:
                self.replication.see((registered_certificate(pem).sha1 for pem in app.certificates), now)
                self.replication.see((role_key(tenant_id, app.client_id, r) for r in app.granted_roles), now)

    def handle(self, req: Request, authority: str) -> Response:
        """`authority`: the base URL the client used (it appears in discovery and error links)."""
        if req.path.startswith(USERS_PREFIX) and req.method == "GET":
            user_key = unquote(req.path[len(USERS_PREFIX) :])
            return get_user(self._state(), self.issuer, req.headers.get("Authorization", ""), user_key)
        parts = [unquote(p) for p in req.path.split("/") if p]
        route = (req.method, tuple(parts[1:]))
        try:
            if route == ("GET", ("v2.0", ".well-known", "openid-configuration")):
                return json_response(200, _discovery(authority, self._tenant(parts[0])[0]))
            if route == ("GET", ("discovery", "v2.0", "keys")):
                self._tenant(parts[0])
                return json_response(200, self.issuer.jwks())
            if route == ("POST", ("oauth2", "v2.0", "token")):
                return self._token(req, parts[0])
        except aadsts.AadstsError as err:
            return json_response(err.status, err.body(authority), NO_STORE)
        if parts[:1] == ["v1.0"]:
            return graph_error(
                400, "BadRequest", f"Resource not found for the segment '{'/'.join(parts[1:2])}'."
            )
        return json_response(
            404, {"error": "not_found", "error_description": f"no such endpoint: {req.path}"}
        )

    def _tenant(self, key: str) -> tuple[str, TenantState]:
        found = self._state().tenant(key)
        if found is None:
            raise aadsts.AadstsError(
                aadsts.TENANT_NOT_FOUND,
                f"Tenant '{key}' not found. Check to make sure you have the correct tenant ID and are "
                "signing into the correct cloud. Check with your subscription administrator, this may "
                "happen if there are no active subscriptions for the tenant.",
            )
        return found

    def _token(self, req: Request, tenant_key: str) -> Response:
        state = self._state()
        tenant_id, tenant = self._tenant(tenant_key)
        form = dict(parse_qsl(req.body.decode("utf-8", "replace"), keep_blank_values=True))
        if form.get("grant_type") != "client_credentials":
            raise aadsts.AadstsError(
                aadsts.UNSUPPORTED_GRANT,
                f"The provided request must include a 'grant_type' input parameter the local Entra "
                f"supports: only client_credentials (got '{form.get('grant_type', '')}').",
            )
        names = {tenant_id.lower(), *(d.lower() for d in tenant.domains)}
        bases = (*self._authorities(), PUBLIC_AUTHORITY)
        audiences = frozenset(f"{base}/{name}/oauth2/v2.0/token".lower() for base in bases for name in names)
        policy = AssertionPolicy(
            tenant_id,
            audiences,
            state.replication_delay_seconds,
            state.accept_standard_base64_x5t,
            self.replication,
            self.replay if state.reject_replayed_jti else None,
        )
        resource = resource_for_scope(form.get("scope", ""))  # before the assertion's jti is spent
        app = authenticate_client(form, tenant, policy)
        now = time.time()
        roles = [
            role
            for role in app.granted_roles
            if self.replication.ready(role_key(tenant_id, app.client_id, role), policy.replication_delay, now)
        ]
        return json_response(200, self.issuer.issue(tenant_id, app, resource, roles), NO_STORE)
