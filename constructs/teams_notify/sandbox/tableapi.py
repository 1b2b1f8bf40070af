"""The Table API: `/api/now/table/{table}` and `/api/now/table/{table}/{sys_id}`."""

from __future__ import annotations

import re

from teams_notify.sandbox.api import Request, Response, error, json_response, paged, require_writer
from teams_notify.sandbox.records import DuplicateSysIdError, Records, UnknownTableError
from teams_notify.sandbox.store import Record

NOT_FOUND_DETAIL = "Record doesn't exist or ACL restricts the record retrieval"
# A client may choose the sys_id of a new record (how exactly-once inserts work); other shapes
# are ignored like any system column.
CLIENT_SYS_ID = re.compile(r"[0-9a-f]{32}")


class TableApi:
    def __init__(self, records: Records) -> None:
        self.records = records

    def handle(self, req: Request, table: str, sys_id: str | None) -> Response:
        try:
            self.records.table(table)
        except UnknownTableError:
            return error(400, f"Invalid table {table}")
        if sys_id is None:
            if req.method == "GET":
                found = self.records.query(table, req.params.get("sysparm_query", ""))
                return paged(req, found, lambda record: self._render(req, table, record))
            if req.method == "POST":
                require_writer(req, "Insert")
                return self._insert(req, table)
        elif req.method == "GET":
            return self._result(req, table, self.records.get(table, sys_id), 200, write=False)
        elif req.method in ("PUT", "PATCH"):
            require_writer(req, "Update")
            record = self.records.update(table, sys_id, req.json_object(), req.user_name)
            return self._result(req, table, record, 200, write=True)
        elif req.method == "DELETE":
            require_writer(req, "Delete")
            if not self.records.delete(table, sys_id):
                return not_found()
            return Response(204, written_table=table)
        return error(405, "Method not Supported", f"{req.method} is not supported for this resource")

    def _insert(self, req: Request, table: str) -> Response:
        values = req.json_object()
        chosen = values.get("sys_id")
        sys_id = chosen if isinstance(chosen, str) and CLIENT_SYS_ID.fullmatch(chosen) else None
        try:
            created = self.records.insert(table, values, req.user_name, sys_id)
        except DuplicateSysIdError:
            return duplicate(table, str(sys_id))
        return self._result(req, table, created, 201, write=True)

    def _render(self, req: Request, table: str, record: Record) -> dict[str, object]:
        fields = [name for name in req.params.get("sysparm_fields", "").split(",") if name]
        links = not req.flag("sysparm_exclude_reference_link")
        return self.records.render(table, record, fields, links, req.base_url)

    def _result(self, req: Request, table: str, record: Record | None, status: int, write: bool) -> Response:
        if record is None:
            return not_found()
        result = {"result": self._render(req, table, record)}
        return json_response(status, result, written_table=table if write else None)


def not_found() -> Response:
    return error(404, "No Record found", NOT_FOUND_DETAIL)


def duplicate(table: str, sys_id: str) -> Response:
    """What an instance answers to an insert whose sys_id is taken (the database's unique key)."""
    return error(
        403,
        "Operation Failed",
        f"Error during insert of {table} ({sys_id}): Unique Key violation detected by database "
        f"(Duplicate entry '{sys_id}' for key 'PRIMARY')",
    )
