"""Thin typed constructs for our `servicenow` Terraform provider (it has no prebuilt binding).

Attributes are exactly the provider's schema (DESIGN.md "Terraform provider servicenow").
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from constructs import Construct
from teams_notify.stacks.compat import RawDataSource, RawProvider, RawResource
from teams_notify.stacks.servicenow.fields import InstanceNames

OnDestroy = Literal["delete", "keep", "restore"]
PROVIDER_NAME = "servicenow"


class ServicenowProvider(RawProvider):
    """The provider block: only the instance URL; credentials come from SERVICENOW_* env vars."""

    def __init__(
        self, scope: Construct, id_: str, *, instance_url: str, source: str, version: str | None = None
    ) -> None:
        super().__init__(
            scope,
            id_,
            name=PROVIDER_NAME,
            source=source,
            version=version,
            attrs={"instance_url": instance_url},
        )


class ServicenowRecord(RawResource):
    """`servicenow_record`: one row in one table, created, or adopted when `match_on` finds it."""

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        table: str,
        fields: Mapping[str, str],
        sensitive_fields: Mapping[str, str] | None = None,
        match_on: list[str] | None = None,
        on_destroy: OnDestroy = "delete",
        depends_on: list[Any] | None = None,
    ) -> None:
        super().__init__(
            scope,
            id_,
            type_="servicenow_record",
            provider_name=PROVIDER_NAME,
            depends_on=depends_on,
            attrs={
                "table": table,
                "fields": dict(fields),
                "sensitive_fields": dict(sensitive_fields) if sensitive_fields else None,
                "match_on": list(match_on) if match_on else None,
                "on_destroy": on_destroy,
            },
        )

    @property
    def table(self) -> str:
        return str(self.attrs["table"])

    @property
    def fields(self) -> dict[str, str]:
        """The managed field values (mutable until synth: the post-synth hook reads the JSON)."""
        fields: dict[str, str] = self.attrs["fields"]
        return fields

    @property
    def sys_id(self) -> str:
        """The record's sys_id (a Terraform reference until apply)."""
        return self.attr("sys_id")


class ServicenowAttachment(RawResource):
    """`servicenow_attachment`: a file attached to a record, read from `source` (a path) at plan
    and apply time, or given as `content_base64` (sensitive); exactly one of the two."""

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        table: str,
        record_sys_id: str,
        file_name: str,
        content_type: str,
        source: str | None = None,
        content_base64: str | None = None,
    ) -> None:
        super().__init__(
            scope,
            id_,
            type_="servicenow_attachment",
            provider_name=PROVIDER_NAME,
            attrs={
                "table": table,
                "record_sys_id": record_sys_id,
                "file_name": file_name,
                "content_type": content_type,
                "source": source,
                "content_base64": content_base64,
            },
        )


class DataServicenowRecord(RawDataSource):
    """data `servicenow_record`: exactly one existing row found by an encoded query."""

    def __init__(self, scope: Construct, id_: str, *, table: str, query: str) -> None:
        super().__init__(
            scope,
            id_,
            type_="servicenow_record",
            provider_name=PROVIDER_NAME,
            attrs={"table": table, "query": query},
        )


def catalog_record(
    scope: Construct,
    id_: str,
    names: InstanceNames,
    table_key: str,
    /,
    *,
    adopt_on: tuple[str, ...] = (),
    secret: Mapping[str, str | bool | int] | None = None,
    depends_on: list[Any] | None = None,
    **values: str | bool | int,
) -> ServicenowRecord:
    """A record of the catalog table `table_key`, under the names the instance uses (`names`).

    `values` and `secret` (written as sensitive fields) are keyed by logical column. With
    `adopt_on` (logical columns), a record the instance already has with those values is
    adopted instead of created, and destroy puts back what it held before: out-of-the-box
    records must survive our destroy, and a twin would leave the original in charge.
    """
    return ServicenowRecord(
        scope,
        id_,
        table=names.table(table_key),
        fields=names.row(table_key, **values),
        sensitive_fields=names.row(table_key, **secret) if secret else None,
        match_on=names.columns(table_key, *adopt_on),
        on_destroy="restore" if adopt_on else "delete",
        depends_on=depends_on,
    )
