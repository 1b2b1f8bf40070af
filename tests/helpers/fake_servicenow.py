"""An in-memory stand-in for `ServiceNowClient` (the instance, not the code under test), for fast
unit tests of the provider's resources without HTTP or Terraform.

    fake = FakeServiceNow(columns={"sys_certificate": {"name", "active"}})
    fake.add("sys_certificate", {"name": "x"}) -> sys_id   # a record already on the instance
    fake.records[table][sys_id]                              # what the instance holds
    fake.calls                                               # [("create", table, sys_id?, values), ...]
    fake.stores_as = {"active": {"1": "true"}}               # how the instance spells a written value
    source = FakeProvider(fake)                              # what resources get as their provider
    RecordResource(source).create(CreateContext(Diagnostics(), "servicenow_record"), planned)

Like an instance it ignores columns a table does not have (when `columns` lists the table) and
answers with `sys_id` plus the asked columns.
"""

from __future__ import annotations

import itertools
from typing import Any

from terraform_provider_servicenow.client import ServiceNowClient


class FakeServiceNow:
    def __init__(self, columns: dict[str, set[str]] | None = None) -> None:
        self.columns = columns or {}
        self.records: dict[str, dict[str, dict[str, str]]] = {}
        self.calls: list[tuple[str, str, str | None, dict[str, str] | None]] = []
        self.stores_as: dict[str, dict[str, str]] = {}
        self._ids = (f"{n:032x}" for n in itertools.count(1))

    # instance side (arrange / assert)
    def add(self, table: str, values: dict[str, str]) -> str:
        sys_id = next(self._ids)
        self.records.setdefault(table, {})[sys_id] = {"sys_id": sys_id} | values
        return sys_id

    def _known(self, table: str, values: dict[str, str]) -> dict[str, str]:
        allowed = self.columns.get(table)
        stored = {k: self.stores_as.get(k, {}).get(v, v) for k, v in values.items()}
        return stored if allowed is None else {k: v for k, v in stored.items() if k in allowed}

    @staticmethod
    def _answer(record: dict[str, str], fields: list[str] | None) -> dict[str, Any]:
        if not fields:
            return dict(record)
        return {k: record[k] for k in ["sys_id", *fields] if k in record}

    # ServiceNowClient's interface, as the resources use it
    def get_record(self, table: str, sys_id: str, fields: list[str] | None = None) -> dict[str, Any] | None:
        self.calls.append(("get", table, sys_id, None))
        record = self.records.get(table, {}).get(sys_id)
        return None if record is None else self._answer(record, fields)

    def query(
        self, table: str, query: str, fields: list[str] | None = None, max_records: int = 1000
    ) -> list[dict[str, Any]]:
        """Understands `col=value` terms joined by ^ (what find_match sends); case-insensitive like `=`."""
        self.calls.append(("query", table, None, {"query": query}))
        terms = [term.partition("=") for term in query.split("^") if term]
        found = [
            self._answer(record, fields)
            for record in self.records.get(table, {}).values()
            if all(record.get(col, "").lower() == value.lower() for col, _, value in terms)
        ]
        return found[:max_records]

    def create_record(
        self, table: str, values: dict[str, str], fields: list[str] | None = None
    ) -> dict[str, Any]:
        self.calls.append(("create", table, None, dict(values)))
        sys_id = self.add(table, self._known(table, values))
        return self._answer(self.records[table][sys_id], fields)

    def update_record(
        self, table: str, sys_id: str, values: dict[str, str], fields: list[str] | None = None
    ) -> dict[str, Any] | None:
        self.calls.append(("update", table, sys_id, dict(values)))
        record = self.records.get(table, {}).get(sys_id)
        if record is None:
            return None
        record.update(self._known(table, values))
        return self._answer(record, fields)

    def delete_record(self, table: str, sys_id: str) -> bool:
        self.calls.append(("delete", table, sys_id, None))
        return self.records.get(table, {}).pop(sys_id, None) is not None

    def writes(self) -> list[tuple[str, str, str | None, dict[str, str] | None]]:
        return [call for call in self.calls if call[0] in ("create", "update", "delete")]


class FakeProvider:
    """What a resource needs from its provider: `get_client()`."""

    def __init__(self, client: FakeServiceNow | None) -> None:
        self.client = client

    def get_client(self) -> ServiceNowClient:
        if self.client is None:  # like an unconfigured provider
            from terraform_provider_servicenow.provider import ServiceNowProvider

            return ServiceNowProvider().get_client()
        return self.client  # type: ignore[return-value]
