"""Data source `servicenow_record`: exactly one record found by an encoded query."""

from __future__ import annotations

from tf.iface import Config, DataSource, ReadDataContext, State
from tf.schema import Attribute, Schema
from tf.types import Map, String

from terraform_provider_servicenow.diagnostics import reporting
from terraform_provider_servicenow.exceptions import ConfigError
from terraform_provider_servicenow.normalize import check_query, remote_value
from terraform_provider_servicenow.resource_base import ProviderBound

# Enough to say "several" and name a few of them.
SHOWN_MATCHES = 5

SCHEMA = Schema(
    version=0,
    attributes=[
        Attribute("table", String(), required=True, description="Table name."),
        Attribute(
            "query",
            String(),
            required=True,
            description="Encoded query, e.g. `id=sn_msteams_com_spk.MSTeamsCommunicationsSpoke`. "
            "It must match exactly one record.",
        ),
        Attribute("sys_id", String(), computed=True, description="The record's sys_id."),
        Attribute(
            "fields",
            Map(String()),
            computed=True,
            description="Every column of the record as a string (references as sys_ids).",
        ),
    ],
)


class RecordDataSource(ProviderBound, DataSource):
    NAME = "record"
    SCHEMA = SCHEMA

    @staticmethod
    def check(config: Config) -> None:
        query = config.get("query")
        if isinstance(query, str):
            check_query("query", query)

    def read(self, ctx: ReadDataContext, config: Config) -> State | None:
        with reporting(ctx.diagnostics):
            self.checked(config)
            table = config["table"]
            query = config["query"]
            records = self.provider.get_client().query(table, query, max_records=SHOWN_MATCHES + 1)
            if len(records) != 1:
                raise ConfigError(_count_problem(table, query, records), _count_fix(records))
            record = records[0]
            return config | {
                "sys_id": remote_value(record.get("sys_id")),
                "fields": {k: remote_value(v) for k, v in record.items()},
            }
        return None


def _count_problem(table: str, query: str, records: list[dict[str, object]]) -> str:
    if not records:
        return f"no record in '{table}' matches {query!r}"
    ids = ", ".join(remote_value(r.get("sys_id")) for r in records[:SHOWN_MATCHES])
    more = " and more" if len(records) > SHOWN_MATCHES else ""
    return f"several records in '{table}' match {query!r}: {ids}{more}"


def _count_fix(records: list[dict[str, object]]) -> str:
    if not records:
        return "Check the query (field names, values) or create the record first."
    return "Narrow the query (add ^<column>=<value> terms) so that it matches exactly one record."
