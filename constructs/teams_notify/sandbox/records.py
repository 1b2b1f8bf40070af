"""Records the way an instance keeps them: typed values stored as strings, system fields,
unknown columns ignored, password fields masked on the way out, business rules on insert and update.

The schema is read back from the `sys_db_object` / `sys_dictionary` rows in the store (and
re-read after any write to them), so tests can change it through the Table API.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime

from teams_notify.sandbox import query as encoded_query
from teams_notify.sandbox.dictionary import SCHEMA_TABLES, SYSTEM_COLUMN_NAMES, TableDef, tables_from_rows
from teams_notify.sandbox.store import Record, Store

PASSWORD_MASK = "********"
AfterInsert = Callable[["Records", str, Record, str], None]
AfterUpdate = AfterInsert  # (records, table, record as updated, user), only when something changed


class UnknownTableError(Exception):
    """The table has no `sys_db_object` row."""


class DuplicateSysIdError(Exception):
    """An insert named a sys_id that a record of the table already has."""


def now_text() -> str:
    """The current UTC time as the Table API writes dates."""
    return datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S")


def to_text(column_type: str, value: object) -> str:
    """A value from a JSON write, as the string an instance stores for that column type."""
    if isinstance(value, dict) and "value" in value:  # a reference as a GET returns it
        value = value["value"]
    if value is None:
        return ""
    if column_type == "boolean":
        return "true" if str(value).lower() in ("true", "1") else "false"
    if column_type == "integer":
        try:
            return str(int(float(str(value))))
        except ValueError:
            return ""
    if isinstance(value, list):
        return ",".join(str(item) for item in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


class Records:
    """Insert, update, delete, get and query records of any table."""

    def __init__(
        self, store: Store, after_insert: Iterable[AfterInsert] = (), after_update: Iterable[AfterUpdate] = ()
    ) -> None:
        self.store = store
        self._after_insert = list(after_insert)
        self._after_update = list(after_update)
        self._tables: dict[str, TableDef] | None = None

    def tables(self) -> dict[str, TableDef]:
        tables = self._tables
        if tables is None:
            tables = tables_from_rows(self.store.all("sys_db_object"), self.store.all("sys_dictionary"))
            self._tables = tables
        return tables

    def table(self, name: str) -> TableDef:
        table = self.tables().get(name)
        if table is None:
            raise UnknownTableError(name)
        return table

    def schema_changed(self) -> None:
        """Forget the cached schema; the next use re-reads it from the store."""
        self._tables = None

    def _changed(self, table: str) -> None:
        if table in SCHEMA_TABLES:
            self.schema_changed()

    def insert(
        self, table: str, values: Mapping[str, object], user: str, sys_id: str | None = None
    ) -> Record:
        """Insert a record (unknown and system columns in `values` are ignored) and run the rules.
        `sys_id` is the one the client chose (None: a new one); taken already -> DuplicateSysIdError."""
        tdef = self.table(table)
        record = {name: ("false" if col.type == "boolean" else "") for name, col in tdef.columns.items()}
        self._assign(tdef, record, values)
        now = now_text()
        record.update(
            sys_id=sys_id or uuid.uuid4().hex,
            sys_created_on=now,
            sys_created_by=user,
            sys_updated_on=now,
            sys_updated_by=user,
            sys_mod_count="0",
        )
        with self.store.transaction():
            if sys_id is not None and self.store.get(table, sys_id) is not None:
                raise DuplicateSysIdError(sys_id)
            self.store.insert(table, record)
            self._changed(table)
            for rule in self._after_insert:
                rule(self, table, record, user)
        return record

    def update(self, table: str, sys_id: str, values: Mapping[str, object], user: str) -> Record | None:
        """Change the given columns; None when there is no such record."""
        tdef = self.table(table)
        with self.store.transaction():
            record = self.store.get(table, sys_id)
            if record is None:
                return None
            before = dict(record)
            self._assign(tdef, record, values)
            if record != before:  # like an instance: a no-op update does not touch the record
                record.update(
                    sys_updated_on=now_text(),
                    sys_updated_by=user,
                    sys_mod_count=str(int(record.get("sys_mod_count") or 0) + 1),
                )
                self.store.replace(table, record)
                self._changed(table)
                for rule in self._after_update:
                    rule(self, table, record, user)
        return record

    def delete(self, table: str, sys_id: str) -> bool:
        """Delete a record with its attachments (an instance cascades them too)."""
        self.table(table)
        with self.store.transaction():
            if not self.store.delete(table, sys_id):
                return False
            self._changed(table)
            if table == "sys_attachment":
                self.store.delete_blob(sys_id)
            for attachment in self.query("sys_attachment", f"table_name={table}^table_sys_id={sys_id}"):
                self.delete("sys_attachment", attachment["sys_id"])
        return True

    def get(self, table: str, sys_id: str) -> Record | None:
        self.table(table)
        return self.store.get(table, sys_id)

    def query(self, table: str, text: str) -> list[Record]:
        """The records matching an encoded query, in its ORDERBY order (else insertion order)."""
        self.table(table)
        return encoded_query.run(
            encoded_query.parse(text),
            self.store.all(table),
            lambda record, path: self.value_at(table, record, path),
        )

    def value_at(self, table: str, record: Record, path: str) -> str | None:
        """A column's stored value, following dot-walked references (`sys_scope.scope`); None if unknown."""
        head, _, rest = path.partition(".")
        col = self.table(table).columns.get(head)
        if col is None:
            return None
        value = record.get(head, "")
        if not rest:
            return value
        if col.type != "reference" or col.reference not in self.tables():
            return None
        target = self.store.get(col.reference, value) if value else None
        return self.value_at(col.reference, target or {}, rest)

    def render(
        self, table: str, record: Record, fields: list[str], reference_links: bool, base_url: str
    ) -> dict[str, object]:
        """A record as the Table API returns it: strings, masked passwords, `{link, value}` references."""
        tdef = self.table(table)
        out: dict[str, object] = {}
        for name in fields or list(tdef.columns):
            value = self.value_at(table, record, name)
            col = tdef.columns.get(name)
            if value is None:
                continue
            if col is not None and col.type == "password2" and value:
                out[name] = PASSWORD_MASK
            elif col is not None and col.type == "reference" and value and reference_links:
                out[name] = {"link": f"{base_url}/api/now/table/{col.reference}/{value}", "value": value}
            else:
                out[name] = value
        return out

    @staticmethod
    def _assign(tdef: TableDef, record: Record, values: Mapping[str, object]) -> None:
        for name, value in values.items():
            col = tdef.columns.get(name)
            if col is not None and name not in SYSTEM_COLUMN_NAMES:
                record[name] = to_text(col.type, value)
