"""Certificate prerequisites 1 and 2: the keystore record with its JKS, and the JWT key on it."""

from __future__ import annotations

import base64
import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar, Literal

from constructs import Construct
from teams_notify.files import read_input
from teams_notify.stacks.compat import TerraformStack
from teams_notify.stacks.servicenow.fields import DEFAULT_NAME_PREFIX, InstanceNames, x5t_placeholder
from teams_notify.stacks.servicenow.record import ServicenowAttachment, catalog_record
from teams_notify.stacks.steps import PREREQ_JWT_KEY, PREREQ_KEYSTORE, Step
from teams_notify.stacks.variables import secret_variable


def jks_content_variable(cert_key: str) -> str:
    """Terraform variable with the base64 JKS, for certificates with `jks_upload = "variable"`."""
    return f"keystore_jks_base64_{cert_key}"


@dataclass(frozen=True)
class KeystoreProps:
    """What `Keystore` writes.

    - `cert_key`: the certificate's short id (in record names and variable names).
    - `jks`: the bundle's `.jks` file (its name is the attachment's file name).
    - `store_password`: the store password, a reference to a sensitive Terraform variable
      (`${var...}`), never a literal.
    - `stack_dir`: the stack's synth folder; with `jks_upload = "file"` the attachment's
      `source` is the `.jks` path relative to it.
    - `jks_upload`: `"file"` (default): terraform reads the `.jks` at plan and apply;
      `"variable"`: the JKS comes as base64 in the sensitive variable
      `keystore_jks_base64_<cert_key>`, checked against `jks` by a precondition.
    - `name_prefix`: starts the record's name; default "Teams Notify" (tenant config's default).
    - `names`: the instance's names of `sys_certificate`; default: the catalog's.
    """

    TABLES: ClassVar[tuple[str, ...]] = ("certificate",)

    cert_key: str
    jks: Path
    store_password: str
    stack_dir: Path
    jks_upload: Literal["file", "variable"] = "file"
    name_prefix: str = DEFAULT_NAME_PREFIX
    names: InstanceNames = field(default_factory=lambda: InstanceNames.catalog(*KeystoreProps.TABLES))


class Keystore(Step):
    """`sys_certificate` (Java Key Store) + the `.jks` as an attachment (never as a field)."""

    step = PREREQ_KEYSTORE

    def __init__(self, scope: Construct, id_: str, props: KeystoreProps) -> None:
        super().__init__(scope, id_)
        names = props.names
        self.record = catalog_record(
            self,
            "record",
            names,
            "certificate",
            secret={"key_store_password": props.store_password},
            name=f"{props.name_prefix} {props.cert_key} keystore",
            type="key_store",
            format="pem",
            active=True,
            short_description=f"{props.jks.name} (teams-notify)",
        )
        if props.jks_upload == "file":
            # Relative to the stack's own folder, where terraform runs: the synth output stays portable.
            content = {"source": os.path.relpath(props.jks, props.stack_dir)}
        else:
            content = {"content_base64": self._jks_variable(props)}
        self.jks = ServicenowAttachment(
            self,
            "jks",
            table=self.record.table,
            record_sys_id=self.record.sys_id,
            file_name=props.jks.name,
            content_type="application/octet-stream",
            **content,
        )
        if props.jks_upload == "variable":
            self._require_checked_jks(props)

    def _jks_variable(self, props: KeystoreProps) -> str:
        """The sensitive variable that carries the JKS for runs without the file.

        Terraform Cloud remote execution uploads only the stack folder, so a path to the bundle
        would not resolve there.
        """
        name = jks_content_variable(props.cert_key)
        secret_variable(TerraformStack.of(self), name, f"{props.jks.name} as one line of base64 (base64 -w0)")
        return f"${{var.{name}}}"

    def _require_checked_jks(self, props: KeystoreProps) -> None:
        """Stop the plan when the variable does not hold the JKS the post-synth hook checked.

        The hook proves the local .jks matches the .crt Entra gets; bytes from a variable would
        bypass that. Only a hash of the (encrypted) keystore's base64 text is compared, and
        `nonsensitive` applies to that yes/no, never to the content.
        """
        name = jks_content_variable(props.cert_key)
        text = base64.b64encode(read_input(props.jks, "keystore")).decode()
        digest = hashlib.sha256(text.encode()).hexdigest()
        self.jks.add_override(
            "lifecycle.precondition",
            [
                {
                    "condition": f'${{nonsensitive(sha256(var.{name})) == "{digest}"}}',
                    "error_message": (
                        f"TF_VAR_{name} is not {props.jks.name} as checked at synth; "
                        f"set it from that file: base64 -w0 {props.jks.name}."
                    ),
                }
            ],
        )


@dataclass(frozen=True)
class JwtKeyProps:
    """What `JwtKey` writes.

    - `cert_key`: the certificate's short id; its x5t (filled in by the post-synth hook) is
      the key id and the thumbprint.
    - `keystore`: the `Keystore` holding that certificate's JKS.
    - `key_password`: the key entry's password, a reference to a sensitive Terraform variable.
    - `name_prefix`: starts the record's name; default "Teams Notify".
    - `names`: the instance's names of `jwt_keystore_aliases`; default: the catalog's.
    """

    TABLES: ClassVar[tuple[str, ...]] = ("jwt_key",)

    cert_key: str
    keystore: Keystore
    key_password: str
    name_prefix: str = DEFAULT_NAME_PREFIX
    names: InstanceNames = field(default_factory=lambda: InstanceNames.catalog(*JwtKeyProps.TABLES))


class JwtKey(Step):
    """`jwt_keystore_aliases`: RS256 signing with the keystore, SHA-1 thumbprint (x5t) in the header.

    `x5t` is the placeholder the post-synth hook replaces with this key's certificate thumbprint.
    """

    step = PREREQ_JWT_KEY

    def __init__(self, scope: Construct, id_: str, props: JwtKeyProps) -> None:
        super().__init__(scope, id_)
        names = props.names
        self.cert_key = props.cert_key
        self.x5t = x5t_placeholder(props.cert_key)
        x5t = self.x5t
        self.record = catalog_record(
            self,
            "record",
            names,
            "jwt_key",
            secret={"signing_key_password": props.key_password},
            depends_on=[props.keystore.jks],
            name=f"{props.name_prefix} {props.cert_key} JWT key",
            signing_keystore=props.keystore.record.sys_id,
            signing_algorithm="rsa_256",
            kid=x5t,
            active=True,
            certificate_thumbprint=x5t,
            include_x5t=True,
        )
