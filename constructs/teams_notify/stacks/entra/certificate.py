"""The certificate credential(s) on the app registration (certificate prerequisite, Entra half)."""

from __future__ import annotations

from datetime import datetime

from constructs import Construct
from teams_notify.stacks.entra.azuread import AzureadResource
from teams_notify.stacks.steps import PREREQ_KEYSTORE, Step


class CertificateCredential(Step):
    """`azuread_application_certificate` from a bundle's `.crt`; ends when the certificate does."""

    step = PREREQ_KEYSTORE

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        application_id: str,
        pem: str,
        not_before: datetime,
        not_after: datetime,
    ) -> None:
        super().__init__(scope, id_)
        self.credential = AzureadResource(
            self,
            "credential",
            "application_certificate",
            application_id=application_id,
            type="AsymmetricX509Cert",
            encoding="pem",
            value=pem,
            start_date=_rfc3339(not_before),
            end_date=_rfc3339(not_after),
        )


def _rfc3339(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
