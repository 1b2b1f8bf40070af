"""Access tokens the local Entra issues (RS256 JWTs signed with its own key, v1.0 app-only claims
as Entra issues them for Microsoft Graph) and their verification by the local Graph."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from teams_notify.sandbox.entra import aadsts, jws
from teams_notify.sandbox.entra.directory import EntraApp

# Microsoft Graph's app id (a duplicate of teams_notify.graph.GRAPH_APP_ID: the
# sandbox imports nothing from the product, so that it tests the product and not itself).
GRAPH_APP_ID = "00000003-0000-0000-c000-000000000000"
GRAPH_RESOURCE = "https://graph.microsoft.com"
DEFAULT_SUFFIX = "/.default"


class InvalidTokenError(ValueError):
    """A bearer token the local Graph does not accept; the message is Graph's."""


def resource_for_scope(scope: str) -> str:
    """The resource of a client-credentials scope (`<resource>/.default`), or the AADSTS error."""
    if not scope.endswith(DEFAULT_SUFFIX) or " " in scope.strip():
        raise aadsts.AadstsError(
            aadsts.BAD_SCOPE,
            f"The provided value for scope {scope} is not valid. Client credential flows must have a "
            "scope value with /.default suffixed to the resource identifier (application ID URI).",
        )
    resource = scope.strip()[: -len(DEFAULT_SUFFIX)].rstrip("/")
    if resource.lower() not in (GRAPH_RESOURCE, GRAPH_APP_ID):
        raise aadsts.AadstsError(
            aadsts.UNKNOWN_RESOURCE,
            f"The resource principal named {resource} was not found in the tenant. The local Entra "
            f"knows only Microsoft Graph ({GRAPH_RESOURCE}).",
        )
    return resource


def service_principal_id(tenant_id: str, client_id: str) -> str:
    """A stable object id for the app's service principal in a tenant."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"teams-notify-entra:{tenant_id}:{client_id}"))


@dataclass(frozen=True)
class TokenIssuer:
    key: rsa.RSAPrivateKey
    lifetime_seconds: int = 3599

    @property
    def kid(self) -> str:
        der = self.key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        digest = hashes.Hash(hashes.SHA256())
        digest.update(der)
        return jws.b64url_encode(digest.finalize()[:20])

    def jwks(self) -> dict[str, Any]:
        numbers = self.key.public_key().public_numbers()

        def b64int(value: int) -> str:
            return jws.b64url_encode(value.to_bytes((value.bit_length() + 7) // 8, "big"))

        key = {"kty": "RSA", "use": "sig", "kid": self.kid, "n": b64int(numbers.n), "e": b64int(numbers.e)}
        return {"keys": [key]}

    def issue(self, tenant_id: str, app: EntraApp, resource: str, roles: list[str]) -> dict[str, Any]:
        """The token response body for `app` calling `resource` with the (replicated) `roles`."""
        now = int(time.time())
        issuer = f"https://sts.windows.net/{tenant_id}/"
        oid = service_principal_id(tenant_id, app.client_id)
        claims: dict[str, Any] = {
            "aud": resource,
            "iss": issuer,
            "iat": now,
            "nbf": now,
            "exp": now + self.lifetime_seconds,
            "app_displayname": app.display_name,
            "appid": app.client_id,
            "appidacr": "2",  # 2 = the client authenticated with a certificate
            "idp": issuer,
            "idtyp": "app",
            "oid": oid,
            "sub": oid,
            "tid": tenant_id,
            "uti": jws.b64url_encode(uuid.uuid4().bytes),
            "ver": "1.0",
        }
        if roles:  # Entra leaves the claim out when nothing is granted
            claims["roles"] = list(roles)
        token = jws.sign({"alg": "RS256", "kid": self.kid, "x5t": self.kid}, claims, self.key)
        return {
            "token_type": "Bearer",
            "expires_in": self.lifetime_seconds,
            "ext_expires_in": self.lifetime_seconds,
            "access_token": token,
        }

    def verify(self, token: str, audiences: tuple[str, ...]) -> dict[str, Any]:
        """The claims of a token this issuer signed for one of `audiences`, still valid."""
        try:
            parsed = jws.parse(token)
        except jws.MalformedTokenError as err:
            raise InvalidTokenError(f"IDX14100: JWT is not well formed: {err}") from None
        if parsed.header.get("alg") != "RS256" or not jws.verify(parsed, self.key.public_key()):
            raise InvalidTokenError("Access token validation failure. Invalid signature.")
        if str(parsed.claims.get("aud", "")).lower() not in audiences:
            raise InvalidTokenError("Access token validation failure. Invalid audience.")
        exp = parsed.claims.get("exp")
        if not isinstance(exp, int | float) or exp < time.time():
            raise InvalidTokenError("Lifetime validation failed, the token is expired.")
        return parsed.claims
