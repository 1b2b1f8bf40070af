"""Check the tables, columns and choice values a tenant's ServiceNow stack writes against the
target instance's `sys_db_object` / `sys_dictionary` / `sys_choice`, before anything is written.

A real instance silently ignores unknown columns in writes (DESIGN.md), so a wrong name would
otherwise show up only as a field that stays empty. What is checked comes from the stack itself
(built in memory, not synthesized), so it follows the tenant's overrides exactly.

    expected = written_schema(tenant)
    with instance_client(url) as client:
        findings = check_schema(expected, read_instance_schema(client, expected))
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from teams_notify.catalog import TABLES
from teams_notify.config import TenantConfig
from teams_notify.errors import BadInputError, CheckFailedError

if TYPE_CHECKING:
    from terraform_provider_servicenow.client import ServiceNowClient

# Columns every record has; they are no catalog entry, so no override could fix them.
SYSTEM_COLUMNS = frozenset({"sys_id"})
MAX_ROWS = 50_000


@dataclass(frozen=True)
class Expected:
    """One name the stack writes: a table, a column of it, or a literal choice value of a column."""

    table_key: str
    table: str
    column_key: str | None = None
    column: str | None = None
    choice: str | None = None
    choice_key: str | None = None  # the catalog's key of that choice value (None: not a catalog choice)

    @property
    def kind(self) -> str:
        return "choice" if self.choice is not None else "column" if self.column else "table"

    @property
    def label(self) -> str:
        if self.choice is not None:
            return f"{self.table}.{self.column} = {self.choice}"
        return f"{self.table}.{self.column}" if self.column else self.table

    @property
    def config_key(self) -> str:
        """The tenant-config key that renames this table or column."""
        if self.kind == "table":
            return f"overrides.tables.{self.table_key}"
        if self.kind == "choice" and self.choice_key:
            return f"overrides.choices.{self.table_key}.{self.column_key}.{self.choice_key}"
        return f"overrides.columns.{self.table_key}.{self.column_key}"

    def fix(self, tenant_file: str) -> str:
        if self.kind == "table":
            return (
                f"install the plugin that provides {self.table}, or set "
                f'[overrides.tables] {self.table_key} = "<table on this instance>" in {tenant_file}'
            )
        column_override = (
            f'[overrides.columns.{self.table_key}] {self.column_key} = "<column on this instance>"'
        )
        if self.kind == "column":
            return f"set {column_override} in {tenant_file}"
        if self.choice_key is None:
            return f"the choice list of {self.table}.{self.column} (sys_choice) has no value {self.choice!r}"
        section = f"[overrides.choices.{self.table_key}.{self.column_key}]"
        choice_override = f'{section} {self.choice_key} = "<value on this instance>"'
        return (
            f"the choice list of {self.table}.{self.column} (sys_choice) has no value {self.choice!r}: set "
            f"{choice_override} in {tenant_file} (teams-notify schema discover finds it by its label)"
        )


@dataclass(frozen=True)
class Finding:
    expected: Expected
    present: bool

    def to_json(self, tenant_file: str) -> dict[str, Any]:
        e = self.expected
        return {
            "kind": e.kind,
            "table_key": e.table_key,
            "table": e.table,
            "column_key": e.column_key,
            "column": e.column,
            "choice": e.choice,
            "config_key": e.config_key,
            "present": self.present,
            "fix": None if self.present else e.fix(tenant_file),
        }


@dataclass
class InstanceSchema:
    """What the instance has: tables, columns per table (inherited included), choice values."""

    tables: set[str] = field(default_factory=set)
    columns: dict[str, set[str]] = field(default_factory=dict)
    choices: dict[tuple[str, str], set[str]] = field(default_factory=dict)


def _stack_records(tenant: TenantConfig) -> Iterator[tuple[str, dict[str, str]]]:
    """(table, {column: value}) for every record, attachment and lookup of the ServiceNow stack."""
    from teams_notify.stacks.compat import App
    from teams_notify.stacks.servicenow.record import (
        DataServicenowRecord,
        ServicenowAttachment,
        ServicenowRecord,
    )
    from teams_notify.stacks.stack import ServiceNowStack

    stack = ServiceNowStack(App(), tenant, stack_dir=Path.cwd())
    for node in stack.node.find_all():
        if isinstance(node, ServicenowRecord):
            yield node.table, {**node.fields, **(node.attrs["sensitive_fields"] or {})}
        elif isinstance(node, (ServicenowAttachment, DataServicenowRecord)):
            yield node.attrs["table"], {}


def written_schema(tenant: TenantConfig) -> list[Expected]:
    """Every table, column and literal choice value the tenant's ServiceNow stack writes, in catalog order."""
    table_keys = {tenant.table(key): key for key in TABLES}
    found: set[Expected] = set()
    for table, values in _stack_records(tenant):
        table_key = table_keys[table]
        found.add(Expected(table_key, table))
        column_keys = {tenant.column(table_key, key): key for key in TABLES[table_key].columns}
        for column, value in values.items():
            if column in SYSTEM_COLUMNS:
                continue
            column_key = column_keys[column]
            found.add(Expected(table_key, table, column_key, column))
            catalog_column = TABLES[table_key].columns[column_key]
            if catalog_column.type == "choice" and "${" not in value:
                keys = [
                    k
                    for k in catalog_column.choice_keys()
                    if tenant.choice(table_key, column_key, k) == value
                ]
                found.add(Expected(table_key, table, column_key, column, value, keys[0] if keys else None))
    return sorted(found, key=_catalog_order)


def _catalog_order(e: Expected) -> tuple[int, int, str]:
    table_index = list(TABLES).index(e.table_key)
    columns = list(TABLES[e.table_key].columns)
    return table_index, columns.index(e.column_key) + 1 if e.column_key else 0, e.choice or ""


def _in(names: Iterable[str]) -> str:
    # Names are validated identifiers (shapes.IDENT_RE): no `^` or `,` can widen the query.
    return ",".join(sorted(set(names)))


def _parents(rows: Iterable[dict[str, str]], known: dict[str, dict[str, str]]) -> set[str]:
    return {p for r in rows if (p := r.get("super_class") or "") and p not in known}


def lineage(client: ServiceNowClient, tables: set[str]) -> dict[str, list[str]]:
    """`{table: [table, parent, grandparent, ...]}` for the tables that exist (columns are inherited)."""
    fields = ["name", "super_class"]
    rows = client.query("sys_db_object", f"nameIN{_in(tables)}", fields, MAX_ROWS)
    by_id = {r["sys_id"]: r for r in rows if r.get("name") in tables}
    pending = _parents(by_id.values(), by_id)
    while pending:
        parents = [
            r
            for r in client.query("sys_db_object", f"sys_idIN{_in(pending)}", fields)
            if r["sys_id"] in pending
        ]
        by_id |= {r["sys_id"]: r for r in parents}
        pending = _parents(parents, by_id) if parents else set()
    chains = {}
    for row in by_id.values():
        if row.get("name") not in tables:
            continue
        chain: list[str] = []
        current: dict[str, str] | None = row
        while current is not None and current["name"] not in chain:
            chain.append(current["name"])
            current = by_id.get(current.get("super_class") or "")
        chains[row["name"]] = chain
    return chains


def read_instance_schema(client: ServiceNowClient, expected: list[Expected]) -> InstanceSchema:
    """Read the instance's tables, (inherited) columns and choice values for the expected names."""
    lineage_of = lineage(client, {e.table for e in expected})
    all_tables = {name for chain in lineage_of.values() for name in chain}
    schema = InstanceSchema(tables=set(lineage_of))
    if not all_tables:
        return schema
    own: dict[str, set[str]] = {}
    for row in client.query(
        "sys_dictionary", f"nameIN{_in(all_tables)}", ["name", "element", "active"], MAX_ROWS
    ):
        if row.get("element") and row.get("active", "true") != "false":
            own.setdefault(row["name"], set()).add(row["element"])
    schema.columns = {t: set().union(*(own.get(p, set()) for p in chain)) for t, chain in lineage_of.items()}
    elements = {e.column for e in expected if e.choice is not None}
    if elements:
        query = f"nameIN{_in(all_tables)}^elementIN{_in(e for e in elements if e)}"
        rows = client.query("sys_choice", query, ["name", "element", "value", "inactive"], MAX_ROWS)
        choices_of: dict[tuple[str, str], set[str]] = {}
        for row in rows:
            if row.get("inactive") != "true":
                choices_of.setdefault((row["name"], row["element"]), set()).add(row.get("value", ""))
        for table, chain in lineage_of.items():
            for element in elements:
                values = set().union(*(choices_of.get((p, element or ""), set()) for p in chain))
                schema.choices[(table, element or "")] = values
    return schema


def check_schema(expected: list[Expected], schema: InstanceSchema) -> list[Finding]:
    """Present/missing for every expected name; names under a missing table or column are left out."""
    findings = []
    for e in expected:
        if e.kind == "table":
            findings.append(Finding(e, e.table in schema.tables))
        elif e.table in schema.tables:
            has_column = (e.column or "") in schema.columns.get(e.table, set())
            if e.kind == "column":
                findings.append(Finding(e, has_column))
            elif has_column:
                findings.append(Finding(e, e.choice in schema.choices.get((e.table, e.column or ""), set())))
    return findings


@contextmanager
def instance_client(instance_url: str, activity: str = "reading the schema of") -> Iterator[ServiceNowClient]:
    """The provider's HTTP client, credentials from SERVICENOW_USERNAME/_PASSWORD (or _TOKEN, or
    SERVICENOW_CLIENT_ID/_SECRET) in the environment, never from the command line."""
    from terraform_provider_servicenow.client import ServiceNowClient
    from terraform_provider_servicenow.exceptions import AuthenticationError, ServiceNowError
    from terraform_provider_servicenow.provider import settings_from

    try:
        settings = settings_from({"instance_url": instance_url}, os.environ)
    except ServiceNowError as err:
        raise BadInputError(err.summary, err.detail or None) from None
    client = ServiceNowClient(settings)
    try:
        yield client
    except AuthenticationError as err:
        raise BadInputError(err.summary, err.detail or None) from None
    except ServiceNowError as err:
        raise CheckFailedError(f"{activity} {instance_url}: {err.summary}", err.detail or None) from None
    finally:
        client.close()


def run_check(tenant: TenantConfig, instance_url: str | None = None) -> tuple[str, list[Finding]]:
    """(instance url, findings) for the tenant's ServiceNow stack against its (or the given) instance."""
    url = instance_url or tenant.servicenow.instance_url
    expected = written_schema(tenant)
    with instance_client(url) as client:
        schema = read_instance_schema(client, expected)
    return url, check_schema(expected, schema)
