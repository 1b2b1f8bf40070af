"""HTTP client for the ServiceNow Table and Attachment APIs, apart from any Terraform code.

One `ServiceNowClient` per provider process holds one keep-alive connection pool (`http_pool.py`,
on the standard library's `http.client`); Terraform runs up to 10 operations in parallel on it.
The client owns authentication, retries (429/502/503/504 and connection errors, exponential
backoff with jitter, Retry-After honoured), paging, and the translation of ServiceNow's error
bodies into messages written for users. It never logs request or response bodies, headers, or
query values.
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import quote, urlencode

from terraform_provider_servicenow.auth import Auth, Credentials, make_auth
from terraform_provider_servicenow.exceptions import (
    AccessDeniedError,
    AuthenticationError,
    BadRequestError,
    ResponseLostError,
    RetriesExhaustedError,
    ServiceNowError,
    UnknownTableError,
    UntrustedCertificateError,
)
from terraform_provider_servicenow.http_pool import HttpPool, Response, TransportError

log = logging.getLogger("terraform_provider_servicenow")

RETRY_STATUSES = frozenset({429, 502, 503, 504})
PAGE_SIZE = 100
IDLE_CONNECTIONS = 20  # Terraform runs 10 operations at once (more with -parallelism)
DEFAULT_HEADERS = {"Accept": "application/json", "User-Agent": "terraform-provider-servicenow"}
# recover() -> the record/attachment if a write whose response was lost did land, else None.
Recover = Callable[[], dict[str, Any] | None]


@dataclass(frozen=True)
class ClientSettings:
    """Everything the client needs; built by the provider from its block and the environment."""

    instance_url: str
    credentials: Credentials
    timeout_seconds: float = 30.0
    max_retries: int = 6
    backoff_base_seconds: float = 0.25
    backoff_cap_seconds: float = 8.0
    retry_after_cap_seconds: float = 120.0


@dataclass(frozen=True)
class Call:
    """One logical API call: what the user-facing messages talk about."""

    method: str
    path: str
    table: str
    operation: str
    # False for inserts: a lost response may hide a committed write, so it is never resent blindly.
    idempotent: bool = True


class Transport(Protocol):
    """Sends one request and returns the whole response, or raises `TransportError` (`HttpPool`)."""

    def request(
        self, method: str, target: str, body: bytes | None = None, headers: Mapping[str, str] | None = None
    ) -> Response: ...

    def close(self) -> None: ...


class ServiceNowClient:
    """Thread-safe client; create one per provider process and share it."""

    def __init__(self, settings: ClientSettings, transport: Transport | None = None) -> None:
        """`transport` replaces the network: tests use it to script an instance's answers that no
        sandbox can produce on demand, such as a lost response followed by a 404."""
        self.settings = settings
        self._http: Transport = transport or HttpPool(
            settings.instance_url.rstrip("/"), settings.timeout_seconds, max_idle=IDLE_CONNECTIONS
        )
        self._auth: Auth = make_auth(settings.credentials, self._post_token_form)

    def close(self) -> None:
        self._http.close()

    # ----------------------------------------------------------------- Table API

    def get_record(self, table: str, sys_id: str, fields: list[str] | None = None) -> dict[str, Any] | None:
        """One record, or None when it does not exist (404)."""
        call = Call("GET", f"/api/now/table/{table}/{sys_id}", table, "read")
        resp = self._request(call, params=_read_params(fields), allow_404=True)
        return None if resp is None else _result(resp, call)

    def query(
        self, table: str, query: str, fields: list[str] | None = None, max_records: int = 1000
    ) -> list[dict[str, Any]]:
        """Every record matching an encoded query (paged), at most max_records."""
        records: list[dict[str, Any]] = []
        for page in self._pages(table, query, fields):
            records.extend(page)
            if len(records) >= max_records:
                return records[:max_records]
        return records

    def create_record(
        self, table: str, values: dict[str, str], fields: list[str] | None = None
    ) -> dict[str, Any]:
        """Insert a record exactly once, whatever happens to the responses.

        The sys_id is chosen here, before the first send (the Table API takes it from the body). When
        a response is lost (dropped connection, timeout, gateway 502/504) a GET of that sys_id tells
        whether the insert landed: found -> it is ours; 404 -> send it again with the same sys_id. A
        403 to a resend is how an instance refuses a sys_id that exists (the first send landed after
        our GET): the same GET confirms it, so the ACL denial that also answers 403 stays an error.
        A sys_id the caller put in `values` (a record with a fixed sys_id) is used as given."""
        sys_id = values.get("sys_id") or new_sys_id()
        call = Call("POST", f"/api/now/table/{table}", table, "create", idempotent=False)
        kwargs: dict[str, Any] = {"params": _read_params(fields), "json": values | {"sys_id": sys_id}}
        resent = False
        for attempt in range(self.settings.max_retries + 1):
            try:
                return _result(self._request(call, **kwargs), call)
            except ResponseLostError:
                landed = self.get_record(table, sys_id, fields)
                if landed is not None:
                    log.info("create on %s: response lost, but the insert landed; using it", table)
                    return landed
            except AccessDeniedError:
                landed = self.get_record(table, sys_id, fields) if resent else None
                if landed is None:
                    raise
                log.info("create on %s: the resent insert was refused as a duplicate: it had landed", table)
                return landed
            if attempt == self.settings.max_retries:
                break
            log.info(
                "create on %s: response lost and the insert did not land (attempt %d), sending again",
                table,
                attempt + 1,
            )
            resent = True
            self._sleep(self._backoff(attempt))
        # A slow commit can land after the last GET: look once more, then name the sys_id.
        self._sleep(self._backoff(self.settings.max_retries))
        landed = self.get_record(table, sys_id, fields)
        if landed is not None:
            return landed
        error = self._exhausted(call, self.settings.max_retries + 1, "response lost")
        error.detail += (
            f" Should the record still appear, its sys_id is {sys_id}: adopt it with "
            f"terraform import <address> {table}/{sys_id} instead of applying again."
        )
        raise error

    def update_record(
        self, table: str, sys_id: str, values: dict[str, str], fields: list[str] | None = None
    ) -> dict[str, Any] | None:
        """PATCH the given columns; None when the record no longer exists."""
        call = Call("PATCH", f"/api/now/table/{table}/{sys_id}", table, "update")
        resp = self._request(call, params=_read_params(fields), json=values, allow_404=True)
        return None if resp is None else _result(resp, call)

    def delete_record(self, table: str, sys_id: str) -> bool:
        """Delete a record; False when it was already gone (which is success for Terraform)."""
        call = Call("DELETE", f"/api/now/table/{table}/{sys_id}", table, "delete")
        return self._request(call, allow_404=True) is not None

    # ------------------------------------------------------------ Attachment API

    def upload_attachment(
        self,
        table: str,
        record_sys_id: str,
        file_name: str,
        content_type: str,
        data: bytes,
        recover: Recover | None = None,
    ) -> dict[str, Any]:
        """POST the raw bytes with their Content-Type; returns the attachment metadata."""
        call = Call("POST", "/api/now/attachment/file", table, "attachment upload", idempotent=False)
        params = {"table_name": table, "table_sys_id": record_sys_id, "file_name": file_name}
        kwargs = {"params": params, "content": data, "headers": {"Content-Type": content_type}}
        return self._insert(call, kwargs, recover)

    def get_attachment(self, sys_id: str) -> dict[str, Any] | None:
        """Attachment metadata, or None when it does not exist."""
        call = Call("GET", f"/api/now/attachment/{sys_id}", "sys_attachment", "read")
        resp = self._request(call, allow_404=True)
        return None if resp is None else _result(resp, call)

    def download_attachment(self, sys_id: str) -> bytes | None:
        """The bytes of an attachment, or None when it does not exist."""
        call = Call("GET", f"/api/now/attachment/{sys_id}/file", "sys_attachment", "download")
        resp = self._request(call, allow_404=True, headers={"Accept": "*/*"})
        return None if resp is None else resp.content

    def find_attachments(self, table: str, record_sys_id: str, file_name: str) -> list[dict[str, Any]]:
        """Attachments of one record with one file name (used to recover a lost upload)."""
        call = Call("GET", "/api/now/attachment", "sys_attachment", "read")
        query = f"table_name={table}^table_sys_id={record_sys_id}"
        resp = self._request(call, params={"sysparm_query": query})
        found = _result(resp, call)
        rows = found if isinstance(found, list) else []
        return [row for row in rows if row.get("file_name") == file_name]

    def delete_attachment(self, sys_id: str) -> bool:
        """Delete an attachment; False when it was already gone."""
        call = Call("DELETE", f"/api/now/attachment/{sys_id}", "sys_attachment", "delete")
        return self._request(call, allow_404=True) is not None

    # ------------------------------------------------------------------ plumbing

    def _insert(self, call: Call, kwargs: dict[str, Any], recover: Recover | None) -> dict[str, Any]:
        """Send a write the server gives its own id (an attachment upload). A lost response is first
        answered by `recover` (did it land?); a gateway 502/504 without `recover` is resent; a lost
        connection without `recover` is an error."""
        for attempt in range(self.settings.max_retries + 1):
            try:
                return _result(self._request(call, **kwargs), call)
            except ResponseLostError as lost:
                found = recover() if recover is not None else None
                if recover is None and lost.status is None:
                    raise
                if found is not None:
                    log.info(
                        "%s on %s: response lost, but the write landed; using it", call.operation, call.table
                    )
                    return found
                log.info(
                    "%s on %s: response lost (attempt %d), sending again",
                    call.operation,
                    call.table,
                    attempt + 1,
                )
                self._sleep(self._backoff(attempt))
        raise self._exhausted(call, self.settings.max_retries + 1, "response lost")

    def _pages(self, table: str, query: str, fields: list[str] | None) -> Iterator[list[dict[str, Any]]]:
        call = Call("GET", f"/api/now/table/{table}", table, "read")
        offset = 0
        while True:
            params = _read_params(fields) | {
                "sysparm_query": query,
                "sysparm_limit": str(PAGE_SIZE),
                "sysparm_offset": str(offset),
            }
            resp = self._request(call, params=params)
            assert resp is not None
            page = _result(resp, call)
            rows = page if isinstance(page, list) else []
            yield rows
            if len(rows) < PAGE_SIZE or not resp.has_next_link():
                return
            offset += len(rows)

    def _post_token_form(self, path: str, form: dict[str, str]) -> tuple[int, Any]:
        call = Call("POST", path, path, "token request", idempotent=True)
        resp = self._send_with_retries(call, {"data": form}, authenticated=False)
        try:
            return resp.status_code, resp.json()
        except ValueError:
            return resp.status_code, None

    def _request(
        self, call: Call, allow_404: bool = False, **kwargs: Any
    ) -> Response | None:  # None only when allow_404
        resp = self._send_with_retries(call, kwargs, authenticated=True)
        if resp.status_code == 404 and allow_404:
            return None
        if resp.is_success:
            return resp
        raise self._error(call, resp)

    def _send_with_retries(self, call: Call, kwargs: dict[str, Any], authenticated: bool) -> Response:
        target, body, base_headers = _encode(call.path, **kwargs)
        refreshed = False
        attempt = 0
        while True:
            header = self._auth.header() if authenticated else ""
            headers = base_headers | {"Authorization": header} if header else base_headers
            try:
                resp = self._http.request(call.method, target, body, headers)
            except TransportError as exc:
                if exc.kind == "SSLCertVerificationError":  # no retry can fix the trust store
                    raise self._untrusted(call) from None
                if not call.idempotent and exc.sent:
                    raise self._lost(call, None, exc) from None
                self._give_up_or_wait(call, attempt, exc.kind, None)
                attempt += 1
                continue
            if resp.status_code == 401 and authenticated and not refreshed and self._auth.invalidate(header):
                refreshed = True  # one fresh token per call; a second 401 is a real rejection
                continue
            if resp.status_code in RETRY_STATUSES:
                if not call.idempotent and resp.status_code in (502, 504):
                    # A gateway error may come after the instance committed the insert.
                    raise self._lost(call, resp.status_code, None)
                self._give_up_or_wait(call, attempt, f"HTTP {resp.status_code}", resp)
                attempt += 1
                continue
            return resp

    def _give_up_or_wait(self, call: Call, attempt: int, what: str, resp: Response | None) -> None:
        if attempt >= self.settings.max_retries:
            raise self._exhausted(call, attempt + 1, what)
        delay = self._backoff(attempt)
        retry_after = _retry_after_seconds(resp) if resp is not None else None
        if retry_after is not None:
            delay = min(max(retry_after, 0.0), self.settings.retry_after_cap_seconds) + _jitter(0.1)
        log.info(
            "%s %s: %s, retry %d/%d in %.2fs",
            call.method,
            call.path,
            what,
            attempt + 1,
            self.settings.max_retries,
            delay,
        )
        self._sleep(delay)

    def _exhausted(self, call: Call, attempts: int, last: str) -> RetriesExhaustedError:
        return RetriesExhaustedError(
            f"ServiceNow did not complete {call.operation} on '{call.table}' after {attempts} attempts "
            f"(last: {last})",
            f"The instance at {self.settings.instance_url} is overloaded or unreachable. Try again later, "
            "or raise max_retries / timeout_seconds in the provider block.",
        )

    def _backoff(self, attempt: int) -> float:
        """Exponential backoff with "equal jitter": half fixed, half random, so waits stay spread out."""
        ceiling = min(self.settings.backoff_cap_seconds, self.settings.backoff_base_seconds * (2**attempt))
        return ceiling / 2 + _jitter(ceiling / 2)

    @staticmethod
    def _sleep(seconds: float) -> None:
        time.sleep(seconds)

    def _untrusted(self, call: Call) -> UntrustedCertificateError:
        return UntrustedCertificateError(
            f"the TLS certificate of {self.settings.instance_url} is not trusted ({call.operation} on "
            f"'{call.table}')",
            "The provider verifies against SSL_CERT_FILE, else SSL_CERT_DIR, else certifi's CA bundle. "
            "If the instance (or a TLS-inspecting proxy) uses a private CA, point SSL_CERT_FILE at a "
            "bundle that holds it.",
        )

    def _lost(self, call: Call, status: int | None, exc: TransportError | None) -> ResponseLostError:
        lost = f"the connection was lost ({exc.kind})" if exc is not None else "no response"
        what = f"HTTP {status} from a gateway" if status else lost
        return ResponseLostError(
            f"the response to {call.operation} on '{call.table}' was lost: {what}",
            "The write may or may not have been committed: check the table before running again.",
            status=status,
        )

    def _error(self, call: Call, resp: Response) -> ServiceNowError:
        message, detail = _error_body(resp)
        status = resp.status_code
        if status == 401:
            return AuthenticationError(
                f"ServiceNow rejected the {self._auth.description} ({call.operation} on '{call.table}')",
                _auth_fix(self.settings.credentials.kind),
            )
        if status == 403:
            said = f" ServiceNow said: {message}" + (f" ({detail})" if detail else "") + "."
            return AccessDeniedError(
                f"ServiceNow denied {call.operation} on table '{call.table}' to {self._who()}: "
                "an ACL or role is missing",
                f"Grant the user a role whose ACLs allow {call.operation} on '{call.table}' (for example "
                f"admin, or the application's admin role).{said}",
            )
        if status == 400 and _names_unknown_table(message):
            return UnknownTableError(
                f"table '{call.table}' does not exist on {self.settings.instance_url}",
                "Check the table name (System Definition > Tables, sys_db_object), and that the plugin "
                "or application that provides it is installed.",
            )
        if status == 400:
            return BadRequestError(
                f"ServiceNow rejected {call.operation} on '{call.table}': {message or 'bad request'}",
                detail or "Check the column names and values of this resource.",
            )
        return ServiceNowError(
            f"ServiceNow answered HTTP {status} to {call.operation} on '{call.table}'",
            message + (f" ({detail})" if detail else ""),
        )

    def _who(self) -> str:
        creds = self.settings.credentials
        if creds.kind in ("basic", "oauth_password"):
            return f"user '{creds.username}'"
        if creds.kind == "oauth_client_credentials":
            return f"the OAuth client '{creds.client_id}'"
        return "the bearer token's user"


def _auth_fix(kind: str) -> str:
    return {
        "basic": "Check username/password (SERVICENOW_USERNAME / SERVICENOW_PASSWORD) and that the user is "
        "active and not locked out.",
        "bearer": "The token (SERVICENOW_TOKEN) is invalid or expired; issue a new one, or configure "
        "client_id/client_secret so the provider can refresh tokens itself.",
        "oauth_client_credentials": "A freshly issued OAuth token was refused: check that the OAuth client's "
        "user has web service access and is active.",
        "oauth_password": "A freshly issued OAuth token was refused: check that the user is active and has "
        "web service access.",
    }[kind]


def _jitter(upto: float) -> float:
    """A random wait in [0, upto]; `random` is imported only when a retry needs it (start-up cost)."""
    import random

    return random.uniform(0, upto)


def new_sys_id() -> str:
    """A sys_id chosen by the client: 32 lowercase hex digits, like the ones an instance makes."""
    return os.urandom(16).hex()


def _read_params(fields: list[str] | None) -> dict[str, str]:
    params = {"sysparm_exclude_reference_link": "true"}
    if fields:
        params["sysparm_fields"] = ",".join(dict.fromkeys(["sys_id", *fields]))
    return params


def _encode(
    path: str,
    params: Mapping[str, str] | None = None,
    json: Any = None,
    data: Mapping[str, str] | None = None,
    content: bytes | None = None,
    headers: Mapping[str, str] | None = None,
) -> tuple[str, bytes | None, dict[str, str]]:
    """(request target, body, headers) for a path with query parameters and one kind of body: `json`
    (a JSON document), `data` (a form) or `content` (raw bytes with their own Content-Type)."""
    target = quote(path, safe="/")
    if params:
        target += "?" + urlencode(params, quote_via=quote)
    out = DEFAULT_HEADERS | dict(headers or {})
    body: bytes | None = None
    if json is not None:
        body = _json_bytes(json)
        out["Content-Type"] = "application/json"
    elif data is not None:
        body = urlencode(data).encode()
        out["Content-Type"] = "application/x-www-form-urlencoded"
    elif content is not None:
        body = content
    return target, body, out


def _json_bytes(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode()


def _result(resp: Response | None, call: Call) -> Any:
    if resp is None:  # pragma: no cover - only reachable with allow_404, handled by callers
        raise ServiceNowError(f"no response to {call.operation} on '{call.table}'")
    try:
        return resp.json()["result"]
    except (ValueError, KeyError, TypeError):
        raise ServiceNowError(
            f"unexpected response to {call.operation} on '{call.table}' (HTTP {resp.status_code}, not a "
            "ServiceNow JSON envelope)",
            "Check instance_url: it must be the instance root, e.g. https://example.service-now.com.",
        ) from None


def _error_body(resp: Response) -> tuple[str, str]:
    try:
        body = resp.json()
    except ValueError:
        return "", ""
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict):
        return str(error.get("message") or ""), str(error.get("detail") or "")
    if isinstance(error, str):
        return error, str(body.get("error_description") or "")
    return "", ""


def _names_unknown_table(message: str) -> bool:
    """ServiceNow's 400 for a missing table reads "Invalid table <name>"; other 400s start alike
    ("Invalid table_sys_id" from the Attachment API) and must keep their own message."""
    words = message.lower().split()
    return words[:2] == ["invalid", "table"]


def _retry_after_seconds(resp: Response) -> float | None:
    value = resp.headers.get("Retry-After")
    if not value:
        return None
    try:
        return float(value)
    except ValueError:
        pass
    import email.utils  # rare path; keeps provider start-up lean

    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return when.timestamp() - time.time()
