"""Check 7: the certificate's validity on both sides, with a warning inside the tenant's horizon.

ServiceNow side: the certificate in the JKS attached on the instance. Entra side: the `.crt`
the tenant's Entra stack registers (reading the app's registered key credentials back would
need Application.Read.All, which the app does not have and should not get).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from cryptography import x509

from teams_notify.config import TenantConfig
from teams_notify.doctor.outcome import Check, failed, passed, skipped, warned

RENEW_FIX = (
    "renew: `teams-notify cert new` (or csr + import), add it as the next certificate, apply both stacks"
)


def expiry_check(
    name: str, certificate: x509.Certificate | None, where: str, now: datetime, horizon_days: int
) -> Check:
    if certificate is None:
        return skipped(name, f"no certificate {where}")
    not_before, not_after = certificate.not_valid_before_utc, certificate.not_valid_after_utc
    until = f"{not_after:%Y-%m-%d %H:%M} UTC"
    if now < not_before:
        return failed(
            name, f"the certificate {where} is not valid before {not_before:%Y-%m-%d %H:%M} UTC", RENEW_FIX
        )
    if now >= not_after:
        return failed(name, f"the certificate {where} expired on {until}", RENEW_FIX)
    left = not_after - now
    if left <= timedelta(days=horizon_days):
        return warned(
            name,
            f"the certificate {where} expires on {until}, in {left.days} day(s) "
            f"(inside the {horizon_days}-day horizon)",
            RENEW_FIX,
        )
    return passed(name, f"the certificate {where} is valid until {until} ({left.days} days)")


def expiry_checks(
    tenant: TenantConfig,
    instance_certificate: x509.Certificate | None,
    entra_certificate: x509.Certificate | None,
    now: datetime,
) -> list[Check]:
    horizon = tenant.expiry_horizon_days
    return [
        expiry_check("expiry (ServiceNow)", instance_certificate, "in the instance's keystore", now, horizon),
        expiry_check("expiry (Entra)", entra_certificate, "the Entra stack registers", now, horizon),
    ]
