"""Certificate prerequisites 1 and 2: the keystore record with its JKS, and the JWT key on it."""

from __future__ import annotations

import base64
import hashlib
import os
from pathlib import Path

from constructs import Construct
from teams_notify.config import CertificateConfig, TenantConfig
from teams_notify.files import read_input
from teams_notify.stacks.compat import TerraformStack
from teams_notify.stacks.servicenow.fields import x5t_placeholder
from teams_notify.stacks.servicenow.record import ServicenowAttachment, catalog_record
from teams_notify.stacks.steps import PREREQ_JWT_KEY, PREREQ_KEYSTORE, Step
from teams_notify.stacks.variables import secret_variable


def jks_content_variable(cert_key: str) -> str:
    """Terraform variable with the base64 JKS, for certificates with `jks_upload = "variable"`."""
    return f"keystore_jks_base64_{cert_key}"


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
        if cert.jks_upload == "file":
            # Relative to the stack's own folder, where terraform runs: the synth output stays portable.
            content = {"source": os.path.relpath(cert.jks, stack_dir)}
        else:
            content = {"content_base64": self._jks_variable(cert)}
        self.jks = ServicenowAttachment(
            self,
            "jks",
            table=self.record.table,
            record_sys_id=self.record.sys_id,
            file_name=cert.jks.name,
            content_type="application/octet-stream",
            **content,
        )
        if cert.jks_upload == "variable":
            self._require_checked_jks(cert)

    def _jks_variable(self, cert: CertificateConfig) -> str:
        """The sensitive variable that carries the JKS for runs without the file.

        Terraform Cloud remote execution uploads only the stack folder, so a path to the bundle
        would not resolve there.
        """
        name = jks_content_variable(cert.key)
        secret_variable(TerraformStack.of(self), name, f"{cert.jks.name} as one line of base64 (base64 -w0)")
        return f"${{var.{name}}}"

    def _require_checked_jks(self, cert: CertificateConfig) -> None:
        """Stop the plan when the variable does not hold the JKS the post-synth hook checked.

        The hook proves the local .jks matches the .crt Entra gets; bytes from a variable would
        bypass that. Only a hash of the (encrypted) keystore's base64 text is compared, and
        `nonsensitive` applies to that yes/no, never to the content.
        """
        name = jks_content_variable(cert.key)
        text = base64.b64encode(read_input(cert.jks, "keystore")).decode()
        digest = hashlib.sha256(text.encode()).hexdigest()
        self.jks.add_override(
            "lifecycle.precondition",
            [
                {
                    "condition": f'${{nonsensitive(sha256(var.{name})) == "{digest}"}}',
                    "error_message": (
                        f"TF_VAR_{name} is not {cert.jks.name} as checked at synth; "
                        f"set it from that file: base64 -w0 {cert.jks.name}."
                    ),
                }
            ],
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
