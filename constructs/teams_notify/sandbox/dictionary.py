"""The sandbox's table definitions and the `sys_db_object` / `sys_dictionary` / `sys_choice`
rows that describe them.

The tables come from the project's catalog (`teams_notify.catalog.TABLES`) plus
the system tables a real instance has and our tooling reads. The rows are seeded into the
database, and the sandbox reads its schema back from those rows: deleting a
`sys_dictionary` row makes that column unknown (writes to it are ignored), which is how a
test can play an instance of another release.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from teams_notify.catalog import TABLES

SCHEMA_TABLES = ("sys_db_object", "sys_dictionary", "sys_choice")


@dataclass(frozen=True)
class ColumnDef:
    """One column as the sandbox sees it; `reference` is a table name (not a catalog key)."""

    name: str
    type: str = "string"
    reference: str = ""
    label: str = ""


@dataclass(frozen=True)
class TableDef:
    """One table: name, label, scope name and columns by name."""

    name: str
    label: str
    scope: str = "global"
    columns: dict[str, ColumnDef] = field(default_factory=dict)
    choices: dict[str, tuple[str, ...]] = field(default_factory=dict)


# Every record has these; the sandbox sets them and ignores them in writes.
SYSTEM_COLUMNS: tuple[ColumnDef, ...] = (
    ColumnDef("sys_id", "GUID", label="Sys ID"),
    ColumnDef("sys_created_on", "glide_date_time", label="Created"),
    ColumnDef("sys_created_by", label="Created by"),
    ColumnDef("sys_updated_on", "glide_date_time", label="Updated"),
    ColumnDef("sys_updated_by", label="Updated by"),
    ColumnDef("sys_mod_count", "integer", label="Updates"),
)
SYSTEM_COLUMN_NAMES = frozenset(c.name for c in SYSTEM_COLUMNS)


def _table(name: str, label: str, *columns: ColumnDef, scope: str = "global") -> TableDef:
    return TableDef(name, label, scope, {c.name: c for c in columns})


SYSTEM_TABLES: tuple[TableDef, ...] = (
    _table(
        "sys_user",
        "User",
        ColumnDef("user_name"),
        ColumnDef("name"),
        ColumnDef("email"),
        ColumnDef("user_password", "password2"),
        ColumnDef("active", "boolean"),
    ),
    _table("sys_scope", "Application", ColumnDef("scope"), ColumnDef("name"), ColumnDef("version")),
    _table(
        "sys_db_object",
        "Table",
        ColumnDef("name"),
        ColumnDef("label"),
        ColumnDef("sys_scope", "reference", "sys_scope"),
    ),
    _table(
        "sys_dictionary",
        "Dictionary Entry",
        ColumnDef("name"),
        ColumnDef("element"),
        ColumnDef("column_label"),
        ColumnDef("internal_type"),
        ColumnDef("reference"),
        ColumnDef("active", "boolean"),
    ),
    _table(
        "sys_choice",
        "Choices",
        ColumnDef("name"),
        ColumnDef("element"),
        ColumnDef("value"),
        ColumnDef("label"),
        ColumnDef("sequence", "integer"),
        ColumnDef("inactive", "boolean"),
    ),
    _table(
        "sys_attachment",
        "Attachment",
        ColumnDef("file_name"),
        ColumnDef("content_type"),
        ColumnDef("size_bytes", "integer"),
        ColumnDef("hash"),
        ColumnDef("table_name"),
        ColumnDef("table_sys_id"),
    ),
)


def catalog_tables() -> list[TableDef]:
    """The system tables plus every table of the project's catalog."""
    tables = list(SYSTEM_TABLES)
    for table in TABLES.values():
        columns = {
            col.name: ColumnDef(
                col.name,
                col.type,
                TABLES[col.reference].name if col.reference else "",
                col.label or col.name.replace("_", " ").capitalize(),
            )
            for col in table.columns.values()
        }
        choices = {col.name: col.choices for col in table.columns.values() if col.choices}
        tables.append(TableDef(table.name, table.label, table.scope, columns, choices))
    return tables


def schema_rows(tables: Iterable[TableDef], scope_ids: dict[str, str]) -> dict[str, list[dict[str, str]]]:
    """The rows describing `tables`, by schema table; `scope_ids` maps scope name to sys_scope sys_id."""
    rows: dict[str, list[dict[str, str]]] = {name: [] for name in SCHEMA_TABLES}
    for table in tables:
        rows["sys_db_object"].append(
            {"name": table.name, "label": table.label, "sys_scope": scope_ids[table.scope]}
        )
        for col in (*SYSTEM_COLUMNS, *table.columns.values()):
            rows["sys_dictionary"].append(
                {
                    "name": table.name,
                    "element": col.name,
                    "column_label": col.label or col.name,
                    "internal_type": col.type,
                    "reference": col.reference,
                    "active": "true",
                }
            )
        for element, values in table.choices.items():
            for sequence, value in enumerate(values):
                rows["sys_choice"].append(
                    {
                        "name": table.name,
                        "element": element,
                        "value": value,
                        "label": value.replace("_", " ").capitalize(),
                        "sequence": str(sequence),
                        "inactive": "false",
                    }
                )
    return rows


def tables_from_rows(
    db_objects: Iterable[dict[str, str]], dictionary: Iterable[dict[str, str]]
) -> dict[str, TableDef]:
    """Rebuild table definitions from `sys_db_object` and `sys_dictionary` rows."""
    tables = {row["name"]: TableDef(row["name"], row.get("label", "")) for row in db_objects}
    for row in dictionary:
        table = tables.get(row.get("name", ""))
        element = row.get("element", "")
        if table is not None and element and row.get("active", "true") == "true":
            table.columns[element] = ColumnDef(
                element, row.get("internal_type") or "string", row.get("reference", "")
            )
    return tables
