"""Routing: which API answers a request, who the caller is, and the request counters."""

from __future__ import annotations

import threading
from collections import Counter
from typing import TypedDict
from urllib.parse import unquote

from teams_notify.sandbox.accounts import Auth, OAuthError
from teams_notify.sandbox.api import ApiError, Request, Response, error, json_response
from teams_notify.sandbox.attachments import AttachmentApi
from teams_notify.sandbox.records import Records
from teams_notify.sandbox.tableapi import TableApi

TABLE_PREFIX = "/api/now/table/"
ATTACHMENT_PREFIX = "/api/now/attachment"
TOKEN_PATH = "/oauth_token.do"


def canonical_path(path: str) -> str:
    """`/api/now/v1/...` and `/api/now/v2/...` are the same APIs as `/api/now/...`."""
    for version in ("/api/now/v1/", "/api/now/v2/"):
        if path.startswith(version):
            return "/api/now/" + path[len(version) :]
    return path


def path_kind(path: str) -> str:
    """A coarse name for the API a path belongs to, used as a stats key."""
    path = canonical_path(path)
    if path.startswith(TABLE_PREFIX):
        return "table"
    if path.startswith(ATTACHMENT_PREFIX):
        return "attachment"
    return "oauth" if path == TOKEN_PATH else "other"


class StatsSnapshot(TypedDict):
    total: int
    requests: dict[str, int]  # "<METHOD> <kind> <status>" -> count, e.g. "POST table 201"
    writes_by_table: dict[str, int]


class Stats:
    """Counts of requests served, by `"<METHOD> <kind> <status>"`, and of writes by table."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._requests: Counter[str] = Counter()
        self._writes: Counter[str] = Counter()

    def count(self, method: str, path: str, status: int | str, written_table: str | None = None) -> None:
        with self._lock:
            self._requests[f"{method} {path_kind(path)} {status}"] += 1
            if written_table:
                self._writes[written_table] += 1

    def snapshot(self) -> StatsSnapshot:
        with self._lock:
            return {
                "total": sum(self._requests.values()),
                "requests": dict(sorted(self._requests.items())),
                "writes_by_table": dict(sorted(self._writes.items())),
            }


class App:
    """Answers one API request (not the control API, not faults: the server does those)."""

    def __init__(self, records: Records, auth: Auth) -> None:
        self.auth = auth
        self.tables = TableApi(records)
        self.attachments = AttachmentApi(records)

    def handle(self, req: Request) -> Response:
        path = canonical_path(req.path)
        if path == TOKEN_PATH:
            return self._token(req)
        req.user = self.auth.user_for(req.headers.get("Authorization", ""))
        if req.user is None:
            response = error(401, "User Not Authenticated", "Required to provide Auth information")
            response.headers["WWW-Authenticate"] = 'BASIC realm="Service-now"'
            return response
        parts = [unquote(part) for part in path.split("/") if part]
        try:
            if path.startswith(TABLE_PREFIX) and len(parts) in (4, 5):
                return self.tables.handle(req, parts[3], parts[4] if len(parts) == 5 else None)
            if path.startswith(ATTACHMENT_PREFIX) and parts[:3] == ["api", "now", "attachment"]:
                return self.attachments.handle(req, parts[3:])
        except ApiError as err:
            return err.response
        return error(400, "Requested URI does not represent any resource", req.path)

    def _token(self, req: Request) -> Response:
        if req.method != "POST":
            return error(405, "Method not Supported", "use POST")
        try:
            payload = self.auth.token_response(req.body, req.headers.get("Authorization", ""))
        except OAuthError as err:
            return json_response(err.status, {"error": err.error, "error_description": err.description})
        return json_response(200, payload, {"Cache-Control": "no-store"})
