"""Compact JWS (JWT) encoding, signing and verification with `cryptography`: RS256 and PS256.

Only what the local Entra needs: split and decode a token without trusting it, verify its
signature with a certificate's public key, and sign the access tokens it issues.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.asymmetric.types import PublicKeyTypes

ALGORITHMS = ("RS256", "PS256")


class MalformedTokenError(ValueError):
    """The text is not a compact JWS with JSON header and claims."""


def b64url_encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str, *, standard_alphabet: bool = False) -> bytes:
    """Base64url, padding optional; raises ValueError on bad characters or length (and on `+`
    or `/`, the standard alphabet, unless `standard_alphabet`)."""
    if not standard_alphabet and any(c in text for c in "+/"):
        raise ValueError("not base64url ('+' or '/' is standard Base64)")
    text = text.rstrip("=").replace("+", "-").replace("/", "_")
    try:
        return base64.b64decode(text + "=" * (-len(text) % 4), altchars=b"-_", validate=True)
    except (binascii.Error, ValueError) as err:
        raise ValueError(str(err)) from None


@dataclass(frozen=True)
class Jws:
    header: dict[str, Any]
    claims: dict[str, Any]
    signing_input: bytes
    signature: bytes


def parse(token: str) -> Jws:
    """Decode header and claims without checking the signature."""
    parts = token.split(".")
    if len(parts) != 3:
        raise MalformedTokenError(f"a JWT has 3 dot-separated parts, this one has {len(parts)}")
    try:
        header = json.loads(b64url_decode(parts[0]))
        claims = json.loads(b64url_decode(parts[1]))
        signature = b64url_decode(parts[2])
    except ValueError as err:  # bad base64url, bad UTF-8 or bad JSON
        raise MalformedTokenError(f"a JWT part is not base64url-encoded JSON: {err}") from None
    if not isinstance(header, dict) or not isinstance(claims, dict):
        raise MalformedTokenError("the JWT header and claims must be JSON objects")
    return Jws(header, claims, f"{parts[0]}.{parts[1]}".encode("ascii"), signature)


def _padding(alg: str) -> padding.AsymmetricPadding:
    if alg == "PS256":
        return padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=hashes.SHA256.digest_size)
    return padding.PKCS1v15()


def verify(jws: Jws, key: PublicKeyTypes) -> bool:
    """True when the signature matches under the header's alg (RS256 or PS256) and an RSA key."""
    alg = jws.header.get("alg")
    if alg not in ALGORITHMS or not isinstance(key, rsa.RSAPublicKey):
        return False
    try:
        key.verify(jws.signature, jws.signing_input, _padding(alg), hashes.SHA256())
    except InvalidSignature:
        return False
    return True


def sign(header: dict[str, Any], claims: dict[str, Any], key: rsa.RSAPrivateKey) -> str:
    """A compact JWS signed with `header["alg"]` (RS256 unless given)."""
    header = {"typ": "JWT", "alg": "RS256", **header}
    signing_input = ".".join(
        b64url_encode(json.dumps(part, separators=(",", ":")).encode()) for part in (header, claims)
    )
    signature = key.sign(signing_input.encode("ascii"), _padding(header["alg"]), hashes.SHA256())
    return f"{signing_input}.{b64url_encode(signature)}"
