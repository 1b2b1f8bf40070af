"""Certificate thumbprints in every encoding Entra, Azure and ServiceNow use.

Entra's `x5t` JWT header is the base64url (no padding) of the SHA-1 of the certificate's
DER bytes. Azure's portal shows the same SHA-1 as upper-case hex; ServiceNow's own helper
produces standard Base64. They are one digest in three spellings, so everything here
starts from the digest bytes and never from someone's text rendering of them.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from datetime import datetime

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.serialization import Encoding

from teams_notify.errors import BadInputError

SHA1_LENGTH = 20
SHA256_LENGTH = 32

# Azure shows "3AF2..." (some tools "3a f2 ..."), openssl prints "sha1 Fingerprint=3A:F2:...".
_OPENSSL_PREFIX = re.compile(r"^\s*sha-?(1|256)\s+fingerprint\s*=", re.IGNORECASE)
_HEX_SEPARATORS = re.compile(r"[\s:\-]")
_HEX_DIGITS = re.compile(r"[0-9a-fA-F]*")


def b64(data: bytes) -> str:
    """Standard Base64 with padding (what ServiceNow's thumbprint helper shows)."""
    return base64.b64encode(data).decode("ascii")


def b64url(data: bytes) -> str:
    """Base64url without padding (RFC 7515 section 2: what JWT headers such as x5t use)."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def from_b64(text: str) -> bytes:
    """Decode standard Base64 (padding optional); BadInputError if it is not Base64."""
    return _decode_base64(text, altchars=b"+/", what="Base64")


def from_b64url(text: str) -> bytes:
    """Decode base64url (padding optional); BadInputError if it is not base64url."""
    return _decode_base64(text, altchars=b"-_", what="base64url")


def _decode_base64(text: str, altchars: bytes, what: str) -> bytes:
    stripped = text.strip().rstrip("=")
    padded = stripped + "=" * (-len(stripped) % 4)
    try:
        return base64.b64decode(padded.encode("ascii"), altchars=altchars, validate=True)
    except (binascii.Error, UnicodeEncodeError, ValueError) as err:
        raise BadInputError(
            f"{text!r} is not valid {what}", fix=f"pass the {what} text exactly as it was produced"
        ) from err


def parse_hex(text: str, length: int = SHA1_LENGTH) -> bytes:
    """Parse a hex digest as Azure or openssl display it: any case, optional colons/spaces/dashes.

    `length` is the digest size in bytes (20 for SHA-1). Anything else is a BadInputError
    that says what was expected.
    """
    compact = _HEX_SEPARATORS.sub("", _OPENSSL_PREFIX.sub("", text))
    if not compact or not _HEX_DIGITS.fullmatch(compact):
        raise BadInputError(
            f"{_shorten(text)!r} is not a hex thumbprint",
            fix=f"give the {length * 2} hex digits Azure shows under Certificates & secrets > Thumbprint",
        )
    if len(compact) != length * 2:
        hint = " (that is a SHA-256 thumbprint; Azure shows SHA-1)" if len(compact) == 64 else ""
        raise BadInputError(
            f"thumbprint has {len(compact)} hex digits, expected {length * 2}{hint}",
            fix=f"copy the whole {length * 2}-digit SHA-1 thumbprint, or pass the certificate file instead",
        )
    return bytes.fromhex(compact)


def to_hex(digest: bytes) -> str:
    """Upper-case hex without separators, the way the Azure portal shows a thumbprint."""
    return digest.hex().upper()


def hex_to_base64(text: str) -> str:
    """Azure's hex SHA-1 thumbprint as standard Base64."""
    return b64(parse_hex(text))


def hex_to_base64url(text: str) -> str:
    """Azure's hex SHA-1 thumbprint as the `x5t` value Entra expects."""
    return b64url(parse_hex(text))


def base64_to_hex(text: str) -> str:
    """Standard Base64 SHA-1 thumbprint back to Azure's hex."""
    return to_hex(_digest_of_length(from_b64(text), text))


def base64url_to_hex(text: str) -> str:
    """An `x5t` value back to Azure's hex."""
    return to_hex(_digest_of_length(from_b64url(text), text))


def _digest_of_length(digest: bytes, text: str) -> bytes:
    if len(digest) != SHA1_LENGTH:
        raise BadInputError(
            f"{_shorten(text)!r} decodes to {len(digest)} bytes, a SHA-1 thumbprint has {SHA1_LENGTH}",
            fix="pass a complete SHA-1 thumbprint",
        )
    return digest


def sha1_encodings(digest: bytes) -> dict[str, str]:
    """The SHA-1 thumbprint spellings: `sha1_hex`, `sha1_base64`, `x5t`."""
    return {"sha1_hex": to_hex(digest), "sha1_base64": b64(digest), "x5t": b64url(digest)}


def _shorten(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[:limit] + "..."


@dataclass(frozen=True)
class Thumbprints:
    """Every thumbprint encoding of one certificate plus what a reader needs to recognise it."""

    sha1_hex: str
    sha1_base64: str
    x5t: str
    sha256_hex: str
    x5t_s256: str
    not_before: datetime
    not_after: datetime
    subject: str

    @classmethod
    def of(cls, cert: x509.Certificate) -> Thumbprints:
        """Compute from the certificate's DER bytes (the only bytes Entra hashes)."""
        der = cert.public_bytes(Encoding.DER)
        sha1 = _digest(hashes.SHA1(), der)
        sha256 = _digest(hashes.SHA256(), der)
        return cls(
            sha1_hex=to_hex(sha1),
            sha1_base64=b64(sha1),
            x5t=b64url(sha1),
            sha256_hex=to_hex(sha256),
            x5t_s256=b64url(sha256),
            not_before=cert.not_valid_before_utc,
            not_after=cert.not_valid_after_utc,
            subject=cert.subject.rfc4514_string(),
        )

    def to_json(self) -> dict[str, str]:
        """The `<name>.thumbprint.json` content (dates as ISO 8601 UTC)."""
        return {
            "sha1_hex": self.sha1_hex,
            "sha1_base64": self.sha1_base64,
            "x5t": self.x5t,
            "sha256_hex": self.sha256_hex,
            "x5t_s256": self.x5t_s256,
            "not_before": _iso(self.not_before),
            "not_after": _iso(self.not_after),
            "subject": self.subject,
        }


def _digest(algorithm: hashes.HashAlgorithm, data: bytes) -> bytes:
    hasher = hashes.Hash(algorithm)
    hasher.update(data)
    return hasher.finalize()


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
