"""Discovered ServiceNow names as tenant-file overrides: printed as TOML, or written into the
tenant file itself with its comments, key order and formatting kept (tomlkit).

    text = overrides_toml(discovery)          # what `schema discover` prints
    add_overrides(Path("tenants/acme.toml"), discovery.overrides())
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import tomlkit
from tomlkit.items import Table as TomlTable

from teams_notify.config import parse_tenant
from teams_notify.errors import BadInputError
from teams_notify.files import read_input, write_atomic
from teams_notify.schema_discover import OVERRIDE_SECTIONS, Discovery


def overrides_toml(discovery: Discovery) -> str:
    """The found overrides as a TOML fragment (each with why as a comment), then what stayed open."""
    doc = tomlkit.document()
    doc.add(tomlkit.comment(f"teams-notify schema discover: names found on {discovery.instance_url}"))
    overrides = discovery.overrides()
    if overrides:
        section = tomlkit.table(is_super_table=True)
        _merge(section, overrides)
        doc.add("overrides", section)
        for found in discovery.found:
            _item(doc, found.config_key).comment(found.how)
    else:
        doc.add(tomlkit.comment("nothing found to override"))
    text = tomlkit.dumps(doc)
    for item in discovery.unresolved:
        kind = "ambiguous" if item.ambiguous else "not found"
        text += f"# {kind}: {item.config_key} ({item.what}): {item.reason}; set it by hand\n"
    return text


def _item(doc: Any, config_key: str) -> Any:
    node = doc
    for part in config_key.split("."):
        node = node[part]
    return node


def _merge(table: Any, values: dict[str, Any]) -> None:
    """Set `values` into a tomlkit table, creating sub-tables as needed, keeping what is there."""
    for key, value in values.items():
        if isinstance(value, dict):
            if key not in table:
                nested = any(isinstance(v, dict) for v in value.values())
                table.add(key, tomlkit.table(is_super_table=nested))
            _merge(table[key], value)
        else:
            table[key] = value


def add_overrides(path: Path, overrides: dict[str, Any]) -> None:
    """Add `overrides` (replacing the same keys) to the tenant file's `[overrides]`, keeping the
    rest of the file as it is; the result is validated before it replaces the file."""
    text = read_input(path, "tenant file").decode("utf-8")
    try:
        doc = tomlkit.parse(text)
    except tomlkit.exceptions.ParseError as err:
        raise BadInputError(f"{path}: not valid TOML: {err}", "fix the syntax") from None
    section = doc.get("overrides")
    if section is None:
        section = tomlkit.table(is_super_table=True)
        doc.add("overrides", section)
    elif not isinstance(section, TomlTable):
        raise BadInputError(f"{path}: overrides is not a table", "make it [overrides.tables] etc.")
    _merge(section, {k: v for k, v in overrides.items() if k in OVERRIDE_SECTIONS})
    new_text = tomlkit.dumps(doc)
    parse_tenant(tomllib.loads(new_text), path)  # never write a file load_tenant would refuse
    write_atomic(path, new_text.encode("utf-8"), mode=path.stat().st_mode & 0o777)
