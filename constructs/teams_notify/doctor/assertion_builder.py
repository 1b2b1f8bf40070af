"""Check 3: the client assertion, built the way ServiceNow builds it for a JWT provider.

Header: `typ` JWT, `alg` RS256, `x5t` (base64url SHA-1 of the keystore's certificate) when the
JWT key's x5t flag is on, `kid` only when the key has a Key ID. Claims: every claim row of the
provider (aud, iss, sub, and custom ones such as x5t) plus `jti`, `iat` and `exp` = iat + the
provider's expiry interval; ServiceNow adds no `nbf` (DESIGN.md, "How ServiceNow builds a JWT").
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any

import jwt
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey

from teams_notify.certs import Thumbprints
from teams_notify.doctor.outcome import Check, passed, skipped
from teams_notify.doctor.snapshot import Snapshot

TRUE = "true"


@dataclass(frozen=True)
class AssertionRecipe:
    """Everything the instance's records say about the assertion; `build` makes a fresh one."""

    header: dict[str, str]
    claims: dict[str, str]
    expiry_seconds: int
    key: RSAPrivateKey
    client_id: str  # what ServiceNow sends as client_id: the app registry's, not the iss claim

    def build(self, now: float) -> str:
        issued = int(now)
        payload: dict[str, Any] = {
            **self.claims,
            "jti": str(uuid.uuid4()),
            "iat": issued,
            "exp": issued + self.expiry_seconds,
        }
        return jwt.encode(payload, self.key, algorithm="RS256", headers=self.header)


def servicenow_header(include_x5t: bool, kid: str, certificate: x509.Certificate) -> dict[str, str]:
    header = {"typ": "JWT", "alg": "RS256"}
    if include_x5t:
        header["x5t"] = Thumbprints.of(certificate).x5t
    if kid:
        header["kid"] = kid
    return header


def recipe_from(snap: Snapshot, certificate: x509.Certificate, key: RSAPrivateKey) -> AssertionRecipe | None:
    """The recipe, or None when a record it needs is missing (the record checks say which)."""
    if snap.registry is None or snap.provider is None or snap.jwt_key is None:
        return None
    if not snap.provider["expiry_interval"].isdigit():
        return None
    header = servicenow_header(snap.jwt_key["include_x5t"] == TRUE, snap.jwt_key["kid"], certificate)
    claims = {name: row["value"] for name, row in snap.claims.items() if name}
    expiry = int(snap.provider["expiry_interval"])
    return AssertionRecipe(header, claims, expiry, key, snap.registry["client_id"])


def assertion_check(recipe: AssertionRecipe | None, why_not: str) -> Check:
    name = "assertion"
    if recipe is None:
        return skipped(name, f"not built: {why_not}")
    names = ", ".join([*recipe.claims, "jti", "iat", "exp"])
    return passed(
        name,
        f"header {json.dumps(recipe.header, separators=(',', ':'))}; claims {names} "
        f"(exp = iat + {recipe.expiry_seconds} s); signed RS256",
    )
