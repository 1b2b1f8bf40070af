"""Resource `servicenow_attachment`: a file attached to a record through the Attachment API.

The content comes from `source` (a path read at plan and apply time; the state keeps only its
sha256 and size, never the bytes) or `content_base64` (sensitive). ServiceNow attachments are
immutable, so new content means a new attachment.

How a changed file becomes a replacement: the `tf` framework decides replacement before the
provider's plan() runs, from attributes whose planned value differs from the prior state, and
`source` (a path) does not change when only the file does. So plan() hashes the file (or the
base64 content) itself: when the hash differs from the state, it plans the new `sha256`/`size_bytes`
and an unknown `sys_id`, and apply uploads the new attachment and then deletes the old one.
`terraform plan` shows this as `sha256: "<old>" -> "<new>"`, `sys_id -> (known after apply)`.
Changing `table`, `record_sys_id`, `file_name` or `content_type` is an ordinary replacement.
"""

from __future__ import annotations

import base64
import binascii
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tf.iface import (
    Config,
    CreateContext,
    DeleteContext,
    ImportContext,
    PlanContext,
    ReadContext,
    Resource,
    State,
    UpdateContext,
)
from tf.schema import Attribute, Schema
from tf.types import Number, String, Unknown

from terraform_provider_servicenow.diagnostics import reporting
from terraform_provider_servicenow.exceptions import ConfigError, ServiceNowError
from terraform_provider_servicenow.normalize import SYS_ID, check_header_text, check_sys_id, check_url_text
from terraform_provider_servicenow.resource_base import ProviderBound

if TYPE_CHECKING:  # the client (and its HTTP pool) is imported when the provider is configured
    from terraform_provider_servicenow.client import ServiceNowClient

DEFAULT_CONTENT_TYPE = "application/octet-stream"
COMPUTED_ON_NEW_CONTENT = ("id", "sys_id")


def _placement(name: str, description: str) -> Attribute:
    """Where the file goes: required, and a change means a new attachment."""
    return Attribute(name, String(), required=True, requires_replace=True, description=description)


SCHEMA = Schema(
    version=0,
    attributes=[
        Attribute("id", String(), computed=True, description="The attachment's sys_id."),
        _placement("table", "Table of the record."),
        _placement("record_sys_id", "sys_id of the record."),
        _placement("file_name", "File name to show."),
        Attribute(
            "content_type",
            String(),
            optional=True,
            computed=True,
            default=DEFAULT_CONTENT_TYPE,
            requires_replace=True,
            description=f"MIME type sent with the upload (default `{DEFAULT_CONTENT_TYPE}`).",
        ),
        Attribute(
            "source",
            String(),
            optional=True,
            description="Path of the file to upload, read at plan and apply; only its hash is stored.",
        ),
        Attribute(
            "content_base64",
            String(),
            optional=True,
            sensitive=True,
            description="The content, base64-encoded (instead of `source`).",
        ),
        Attribute("sys_id", String(), computed=True, description="The attachment's sys_id."),
        Attribute("size_bytes", Number(), computed=True, description="Size of the content in bytes."),
        Attribute("sha256", String(), computed=True, description="SHA-256 (hex) of the content."),
    ],
)


def check_config(config: Config) -> None:
    """Exactly one of source / content_base64 (checked when both are known); the values that go
    into the upload's URL and headers have their shape."""
    record = config.get("record_sys_id")
    if isinstance(record, str):
        check_sys_id("record_sys_id", record)
    for attribute, check in (("file_name", check_url_text), ("content_type", check_header_text)):
        value = config.get(attribute)
        if isinstance(value, str):
            check(attribute, value)
    source, content = config.get("source"), config.get("content_base64")
    if source is Unknown or content is Unknown:
        return
    if (source is None) == (content is None):
        raise ConfigError(
            "set exactly one of source and content_base64",
            "source is a file path read at apply time; content_base64 is the content itself.",
        )


class AttachmentResource(ProviderBound, Resource):
    NAME = "attachment"
    SCHEMA = SCHEMA
    check = staticmethod(check_config)

    def create(self, ctx: CreateContext, planned: State) -> State | None:
        with reporting(ctx.diagnostics):
            self.checked(planned)
            return upload(self.provider.get_client(), planned)
        return None

    def read(self, ctx: ReadContext, current: State) -> State | None:
        with reporting(ctx.diagnostics):
            meta = self.provider.get_client().get_attachment(current["sys_id"])
            if meta is None:
                return None  # gone: the next plan uploads it again
            return current | {
                "sha256": str(meta.get("hash") or current.get("sha256")),
                "size_bytes": int(meta.get("size_bytes") or current.get("size_bytes") or 0),
            }
        return current

    def plan(self, ctx: PlanContext, current: State | None, planned: State) -> State | None:
        with reporting(ctx.diagnostics):
            data = content_of(planned)
            if data is None:  # not known before apply: it may or may not change
                return planned | dict.fromkeys((*COMPUTED_ON_NEW_CONTENT, "sha256", "size_bytes"), Unknown)
            digest = _sha256(data)
            if current is None or digest != current.get("sha256"):
                return (
                    planned
                    | {"sha256": digest, "size_bytes": len(data)}
                    | dict.fromkeys(COMPUTED_ON_NEW_CONTENT, Unknown)
                )
        return planned

    def update(self, ctx: UpdateContext, current: State, planned: State) -> State | None:
        with reporting(ctx.diagnostics):
            client = self.provider.get_client()
            data = content_of(planned)
            unchanged = data is not None and _sha256(data) == current.get("sha256")
            if unchanged and client.get_attachment(current["sys_id"]) is not None:
                kept = (*COMPUTED_ON_NEW_CONTENT, "sha256", "size_bytes")
                return planned | {k: current[k] for k in kept}
            # Upload first, then remove the old one: the record is never without its file.
            new_state = upload(client, planned)
            client.delete_attachment(current["sys_id"])
            return new_state
        return current

    def delete(self, ctx: DeleteContext, current: State) -> State | None:
        with reporting(ctx.diagnostics):
            self.provider.get_client().delete_attachment(current["sys_id"])
            return None
        return current

    def import_(self, ctx: ImportContext, id: str) -> State | None:
        with reporting(ctx.diagnostics):
            sys_id = id.strip()
            if not SYS_ID.match(sys_id):
                raise ConfigError(
                    f"invalid import id {id!r}", "Use the attachment's sys_id (32 hex characters)."
                )
            meta = self.provider.get_client().get_attachment(sys_id)
            if meta is None:
                raise ConfigError(f"no attachment {sys_id} to import", "Check the sys_id in sys_attachment.")
            return {
                "id": sys_id,
                "table": str(meta.get("table_name", "")),
                "record_sys_id": str(meta.get("table_sys_id", "")),
                "file_name": str(meta.get("file_name", "")),
                "content_type": str(meta.get("content_type") or DEFAULT_CONTENT_TYPE),
                "source": None,
                "content_base64": None,
                "sys_id": sys_id,
                "size_bytes": int(meta.get("size_bytes") or 0),
                "sha256": str(meta.get("hash", "")),
            }
        return None




def content_of(state: State) -> bytes | None:
    """The bytes to upload, or None while they are not known (an unknown path or content)."""
    source, content = state.get("source"), state.get("content_base64")
    if source is Unknown or content is Unknown:
        return None
    if source is not None:
        path = Path(source)
        try:
            return path.read_bytes()
        except OSError as exc:
            raise ConfigError(
                f"cannot read attachment source {source!r}: {exc.strerror}",
                "source must be a readable file on the machine running Terraform (paths are relative to "
                "the working directory).",
            ) from None
    try:
        return base64.b64decode(str(content), validate=True)
    except (binascii.Error, ValueError):
        raise ConfigError(
            "content_base64 is not valid base64", "Use base64encode(...) or filebase64(...)."
        ) from None


def upload(client: ServiceNowClient, planned: State) -> State:
    """Upload the planned content; the result is the new state."""
    data = content_of(planned)
    if data is None:  # pragma: no cover - Terraform resolves every value before apply
        raise ConfigError("attachment content is not known at apply time")
    digest = _sha256(data)
    if planned.get("sha256") not in (None, Unknown, digest):
        raise ConfigError(
            f"the content of {planned.get('source') or 'content_base64'} changed between plan and apply",
            "Run terraform plan again so the plan shows the current content.",
        )
    table, record, name = planned["table"], planned["record_sys_id"], planned["file_name"]
    content_type = planned.get("content_type") or DEFAULT_CONTENT_TYPE

    def recover() -> dict[str, Any] | None:
        # A lost upload response: an attachment with our name and hash on the record is ours.
        found = [a for a in client.find_attachments(table, record, name) if a.get("hash") == digest]
        return found[-1] if found else None

    meta = client.upload_attachment(table, record, name, content_type, data, recover)
    stored = meta.get("hash")
    if stored and stored != digest:
        raise ServiceNowError(
            f"ServiceNow stored attachment {name!r} with sha256 {stored}, not {digest}",
            "The upload was corrupted in transit; run terraform apply again.",
        )
    sys_id = str(meta["sys_id"])
    return planned | {
        "id": sys_id,
        "sys_id": sys_id,
        "content_type": content_type,
        "size_bytes": len(data),
        "sha256": digest,
    }


def _sha256(data: bytes) -> str:
    import hashlib  # here, not at start: the schema and validate processes never hash

    return hashlib.sha256(data).hexdigest()
