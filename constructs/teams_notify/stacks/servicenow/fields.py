"""The names an instance uses for the catalog tables and columns a construct writes, and Table-API
string values."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from teams_notify.catalog import TABLES
from teams_notify.config import ServiceNowConfig

X5T_PLACEHOLDER_PREFIX = "teams-notify:x5t:"


def servicenow_default(key: str) -> Any:
    """Tenant config's default for `[servicenow] <key>`: construct props default alike."""
    return ServiceNowConfig.model_fields[key].default


DEFAULT_NAME_PREFIX: str = servicenow_default("name_prefix")


def value(v: str | bool | int) -> str:
    """Table API values are strings: booleans as 'true'/'false', numbers as digits."""
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


@dataclass(frozen=True)
class TableNames:
    """One catalog table as an instance names it: the table, its columns by logical key, and the
    stored values of its choice columns (column key -> choice key -> stored value)."""

    table: str
    columns: Mapping[str, str]
    choices: Mapping[str, Mapping[str, str]]


def catalog_choice(table_key: str, column_key: str, choice_key: str) -> str:
    """The catalog's stored value of a choice (no override)."""
    return TABLES[table_key].columns[column_key].choice(choice_key).value


def _table_names(
    key: str,
    table: Callable[[str], str],
    column: Callable[[str, str], str],
    choice: Callable[[str, str, str], str],
) -> TableNames:
    columns = TABLES[key].columns
    return TableNames(
        table(key),
        {c: column(key, c) for c in columns},
        {c: {k: choice(key, c, k) for k in col.choice_keys()} for c, col in columns.items() if col.choices},
    )


@dataclass(frozen=True)
class InstanceNames:
    """The instance's names of the catalog tables one construct writes, by logical table key.

    Resolved once from config (`resolve`), or the catalog's defaults (`catalog`). Asking for a
    table that is not listed is a KeyError: a construct's props say exactly what it writes.
    """

    tables: Mapping[str, TableNames]

    @classmethod
    def resolve(
        cls,
        keys: tuple[str, ...],
        table: Callable[[str], str],
        column: Callable[[str, str], str],
        choice: Callable[[str, str, str], str] = catalog_choice,
    ) -> InstanceNames:
        """Names of the tables `keys` through lookups such as `TenantConfig.table` / `.column` /
        `.choice` (choice values default to the catalog's)."""
        return cls({key: _table_names(key, table, column, choice) for key in keys})

    @classmethod
    def catalog(cls, *keys: str) -> InstanceNames:
        """The catalog's default names of the tables `keys` (no overrides)."""
        return cls.resolve(
            keys, lambda key: TABLES[key].name, lambda key, column: TABLES[key].columns[column].name
        )

    def table(self, key: str) -> str:
        """The instance's name of a catalog table."""
        return self.tables[key].table

    def column(self, table_key: str, column_key: str) -> str:
        """The instance's name of a catalog column."""
        return self.tables[table_key].columns[column_key]

    def row(self, table_key: str, **values: str | bool | int) -> dict[str, str]:
        """`{column name on this instance: string value}` for the given logical columns; a choice
        column's value is a catalog choice key, written as the instance's stored value."""
        choices = self.tables[table_key].choices
        return {
            self.column(table_key, key): value(choices.get(key, {}).get(v, v) if isinstance(v, str) else v)
            for key, v in values.items()
        }

    def columns(self, table_key: str, *keys: str) -> list[str]:
        """The instance's names of the given logical columns (for `match_on`)."""
        return [self.column(table_key, key) for key in keys]


def x5t_placeholder(cert_key: str) -> str:
    """Stands for a certificate's x5t until the post-synth hook computes and fills it in."""
    return f"{X5T_PLACEHOLDER_PREFIX}{cert_key}"
