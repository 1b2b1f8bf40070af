"""New RSA keys, self-signed certificates (proof of concept) and CSRs (production path)."""

from __future__ import annotations

import datetime as dt

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from teams_notify.errors import BadInputError

KEY_SIZES = (2048, 3072, 4096)
DEFAULT_DAYS = 365
# Entra enforces no maximum for an uploaded certificate credential by itself, but the longest
# certificate credential Entra issues on its own (addTokenSigningCertificate) is 3 years and
# tenant app-management policies (asymmetricKeyLifetime) commonly demand less. A self-signed
# PoC certificate living longer than that is a forgotten credential, so we stop there.
MAX_DAYS = 3 * 365
# Certificates start a few minutes in the past so a clock that is slightly behind (ServiceNow
# node, Entra front end) does not reject a brand-new certificate as "not yet valid".
BACKDATE = dt.timedelta(minutes=5)
_MAX_CN_LENGTH = 64  # RFC 5280 ub-common-name


def new_rsa_key(key_size: int = 2048) -> rsa.RSAPrivateKey:
    """A fresh RSA key; only the sizes ServiceNow and Entra both handle well are allowed."""
    if key_size not in KEY_SIZES:
        raise BadInputError(
            f"key size {key_size} is not supported", fix=f"use one of {', '.join(map(str, KEY_SIZES))}"
        )
    return rsa.generate_private_key(public_exponent=65537, key_size=key_size)


def subject_name(cn: str, organization: str | None = None, country: str | None = None) -> x509.Name:
    """The subject (and, when self-signed, issuer) name: CN plus optional O and C."""
    cn = cn.strip()
    if not cn or len(cn) > _MAX_CN_LENGTH:
        raise BadInputError(
            f"common name {cn!r} must have 1 to {_MAX_CN_LENGTH} characters",
            fix="use a short name such as servicenow-teams-notify",
        )
    attributes = [x509.NameAttribute(NameOID.COMMON_NAME, cn)]
    if organization:
        attributes.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization))
    if country:
        if len(country) != 2 or not country.isalpha():
            raise BadInputError(f"country {country!r} is not a 2-letter code", fix="use e.g. DE or US")
        attributes.append(x509.NameAttribute(NameOID.COUNTRY_NAME, country.upper()))
    return x509.Name(attributes)


def check_days(days: int) -> int:
    """Validity in days, within 1..MAX_DAYS (see MAX_DAYS for why)."""
    if not 1 <= days <= MAX_DAYS:
        raise BadInputError(
            f"validity of {days} days is outside 1..{MAX_DAYS}",
            fix=f"use --days {DEFAULT_DAYS}: a PoC certificate should expire within a year; "
            f"Entra's own certificate credentials stop at 3 years",
        )
    return days


def self_signed_certificate(
    key: rsa.RSAPrivateKey,
    cn: str,
    days: int = DEFAULT_DAYS,
    valid_from: dt.datetime | None = None,
) -> x509.Certificate:
    """A self-signed SHA-256 certificate for `key`, valid `days` days from `valid_from` (default now).

    `valid_from` exists so tests and drills can make expired or expiring certificates on purpose.
    """
    name = subject_name(cn)
    check_days(days)
    start = valid_from if valid_from is not None else dt.datetime.now(dt.UTC) - BACKDATE
    public = key.public_key()
    builder = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + dt.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_signing_key_usage(), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
    )
    return builder.sign(key, hashes.SHA256())


def _signing_key_usage() -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=True,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=False,
        crl_sign=False,
        encipher_only=False,
        decipher_only=False,
    )


def new_csr(
    key: rsa.RSAPrivateKey, cn: str, organization: str | None = None, country: str | None = None
) -> x509.CertificateSigningRequest:
    """A SHA-256 CSR to send to the CA; the CA-issued certificate then goes to `cert import`."""
    builder = x509.CertificateSigningRequestBuilder().subject_name(subject_name(cn, organization, country))
    return builder.sign(key, hashes.SHA256())
