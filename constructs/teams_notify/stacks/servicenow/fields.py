"""Turn logical column keys into the instance's column names and Table-API string values."""

from __future__ import annotations

from teams_notify.catalog import TABLES
from teams_notify.config import TenantConfig

X5T_PLACEHOLDER_PREFIX = "teams-notify:x5t:"


def value(v: str | bool | int) -> str:
    """Table API values are strings: booleans as 'true'/'false', numbers as digits."""
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


def row(tenant: TenantConfig, table_key: str, **values: str | bool | int) -> dict[str, str]:
    """`{column name on this instance: string value}` for the given logical columns; a choice
    column's value is a catalog choice key, written as the instance's stored value."""
    out = {}
    for key, v in values.items():
        column = TABLES[table_key].columns[key]
        if column.choices and isinstance(v, str) and v in column.choice_keys():
            v = tenant.choice(table_key, key, v)
        out[tenant.column(table_key, key)] = value(v)
    return out


def columns(tenant: TenantConfig, table_key: str, *keys: str) -> list[str]:
    """The instance's names of the given logical columns (for `match_on`)."""
    return [tenant.column(table_key, key) for key in keys]


def x5t_placeholder(cert_key: str) -> str:
    """Stands for a certificate's x5t until the post-synth hook computes and fills it in."""
    return f"{X5T_PLACEHOLDER_PREFIX}{cert_key}"
