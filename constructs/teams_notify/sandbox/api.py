"""Requests and responses as the API handlers see them, and the ServiceNow-shaped error bodies."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from urllib.parse import urlencode

from teams_notify.sandbox.accounts import User


@dataclass
class Request:
    method: str
    path: str
    params: dict[str, str]
    headers: Mapping[str, str]
    body: bytes
    base_url: str
    client: str = ""  # the caller's IP address
    user: User | None = None

    @property
    def user_name(self) -> str:
        return self.user.name if self.user else ""

    def flag(self, name: str) -> bool:
        return self.params.get(name, "").lower() == "true"

    def json_object(self) -> dict[str, object]:
        """The body as a JSON object, or an ApiError(400) like an instance gives."""
        try:
            data = json.loads(self.body or b"{}")
        except ValueError as err:
            raise ApiError(error(400, "Exception while reading request", f"Cannot decode: {err}")) from err
        if not isinstance(data, dict):
            raise ApiError(error(400, "Exception while reading request", "The payload is not a JSON object"))
        return data


@dataclass
class Response:
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    written_table: str | None = None  # for stats: the table a successful write changed


class ApiError(Exception):
    """Stops handling a request with the given response."""

    def __init__(self, response: Response) -> None:
        super().__init__(response.status)
        self.response = response


def json_response(
    status: int, payload: object, headers: dict[str, str] | None = None, written_table: str | None = None
) -> Response:
    body = json.dumps(payload).encode()
    headers = {"Content-Type": "application/json;charset=UTF-8", **(headers or {})}
    return Response(status, body, headers, written_table)


def error(status: int, message: str, detail: str | None = None) -> Response:
    """An instance's error body: {"error": {"message", "detail"}, "status": "failure"}."""
    return json_response(status, {"error": {"message": message, "detail": detail}, "status": "failure"})


def acl_error(operation: str) -> Response:
    """The 403 a user without write access gets; `operation` is Insert, Update or Delete."""
    detail = f"ACL Exception {operation} Failed due to security constraints"
    return error(403, "Operation Failed", detail)


def require_writer(req: Request, operation: str) -> None:
    if req.user is None or not req.user.can_write:
        raise ApiError(acl_error(operation))


def paged(req: Request, rows: list[dict[str, str]], render: Callable[[dict[str, str]], object]) -> Response:
    """A list response for `rows`: sysparm_offset/limit applied, `X-Total-Count` and `Link` headers."""
    try:
        offset = max(int(req.params.get("sysparm_offset", "0")), 0)
        limit = max(int(req.params.get("sysparm_limit", "10000")), 1)
    except ValueError as err:
        raise ApiError(error(400, "Invalid sysparm_limit or sysparm_offset", str(err))) from err
    total = len(rows)
    pages = {"first": 0, "last": ((total - 1) // limit) * limit if total else 0}
    if offset > 0:
        pages["prev"] = max(offset - limit, 0)
    if offset + limit < total:
        pages["next"] = offset + limit
    links = ",".join(
        f'<{_page_url(req, at, limit)}>;rel="{rel}"' for rel, at in sorted(pages.items(), key=_rel_order)
    )
    result = [render(row) for row in rows[offset : offset + limit]]
    return json_response(200, {"result": result}, {"X-Total-Count": str(total), "Link": links})


def _rel_order(item: tuple[str, int]) -> int:
    return ("first", "prev", "next", "last").index(item[0])


def _page_url(req: Request, offset: int, limit: int) -> str:
    params = {**req.params, "sysparm_limit": str(limit), "sysparm_offset": str(offset)}
    return f"{req.base_url}{req.path}?{urlencode(params)}"
