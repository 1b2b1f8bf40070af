"""Resource `servicenow_record`: one row of any ServiceNow table.

`fields` are managed and drift-checked (compared after normalisation, so ServiceNow's
spelling of a boolean or date never shows as a change); `sensitive_fields` are written and
never read back (the state keeps what we wrote). With `match_on` an existing row whose
listed fields equal ours is adopted instead of inserting a twin; `adopted_values` keeps the
values it had before so `on_destroy = "restore"` can put them back.
"""

from __future__ import annotations

from dataclasses import dataclass
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
from tf.types import Bool, List, Map, String, Unknown
from tf.utils import Diagnostics

from terraform_provider_servicenow.diagnostics import is_known, reporting
from terraform_provider_servicenow.exceptions import ConfigError, ServiceNowError
from terraform_provider_servicenow.normalize import (
    check_column,
    check_match_value,
    check_table,
    exact_query,
    matches_exactly,
    parse_import_id,
    record_id,
    remote_value,
    same_value,
    user_columns,
)
from terraform_provider_servicenow.resource_base import ProviderBound

if TYPE_CHECKING:  # the client (and its HTTP pool) is imported when the provider is configured
    from terraform_provider_servicenow.client import ServiceNowClient

ON_DESTROY = ("delete", "keep", "restore")

SCHEMA = Schema(
    version=0,
    attributes=[
        Attribute("id", String(), computed=True, description="`<table>/<sys_id>`."),
        Attribute(
            "table",
            String(),
            required=True,
            requires_replace=True,
            description="Table name, e.g. `sys_certificate`.",
        ),
        Attribute(
            "fields",
            Map(String()),
            optional=True,
            description="Managed columns (name -> value as ServiceNow stores it). Drift is detected.",
        ),
        Attribute(
            "sensitive_fields",
            Map(String()),
            optional=True,
            sensitive=True,
            description="Columns that are written but never read back (passwords). Drift is not detected.",
        ),
        Attribute(
            "match_on",
            List(String()),
            optional=True,
            description="Keys of `fields`: adopt the one existing record whose values for them equal ours.",
        ),
        Attribute(
            "on_destroy",
            String(),
            optional=True,
            description="`delete` (default for created records), `keep` (default for adopted records) or "
            "`restore` (put back the values an adopted record had before).",
        ),
        Attribute("sys_id", String(), computed=True, description="The record's sys_id."),
        Attribute(
            "adopted", Bool(), computed=True, description="True when match_on adopted an existing record."
        ),
        Attribute(
            "adopted_values",
            Map(String()),
            computed=True,
            description="Values the managed fields had before adoption (used by `on_destroy = restore`).",
        ),
    ],
)


def check_config(config: Config) -> None:
    """Checks that need values (run at validate time on what is known, and again at apply)."""
    table = config.get("table")
    if isinstance(table, str):
        check_table(table)
    on_destroy = config.get("on_destroy")
    if isinstance(on_destroy, str) and on_destroy not in ON_DESTROY:
        raise ConfigError(f"on_destroy must be one of {', '.join(ON_DESTROY)}, not {on_destroy!r}")
    fields = config.get("fields")
    secrets = config.get("sensitive_fields")
    for names in (fields, secrets):
        if isinstance(names, dict):
            for name in names:
                check_column(name)
    if isinstance(fields, dict) and isinstance(secrets, dict) and set(fields) & set(secrets):
        both = ", ".join(sorted(set(fields) & set(secrets)))
        raise ConfigError(
            f"columns in both fields and sensitive_fields: {both}", "Put each column in one of the two maps."
        )
    check_match_on(config.get("match_on"), fields)

def check_match_on(match_on: Any, fields: Any) -> None:
    if not isinstance(match_on, list) or not isinstance(fields, dict):
        return
    for column in match_on:
        if not isinstance(column, str):
            continue
        if column not in fields:
            raise ConfigError(
                f"match_on column {column!r} is not a key of fields",
                "match_on lists columns whose values in `fields` identify the record to adopt.",
            )
        value = fields[column]
        if isinstance(value, str):
            check_match_value(column, value)


@dataclass(frozen=True)
class RecordState:
    """A `servicenow_record` state (or planned state) read once per operation: unset maps are
    empty, unset lists empty tuples, so the operations below never re-read the raw dict."""

    table: str
    fields: dict[str, str]
    fields_set: bool  # `fields` given at all (an import without ?fields= may leave it unset)
    secrets: dict[str, str]
    match_on: tuple[str, ...]
    on_destroy: str | None
    sys_id: str
    adopted: bool
    adopted_values: dict[str, str]
    adopted_values_pending: bool  # planned Unknown: remember new columns of an adopted record at apply

    @classmethod
    def of(cls, state: State) -> RecordState:
        fields = state.get("fields")
        adopted_values = state.get("adopted_values")
        return cls(
            table=state["table"],
            fields=dict(fields or {}),
            fields_set=fields is not None,
            secrets=dict(state.get("sensitive_fields") or {}),
            match_on=tuple(state.get("match_on") or ()),
            on_destroy=state.get("on_destroy"),
            sys_id=state.get("sys_id") or "",
            adopted=bool(state.get("adopted")),
            adopted_values=dict(adopted_values) if isinstance(adopted_values, dict) else {},
            adopted_values_pending=adopted_values is Unknown,
        )

    @property
    def destroy_mode(self) -> str:
        """What destroy does: the configured on_destroy, else keep adopted records, delete ours."""
        return self.on_destroy or ("keep" if self.adopted else "delete")

    @property
    def match(self) -> dict[str, str]:
        """The match_on columns with our values for them."""
        return {column: self.fields[column] for column in self.match_on}


class RecordResource(ProviderBound, Resource):
    NAME = "record"
    SCHEMA = SCHEMA
    check = staticmethod(check_config)

    # -------------------------------------------------------------------- create

    def create(self, ctx: CreateContext, planned: State) -> State | None:
        with reporting(ctx.diagnostics):
            self.checked(planned)
            return self._create(ctx.diagnostics, self.provider.get_client(), planned)
        return None

    def _create(self, diags: Diagnostics, client: ServiceNowClient, planned: State) -> State:
        plan = RecordState.of(planned)
        wanted = list(plan.fields)
        if plan.match:
            existing = find_match(client, plan.table, plan.match, wanted)
            if existing is not None:
                return self._adopt(diags, client, planned, plan, existing)
        # Exactly once without match_on: the client picks the sys_id and recovers lost responses.
        record = client.create_record(plan.table, plan.fields | plan.secrets, wanted)
        check_written(diags, plan.table, plan.fields, record)
        return located(planned, remote_value(record.get("sys_id")), adopted_values=None)

    def _adopt(
        self,
        diags: Diagnostics,
        client: ServiceNowClient,
        planned: State,
        plan: RecordState,
        existing: dict[str, Any],
    ) -> State:
        sys_id = remote_value(existing.get("sys_id"))
        before = {k: remote_value(existing[k]) for k in plan.fields if k in existing}
        changes = changed(plan.fields, before) | plan.secrets
        gone = ServiceNowError(f"the record {plan.table}/{sys_id} to adopt was deleted while adopting it")
        write_changes(diags, client, plan.table, sys_id, changes, plan.fields, gone)
        return located(planned, sys_id, adopted_values=before)

    # ---------------------------------------------------------------------- read

    def read(self, ctx: ReadContext, current: State) -> State | None:
        with reporting(ctx.diagnostics):
            now = RecordState.of(current)
            record = self.provider.get_client().get_record(now.table, now.sys_id, list(now.fields))
            if record is None:
                return None  # deleted outside Terraform: drop from state, the next plan re-creates it
            return current | {"fields": refreshed(now.fields, record) if now.fields_set else None}
        return current

    # ---------------------------------------------------------------------- plan

    def plan(self, ctx: PlanContext, current: State | None, planned: State) -> State | None:
        fields = planned.get("fields")
        if current is None or not is_known(fields) or not fields:
            return planned
        now = RecordState.of(current)
        # An adopted record gains a managed column: remember its pre-adoption value at apply.
        if now.adopted and set(fields) - set(now.adopted_values):
            planned["adopted_values"] = Unknown
        return planned

    # -------------------------------------------------------------------- update

    def update(self, ctx: UpdateContext, current: State, planned: State) -> State | None:
        with reporting(ctx.diagnostics):
            self.checked(planned)
            return self._update(ctx.diagnostics, self.provider.get_client(), current, planned)
        return current  # failed: keep what Terraform knew

    def _update(self, diags: Diagnostics, client: ServiceNowClient, current: State, planned: State) -> State:
        now, plan = RecordState.of(current), RecordState.of(planned)
        table, sys_id = now.table, now.sys_id
        changes = changed(plan.fields, now.fields)
        changes |= {k: v for k, v in plan.secrets.items() if now.secrets.get(k) != v}

        # Only an adopted record has adopted_values (a record we created keeps null).
        adopted_values = now.adopted_values if now.adopted else None
        if plan.adopted_values_pending:
            adopted_values = remember_new_columns(client, table, sys_id, plan.fields, now.adopted_values)
        gone = ServiceNowError(
            f"the record {table}/{sys_id} was deleted outside Terraform during apply",
            "Run terraform apply again: the refresh will notice and create it.",
        )
        write_changes(diags, client, table, sys_id, changes, plan.fields, gone)
        return planned | {"adopted_values": adopted_values}

    # -------------------------------------------------------------------- delete

    def delete(self, ctx: DeleteContext, current: State) -> State | None:
        with reporting(ctx.diagnostics):
            now = RecordState.of(current)
            mode = now.destroy_mode
            if mode == "keep":
                return None
            client = self.provider.get_client()
            if mode == "restore" and now.adopted:
                # Restore only what we recorded; sensitive columns are never recorded.
                if now.adopted_values:  # a 404 means nothing is left to restore
                    client.update_record(now.table, now.sys_id, now.adopted_values, list(now.adopted_values))
                return None
            # "delete", or "restore" of a record we created: before us there was no record.
            client.delete_record(now.table, now.sys_id)  # already gone is fine
            return None
        return current  # failed: the record stays in state

    # -------------------------------------------------------------------- import

    def import_(self, ctx: ImportContext, id: str) -> State | None:
        with reporting(ctx.diagnostics):
            table, sys_id, columns = parse_import_id(id)
            record = self.provider.get_client().get_record(table, sys_id, columns)
            if record is None:
                raise ConfigError(
                    f"no record {record_id(table, sys_id)} to import",
                    f"Check the sys_id exists in table '{table}'.",
                )
            return {
                "id": record_id(table, sys_id),
                "table": table,
                "fields": imported_fields(table, record, columns),
                "sensitive_fields": None,
                "match_on": None,
                "on_destroy": None,
                "sys_id": sys_id,
                "adopted": False,
                "adopted_values": None,
            }
        return None


def find_match(
    client: ServiceNowClient, table: str, match: dict[str, str], wanted: list[str]
) -> dict[str, Any] | None:
    """The one record whose match columns equal ours exactly, None if there is none."""
    candidates = client.query(table, exact_query(match), wanted)
    exact = [record for record in candidates if matches_exactly(record, match)]
    if len(exact) > 1:
        ids = ", ".join(remote_value(r.get("sys_id")) for r in exact)
        shown = ", ".join(f"{k}={v!r}" for k, v in sorted(match.items()))
        raise ConfigError(
            f"match_on found {len(exact)} records in '{table}' with {shown}: {ids}",
            "Add columns to match_on so exactly one record matches, or remove the duplicates.",
        )
    return exact[0] if exact else None


def refreshed(ours: dict[str, str], record: dict[str, Any]) -> dict[str, str]:
    """Managed fields after a refresh: our spelling where ServiceNow's value means the same,
    ServiceNow's value where it changed; a column ServiceNow no longer returns is dropped so the
    plan shows it as missing."""
    result: dict[str, str] = {}
    for column, value in ours.items():
        if column not in record:
            continue
        theirs = remote_value(record[column])
        result[column] = value if same_value(value, theirs) else theirs
    return result


def located(planned: State, sys_id: str, adopted_values: dict[str, str] | None) -> State:
    """The planned state completed with the record it now stands for (adopted when
    adopted_values is not None: they are what the record held before)."""
    return planned | {
        "id": record_id(planned["table"], sys_id),
        "sys_id": sys_id,
        "adopted": adopted_values is not None,
        "adopted_values": adopted_values,
    }


def changed(fields: dict[str, str], before: dict[str, str]) -> dict[str, str]:
    """The columns of `fields` whose value means something else than in `before` (or is new)."""
    return {k: v for k, v in fields.items() if k not in before or not same_value(v, before[k])}


def write_changes(
    diags: Diagnostics,
    client: ServiceNowClient,
    table: str,
    sys_id: str,
    changes: dict[str, str],
    fields: dict[str, str],
    gone: ServiceNowError,
) -> None:
    """PATCH `changes` (nothing when empty) and check the managed `fields` in the answer;
    raise `gone` when the record no longer exists."""
    if not changes:
        return
    written = client.update_record(table, sys_id, changes, list(fields))
    if written is None:
        raise gone
    check_written(diags, table, fields, written)


def check_written(diags: Diagnostics, table: str, fields: dict[str, str], record: dict[str, Any]) -> None:
    """After a write: a column missing from the answer does not exist (ServiceNow ignores unknown
    columns silently); a value stored differently would show as drift on every plan. Reported as
    diagnostics, never raised: the write happened and its state must be kept (as tainted on create)."""
    missing = sorted(column for column in fields if column not in record)
    if missing:
        diags.add_error(
            f"table '{table}' has no column {', '.join(map(repr, missing))} (ServiceNow ignored it)",
            "Check the column names in System Definition > Dictionary (sys_dictionary) for this table.",
            path=["fields"],
        )
    for column, value in fields.items():
        if column not in record:
            continue
        theirs = remote_value(record[column])
        if not same_value(value, theirs):
            diags.add_warning(
                f"ServiceNow stored {table}.{column} as {theirs!r}, not {value!r}",
                "Use the value ServiceNow stores (e.g. a choice value or sys_id, not a label), or every plan "
                "will show a change.",
                path=["fields", (column,)],
            )


def imported_fields(table: str, record: dict[str, Any], columns: list[str] | None) -> dict[str, str]:
    """`fields` of an imported record. With the columns the configuration manages (import id
    `...?fields=a,b`) the first plan is clean when the values agree; without them every non-system,
    non-empty column is taken and the first plan drops those the configuration does not manage."""
    if columns is None:
        return user_columns(record)
    missing = [column for column in columns if column not in record]
    if missing:
        raise ConfigError(
            f"table '{table}' has no column {', '.join(map(repr, missing))}",
            "List the keys of the resource's `fields` after ?fields= (internal column names).",
        )
    return {column: remote_value(record[column]) for column in columns}


def remember_new_columns(
    client: ServiceNowClient, table: str, sys_id: str, fields: dict[str, str], known: dict[str, str]
) -> dict[str, str]:
    """Pre-management values of columns newly added to an adopted record's fields."""
    new = [column for column in fields if column not in known]
    record = client.get_record(table, sys_id, new) if new else None
    if record is None:
        return known
    return known | {column: remote_value(record[column]) for column in new if column in record}
