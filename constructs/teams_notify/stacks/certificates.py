"""A tenant's certificates, checked once per synth before any stack is built.

The rules are the certs toolkit's one checker (`inspect_files`: the same as `teams-notify cert
check`), plus the tenant's rotation-aware expiry horizon. The stacks and the post-synth hook use
the certificates loaded here and never read the files again.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from teams_notify.certs import Thumbprints, inspect_files
from teams_notify.certs.secrets import KEY_PASSWORD_ENV, STORE_PASSWORD_ENV
from teams_notify.config import CertificateConfig, TenantConfig
from teams_notify.errors import CheckFailedError


@dataclass(frozen=True)
class CheckedCertificate:
    """A certificate that passed the checks, with its thumbprints and any warnings."""

    config: CertificateConfig
    certificate: x509.Certificate
    thumbprints: Thumbprints
    warnings: tuple[str, ...]

    @property
    def pem(self) -> str:
        """The certificate as PEM text, as Entra's certificate credential takes it."""
        return self.certificate.public_bytes(Encoding.PEM).decode("ascii")

    def __reduce__(self) -> tuple[Any, ...]:
        # Parallel synth hands checked certificates to worker processes; cryptography's
        # certificate objects do not pickle, their DER bytes do.
        return (_from_der, (self.config, self.certificate.public_bytes(Encoding.DER), self.warnings))

    def to_json(self) -> dict[str, Any]:
        return {
            "key": self.config.key,
            "active": self.config.active,
            "certificate_path": str(self.config.crt),
            "jks_path": str(self.config.jks),
            **self.thumbprints.to_json(),
            "warnings": list(self.warnings),
        }


def active_certificate(checked: list[CheckedCertificate]) -> CheckedCertificate:
    """The tenant's active certificate among its checked ones (config allows exactly one)."""
    return next(c for c in checked if c.config.active)


def _from_der(config: CertificateConfig, der: bytes, warnings: tuple[str, ...]) -> CheckedCertificate:
    certificate = x509.load_der_x509_certificate(der)
    return CheckedCertificate(config, certificate, Thumbprints.of(certificate), warnings)


def check_certificates(tenant: TenantConfig, now: datetime) -> list[CheckedCertificate]:
    """Every certificate of the tenant, checked; CheckFailedError (one line + fix) for the first
    that cannot be deployed."""
    loaded = [_inspect(tenant, cert, now) for cert in tenant.certificates]
    not_after = {cert.key: Thumbprints.of(crt).not_after for cert, crt in loaded}
    return [
        CheckedCertificate(
            cert, crt, Thumbprints.of(crt), tuple(_expiry_findings(tenant, cert, not_after, now))
        )
        for cert, crt in loaded
    ]


def _where(tenant: TenantConfig, cert: CertificateConfig) -> str:
    return f"tenant {tenant.name}, certificate {cert.key!r}"


def _inspect(
    tenant: TenantConfig, cert: CertificateConfig, now: datetime
) -> tuple[CertificateConfig, x509.Certificate]:
    """Load and check one certificate's files. The key comes from the bundle's `.key` when
    present, otherwise from the JKS if TEAMS_NOTIFY_STORE_PASSWORD is set; without either the key
    cannot be read, which is not an error at synth time."""
    key_file = cert.key_file if cert.key_file.is_file() else None
    inspection = inspect_files(
        crt=cert.crt,
        key=key_file,
        jks=cert.jks,
        jks_alias=cert.jks_alias,
        store_password=None if key_file else os.environ.get(STORE_PASSWORD_ENV),
        key_password=os.environ.get(KEY_PASSWORD_ENV),
        warn_days=None,
        now=now,
        validate_key=False,
        warn_unchecked_store=False,
    )
    for finding in inspection.findings:
        if finding.level == "error":
            raise CheckFailedError(f"{_where(tenant, cert)}: {finding.message}", finding.fix)
    assert inspection.certificate is not None  # a certificate that cannot be read is an error above
    return cert, inspection.certificate


def _expiry_findings(
    tenant: TenantConfig, cert: CertificateConfig, not_after: dict[str, datetime], now: datetime
) -> list[str]:
    where = _where(tenant, cert)
    horizon = timedelta(days=tenant.expiry_horizon_days)
    ends = not_after[cert.key]
    expiry = ends.strftime("%Y-%m-%dT%H:%M:%SZ")
    if ends <= now:
        if cert.active:
            raise CheckFailedError(
                f"{where}: the active certificate expired on {expiry}",
                "add a new certificate (teams-notify cert new), mark it active = true and synth again",
            )
        return [f"{where}: expired on {expiry}; remove it from the tenant file to retire it"]
    if ends - now >= horizon:
        return []
    message = f"{where}: expires on {expiry}, within the {tenant.expiry_horizon_days}-day horizon"
    # Another certificate that outlives the horizon means a rotation is under way.
    successor = any(key != cert.key and end > now + horizon for key, end in not_after.items())
    if cert.active and not successor:
        raise CheckFailedError(
            message,
            "add a next certificate to the tenant file, deploy, then mark it active "
            "(docs/constructs.md, rotation)",
        )
    return [message]
