"""Single facts about a certificate or key that can be wrong: the building blocks of
`cert check`, also used to refuse bad input when a bundle is written."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import Literal

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey, RSAPublicKey

from teams_notify.certs.load import public_key_matches
from teams_notify.errors import BadInputError

Level = Literal["error", "warning"]

MIN_RSA_BITS = 2048
DEFAULT_WARN_DAYS = 30
_WEAK_HASHES = {"md5", "sha1"}


@dataclass(frozen=True)
class Finding:
    """One problem: `error` fails the check, `warning` is shown but passes."""

    level: Level
    message: str
    fix: str

    def to_json(self) -> dict[str, str]:
        return asdict(self)


def error(message: str, fix: str) -> Finding:
    return Finding("error", message, fix)


def warning(message: str, fix: str) -> Finding:
    return Finding("warning", message, fix)


def days_left(cert: x509.Certificate, now: dt.datetime | None = None) -> int:
    """Whole days until the certificate expires (negative once expired)."""
    moment = now or dt.datetime.now(dt.UTC)
    return (cert.not_valid_after_utc - moment).days


def certificate_findings(
    cert: x509.Certificate,
    source: str,
    warn_days: int | None = DEFAULT_WARN_DAYS,
    now: dt.datetime | None = None,
) -> list[Finding]:
    """Key type and size, signature hash, validity window, days to expiry (`warn_days` None: the
    caller judges expiry itself, as synth does with the tenant's rotation-aware horizon)."""
    moment = now or dt.datetime.now(dt.UTC)
    found = _public_key_findings(cert, source)
    hash_name = _signature_hash_name(cert)
    if hash_name in _WEAK_HASHES:
        found.append(warning(f"{source} is signed with {hash_name.upper()}", "re-issue it with SHA-256"))
    renew = "make a new certificate (`teams-notify cert new` or a CA-issued one with `cert import`)"
    if cert.not_valid_before_utc > moment:
        found.append(
            error(f"{source} is not valid before {cert.not_valid_before_utc:%Y-%m-%d %H:%M} UTC", renew)
        )
    if warn_days is None:
        return found
    left = days_left(cert, moment)
    if cert.not_valid_after_utc <= moment:
        found.append(error(f"{source} expired on {cert.not_valid_after_utc:%Y-%m-%d}", renew))
    elif left < warn_days:
        found.append(
            warning(
                f"{source} expires in {left} days ({cert.not_valid_after_utc:%Y-%m-%d})",
                f"{renew}, register it in Entra next to the old one, then switch ServiceNow over",
            )
        )
    return found


def _signature_hash_name(cert: x509.Certificate) -> str:
    try:
        algorithm = cert.signature_hash_algorithm
    except UnsupportedAlgorithm:
        return "unknown"
    return algorithm.name if algorithm else "none"


def _public_key_findings(cert: x509.Certificate, source: str) -> list[Finding]:
    public = cert.public_key()
    if not isinstance(public, RSAPublicKey):
        return [
            error(
                f"{source} has a {type(public).__name__.lstrip('_')} key", "ServiceNow signs RS256: use RSA"
            )
        ]
    if public.key_size < MIN_RSA_BITS:
        return [error(f"{source} has a {public.key_size}-bit RSA key", f"use {MIN_RSA_BITS} bits or more")]
    return []


def key_pair_findings(
    key: RSAPrivateKey, cert: x509.Certificate, key_source: str, cert_source: str
) -> list[Finding]:
    """The private key must be the one the certificate was issued for."""
    if public_key_matches(key, cert):
        return []
    return [
        error(
            f"{key_source} does not belong to {cert_source}",
            "use the key the certificate was made for, or rebuild the bundle with `teams-notify cert import`",
        )
    ]


def raise_errors(found: list[Finding]) -> None:
    """Refuse input with error findings: the first one becomes a BadInputError."""
    for item in found:
        if item.level == "error":
            raise BadInputError(item.message, fix=item.fix)
