"""The Attachment API: upload raw bytes to a record, read metadata and bytes, list, delete.

Metadata rows live in `sys_attachment` (so the Table API sees them too); the bytes live
in the store's blob table, keyed by the attachment's sys_id.
"""

from __future__ import annotations

import hashlib

from teams_notify.sandbox.api import Request, Response, error, json_response, paged, require_writer
from teams_notify.sandbox.records import Records, UnknownTableError
from teams_notify.sandbox.store import Record
from teams_notify.sandbox.tableapi import not_found

TABLE = "sys_attachment"
DEFAULT_TYPE = "application/octet-stream"


class AttachmentApi:
    def __init__(self, records: Records) -> None:
        self.records = records

    def handle(self, req: Request, parts: list[str]) -> Response:
        """`parts` is the path after `/api/now/attachment/`, split on `/`."""
        if parts == ["file"] and req.method == "POST":
            return self._upload(req)
        if not parts and req.method == "GET":
            found = self.records.query(TABLE, req.params.get("sysparm_query", ""))
            return paged(req, found, lambda record: self._metadata(req, record))
        if len(parts) not in (1, 2) or (len(parts) == 2 and parts[1] != "file"):
            return error(400, "Requested URI does not represent any resource", req.path)
        record = self.records.get(TABLE, parts[0])
        if record is None:
            return not_found()
        if req.method == "GET" and len(parts) == 2:
            content = self.records.store.get_blob(record["sys_id"]) or b""
            return Response(200, content, {"Content-Type": record.get("content_type") or DEFAULT_TYPE})
        if req.method == "GET":
            return json_response(200, {"result": self._metadata(req, record)})
        if req.method == "DELETE" and len(parts) == 1:
            require_writer(req, "Delete")
            self.records.delete(TABLE, record["sys_id"])
            return Response(204, written_table=TABLE)
        return error(405, "Method not Supported", f"{req.method} is not supported for this resource")

    def _upload(self, req: Request) -> Response:
        require_writer(req, "Insert")
        table, table_sys_id = req.params.get("table_name", ""), req.params.get("table_sys_id", "")
        file_name = req.params.get("file_name", "")
        if not (table and table_sys_id and file_name):
            return error(400, "Missing parameter", "table_name, table_sys_id and file_name are required")
        try:
            if self.records.get(table, table_sys_id) is None:
                return error(400, "Invalid table_sys_id", f"no record {table_sys_id} in table {table}")
        except UnknownTableError:
            return error(400, f"Invalid table {table}")
        values = {
            "file_name": file_name,
            "content_type": req.headers.get("Content-Type") or DEFAULT_TYPE,
            "size_bytes": len(req.body),
            "hash": hashlib.sha256(req.body).hexdigest(),
            "table_name": table,
            "table_sys_id": table_sys_id,
        }
        with self.records.store.transaction():
            record = self.records.insert(TABLE, values, req.user_name)
            self.records.store.put_blob(record["sys_id"], req.body)
        return json_response(201, {"result": self._metadata(req, record)}, written_table=TABLE)

    def _metadata(self, req: Request, record: Record) -> dict[str, object]:
        metadata = self.records.render(TABLE, record, [], False, req.base_url)
        metadata["download_link"] = f"{req.base_url}/api/now/attachment/{record['sys_id']}/file"
        return metadata
