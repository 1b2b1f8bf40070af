"""Certificate prerequisites 1 and 2: the keystore record with its JKS, and the JWT key on it."""

from __future__ import annotations

import os
from pathlib import Path

from constructs import Construct
from teams_notify.config import CertificateConfig, TenantConfig
from teams_notify.servicenow.fields import x5t_placeholder
from teams_notify.servicenow.record import ServicenowAttachment, catalog_record
from teams_notify.stack_steps import PREREQ_JWT_KEY, PREREQ_KEYSTORE, Step


class Keystore(Step):
    """`sys_certificate` (Java Key Store) + the `.jks` as an attachment (never as a field)."""

    step = PREREQ_KEYSTORE

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        tenant: TenantConfig,
        cert: CertificateConfig,
        store_password: str,
        stack_dir: Path,
    ) -> None:
        super().__init__(scope, id_)
        self.record = catalog_record(
            self,
            "record",
            tenant,
            "certificate",
            secret={"key_store_password": store_password},
            name=f"{tenant.servicenow.name_prefix} {cert.key} keystore",
            type="key_store",
            format="pem",
            active=True,
            short_description=f"{cert.name}.jks (teams-notify)",
        )
        # Relative to the stack's own folder, where terraform runs: the synth output stays portable.
        source = os.path.relpath(cert.jks, stack_dir)
        self.jks = ServicenowAttachment(
            self,
            "jks",
            table=self.record.table,
            record_sys_id=self.record.sys_id,
            file_name=cert.jks.name,
            content_type="application/octet-stream",
            source=source,
        )


class JwtKey(Step):
    """`jwt_keystore_aliases`: RS256 signing with the keystore, SHA-1 thumbprint (x5t) in the header."""

    step = PREREQ_JWT_KEY

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        tenant: TenantConfig,
        cert: CertificateConfig,
        keystore: Keystore,
        key_password: str,
    ) -> None:
        super().__init__(scope, id_)
        x5t = x5t_placeholder(cert.key)
        self.record = catalog_record(
            self,
            "record",
            tenant,
            "jwt_key",
            secret={"signing_key_password": key_password},
            depends_on=[keystore.jks],
            name=f"{tenant.servicenow.name_prefix} {cert.key} JWT key",
            signing_keystore=keystore.record.sys_id,
            signing_algorithm="rsa_256",
            kid=x5t,
            active=True,
            certificate_thumbprint=x5t,
            include_x5t=True,
        )
