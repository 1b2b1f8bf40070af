"""Find the instance's names for what the ServiceNow stack writes but the instance lacks, by what
is known about each name (its evidence in the catalog): a table by its scope and label, a column
by its label and type (a reference also by its target table), a choice value by its label.

A name is only ever taken when exactly one candidate fits; two columns with the same label, or
two tables that fit equally well, are reported as ambiguous and left for a human.

    with instance_client(url) as client:
        discovery = discover(client, tenant)
    discovery.overrides()   # {"tables": {...}, "columns": {...}, "choices": {...}}

Works round by round: a table found in round 1 (e.g. the Teams configuration) makes its columns
checkable in round 2, a column found there makes its choice values checkable in round 3.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from teams_notify.catalog import TABLES, Column, Table
from teams_notify.config import OverridesConfig, TenantConfig
from teams_notify.schema_check import (
    MAX_ROWS,
    Expected,
    check_schema,
    instance_client,
    lineage,
    read_instance_schema,
    written_schema,
)
from teams_notify.shapes import IDENT_RE

if TYPE_CHECKING:
    from terraform_provider_servicenow.client import ServiceNowClient

MAX_ROUNDS = 4
OVERRIDE_SECTIONS = ("tables", "columns", "choices")  # the order they are printed and written in
SYS_ID_RE = re.compile(r"^[0-9a-f]{32}$")
# Internal types that all hold a plain string value the way the stacks write them.
STRINGISH = frozenset({"string", "url", "email", "translated_text", "sys_class_name"})
DICTIONARY_FIELDS = ["name", "element", "column_label", "internal_type", "reference", "active"]


@dataclass(frozen=True)
class Found:
    """A name discovered on the instance: the tenant-config key to set, its value and why."""

    config_key: str
    value: str
    how: str


@dataclass(frozen=True)
class Unresolved:
    """A name the instance lacks that discovery could not settle (ambiguous or not there)."""

    config_key: str
    what: str  # e.g. "column sn_x.tenant_id"
    reason: str
    candidates: tuple[str, ...] = ()

    @property
    def ambiguous(self) -> bool:
        return len(self.candidates) > 1


@dataclass
class Discovery:
    instance_url: str
    found: list[Found] = field(default_factory=list)
    unresolved: list[Unresolved] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.unresolved

    def overrides(self) -> dict[str, Any]:
        """The found names as tenant-config overrides: `{"tables": .., "columns": .., "choices": ..}`."""
        out: dict[str, Any] = {section: {} for section in OVERRIDE_SECTIONS}
        for item in self.found:
            _, section, *path = item.config_key.split(".")
            node = out.setdefault(section, {})
            for part in path[:-1]:
                node = node.setdefault(part, {})
            node[path[-1]] = item.value
        return {section: values for section, values in out.items() if values}


def _norm(label: str) -> str:
    return " ".join(label.lower().replace("-", " ").split())


def _types_fit(ours: str, theirs: str) -> bool:
    return ours == theirs or (ours in STRINGISH and theirs in STRINGISH)


def _in(names: Iterable[str]) -> str:
    return ",".join(sorted(set(names)))


@dataclass(frozen=True)
class DictionaryEntry:
    table: str
    element: str
    label: str
    type: str
    reference: str


class InstanceDictionary:
    """Cached reads of the instance's sys_scope / sys_db_object / sys_dictionary / sys_choice."""

    def __init__(self, client: ServiceNowClient) -> None:
        self.client = client
        self._entries: dict[str, list[DictionaryEntry]] = {}
        self._table_names: dict[str, str] = {}

    def scope_tables(self, scope: str) -> list[dict[str, str]] | None:
        """`[{name, label}]` of the tables in an application scope; None if the scope is not there."""
        if not IDENT_RE.match(scope):  # it goes into an encoded query
            return None
        scopes = [
            r for r in self.client.query("sys_scope", f"scope={scope}", ["scope"]) if r.get("scope") == scope
        ]
        if not scopes:
            return None
        query = f"sys_scopeIN{_in(r['sys_id'] for r in scopes)}"
        return self.client.query("sys_db_object", query, ["name", "label"], MAX_ROWS)

    def tables_labelled(self, label: str) -> list[dict[str, str]]:
        if "^" in label:
            return []
        rows = self.client.query("sys_db_object", f"label={label}", ["name", "label"], MAX_ROWS)
        return [r for r in rows if _norm(r.get("label", "")) == _norm(label)]

    def columns(self, table: str) -> list[DictionaryEntry]:
        """The active columns of `table`, inherited ones included (own definition wins)."""
        if table not in self._entries:
            chain = lineage(self.client, {table}).get(table, [table])
            rows = self.client.query("sys_dictionary", f"nameIN{_in(chain)}", DICTIONARY_FIELDS, MAX_ROWS)
            rows = [r for r in rows if r.get("element") and r.get("active", "true") != "false"]
            names = self._reference_names(r.get("reference", "") for r in rows)
            by_element: dict[str, DictionaryEntry] = {}
            for parent in reversed(chain):  # parents first, so a child's definition replaces theirs
                for r in rows:
                    if r["name"] == parent:
                        ref = r.get("reference") or ""
                        by_element[r["element"]] = DictionaryEntry(
                            table,
                            r["element"],
                            r.get("column_label") or "",
                            r.get("internal_type") or "",
                            names.get(ref, ref),
                        )
            self._entries[table] = list(by_element.values())
        return self._entries[table]

    def _reference_names(self, values: Iterable[str]) -> dict[str, str]:
        """A reference to sys_db_object may come back as the table's sys_id: map those to names."""
        ids = {v for v in values if SYS_ID_RE.match(v or "") and v not in self._table_names}
        if ids:
            rows = self.client.query("sys_db_object", f"sys_idIN{_in(ids)}", ["name"], MAX_ROWS)
            self._table_names |= {r["sys_id"]: r.get("name", "") for r in rows}
        return self._table_names

    def choices(self, table: str, element: str) -> list[tuple[str, str]]:
        """`[(value, label)]` of the active choices of `table.element` (inherited lists included)."""
        chain = lineage(self.client, {table}).get(table, [table])
        query = f"nameIN{_in(chain)}^element={element}"
        rows = self.client.query(
            "sys_choice", query, ["name", "element", "value", "label", "inactive"], MAX_ROWS
        )
        return [
            (r.get("value", ""), r.get("label", ""))
            for r in rows
            if r.get("element") == element and r.get("inactive") != "true"
        ]


class Finder:
    """Looks for one missing name at a time, with the tenant's (and the found) overrides applied."""

    def __init__(self, dictionary: InstanceDictionary, tenant: TenantConfig) -> None:
        self.dictionary = dictionary
        self.tenant = tenant

    def find(self, e: Expected) -> Found | Unresolved:
        if e.kind == "table":
            return self.table(e, TABLES[e.table_key])
        column = TABLES[e.table_key].columns[e.column_key or ""]
        if e.kind == "column":
            return self.column(e, column)
        return self.choice(e, column)

    def table(self, e: Expected, table: Table) -> Found | Unresolved:
        what = f"table {e.table}"
        if table.scope != "global":
            rows = self.dictionary.scope_tables(table.scope)
            if rows is None:
                return Unresolved(
                    e.config_key, what, f"scope {table.scope} is not on the instance (plugin missing?)"
                )
            where = f"in scope {table.scope}"
        else:
            rows = self.dictionary.tables_labelled(table.label)
            where = "by label"
        scored = [(self._table_score(row, table), row["name"]) for row in rows]
        scored = [(score, name) for score, name in scored if score > 0]
        if not scored:
            return Unresolved(e.config_key, what, f"no table {where} matches label {table.label!r}")
        best = max(score for score, _ in scored)
        winners = sorted(name for score, name in scored if score == best)
        if len(winners) > 1:
            return Unresolved(
                e.config_key, what, f"{len(winners)} tables {where} fit equally well", tuple(winners)
            )
        label = next(r.get("label", "") for r in rows if r["name"] == winners[0])
        return Found(e.config_key, winners[0], f"{where}, label {label!r}")

    def _table_score(self, row: dict[str, str], table: Table) -> int:
        """Label equal: 100, one label inside the other: 50, plus one per catalog column label found."""
        ours, theirs = _norm(table.label), _norm(row.get("label", ""))
        score = 100 if ours == theirs else 50 if theirs and (theirs in ours or ours in theirs) else 0
        labels = {_norm(c.label) for c in self.dictionary.columns(row["name"])}
        return score + sum(1 for c in table.columns.values() if _norm(c.label) in labels)

    def column(self, e: Expected, column: Column) -> Found | Unresolved:
        what = f"column {e.table}.{e.column}"
        taken = {
            self.tenant.column(e.table_key, key) for key in TABLES[e.table_key].columns if key != e.column_key
        }
        entries = [c for c in self.dictionary.columns(e.table) if c.element not in taken]
        labelled = [c for c in entries if _norm(c.label) == _norm(column.label)]
        fitting = [c for c in labelled if _types_fit(column.type, c.type)]
        target = self.tenant.table(column.reference) if column.reference else ""
        if column.reference:
            fitting = [c for c in fitting if c.reference in ("", target)]
        if len(fitting) == 1:
            return Found(e.config_key, fitting[0].element, f"label {column.label!r}, type {fitting[0].type}")
        if len(fitting) > 1:
            names = tuple(sorted(c.element for c in fitting))
            reason = f"{len(names)} columns labelled {column.label!r}: {', '.join(names)}"
            return Unresolved(e.config_key, what, reason, names)
        if labelled:
            kinds = ", ".join(f"{c.element} ({c.type})" for c in labelled)
            reason = f"labelled {column.label!r} but of another type than {column.type}: {kinds}"
            return Unresolved(e.config_key, what, reason, ())
        if column.reference:
            refs = [c for c in entries if c.type == column.type and c.reference == target]
            if len(refs) == 1:
                return Found(e.config_key, refs[0].element, f"the only {column.type} to {target}")
            if len(refs) > 1:
                names = tuple(sorted(c.element for c in refs))
                reason = f"no column labelled {column.label!r}; {len(names)} references to {target}: "
                reason += ", ".join(names)
                return Unresolved(e.config_key, what, reason, names)
            return Unresolved(
                e.config_key, what, f"no column labelled {column.label!r} nor any reference to {target}"
            )
        return Unresolved(e.config_key, what, f"no column labelled {column.label!r}")

    def choice(self, e: Expected, column: Column) -> Found | Unresolved:
        what = f"choice {e.table}.{e.column} = {e.choice}"
        if e.choice_key is None:
            return Unresolved(e.config_key, what, "not a catalog choice: nothing known to look for")
        label = column.choice(e.choice_key).label
        available = self.dictionary.choices(e.table, e.column or "")
        values = sorted({value for value, text in available if _norm(text) == _norm(label)})
        if len(values) == 1:
            return Found(e.config_key, values[0], f"choice label {label!r}")
        if len(values) > 1:
            reason = f"{len(values)} choices labelled {label!r}: {', '.join(values)}"
            return Unresolved(e.config_key, what, reason, tuple(values))
        labels = ", ".join(repr(text) for _, text in available) or "none"
        return Unresolved(e.config_key, what, f"no choice labelled {label!r} (labels there: {labels})")


def with_overrides(tenant: TenantConfig, found: Iterable[Found]) -> TenantConfig:
    """The tenant with the found names added to (and replacing) its own overrides."""
    merged = tenant.overrides.model_dump()
    _merge(merged, Discovery("", list(found)).overrides())
    return tenant.model_copy(update={"overrides": OverridesConfig.model_validate(merged)})


def _merge(into: dict[str, Any], new: dict[str, Any]) -> None:
    for key, value in new.items():
        if isinstance(value, dict):
            _merge(into.setdefault(key, {}), value)
        else:
            into[key] = value


def discover(client: ServiceNowClient, tenant: TenantConfig, instance_url: str) -> Discovery:
    """Every name the tenant's stack writes that the instance lacks, looked up by what we know of it."""
    discovery = Discovery(instance_url)
    dictionary = InstanceDictionary(client)
    settled: set[str] = set()
    for _ in range(MAX_ROUNDS):
        current = with_overrides(tenant, discovery.found)
        expected = written_schema(current)
        findings = check_schema(expected, read_instance_schema(client, expected))
        todo = [f.expected for f in findings if not f.present and f.expected.config_key not in settled]
        if not todo:
            break
        finder = Finder(dictionary, current)
        for e in todo:
            settled.add(e.config_key)
            result = finder.find(e)
            (discovery.found if isinstance(result, Found) else discovery.unresolved).append(result)  # type: ignore[arg-type]
    return discovery


def run_discover(tenant: TenantConfig, instance_url: str | None = None) -> Discovery:
    """Discovery for the tenant against its (or the given) instance; credentials from SERVICENOW_*."""
    url = instance_url or tenant.servicenow.instance_url
    with instance_client(url) as client:
        return discover(client, tenant, url)
