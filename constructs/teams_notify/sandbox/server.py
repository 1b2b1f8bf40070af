"""The HTTP side: a threaded stdlib server, the fault rules applied around each request, and
`Sandbox`, which starts and stops it all in a background thread.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import socketserver
import sqlite3
import tempfile
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Protocol
from urllib.parse import parse_qsl, urlsplit

from teams_notify.errors import BadInputError
from teams_notify.sandbox.accounts import Auth
from teams_notify.sandbox.api import Request, Response, error
from teams_notify.sandbox.control import CONTROL_PREFIX, Control
from teams_notify.sandbox.faults import FaultAction, Faults
from teams_notify.sandbox.records import Records
from teams_notify.sandbox.routing import App, Stats, StatsSnapshot
from teams_notify.sandbox.rules import AFTER_INSERT, AFTER_UPDATE, seed, sync_schema
from teams_notify.sandbox.store import Store

log = logging.getLogger("teams_notify.sandbox")
LOOPBACK = ("127.0.0.1", "::1", "::ffff:127.0.0.1")


class Service(Protocol):
    """What the HTTP server hands each request to (the ServiceNow sandbox, the local Entra)."""

    def serve(
        self, req: Request, send: Callable[[Response], None], drop: Callable[[], None]
    ) -> int | str: ...

    def log_request(self, req: Request, status: int | str, seconds: float) -> None: ...


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], sandbox: Service) -> None:
        self.sandbox = sandbox
        self.connections: set[socket.socket] = set()
        self.connections_lock = threading.Lock()
        super().__init__(address, _Handler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind calls socket.getfqdn(), which can hang on an offline machine.
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = str(self.server_address[0]), int(self.server_address[1])

    def close_connections(self) -> None:
        """Cut idle keep-alive connections so their threads end and clients reconnect after a restart."""
        with self.connections_lock:
            for conn in self.connections:
                _shutdown(conn)


def _shutdown(conn: socket.socket) -> None:
    with contextlib.suppress(OSError):  # already closed by the peer
        conn.shutdown(socket.SHUT_RDWR)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: clients pool connections like they do with an instance
    server: _Server

    def setup(self) -> None:
        super().setup()
        # Headers and body go out in two writes; without NODELAY, Nagle + delayed ACK add 40 ms each.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        with self.server.connections_lock:
            self.server.connections.add(self.connection)

    def finish(self) -> None:
        with self.server.connections_lock:
            self.server.connections.discard(self.connection)
        super().finish()

    def log_message(self, format: str, *args: object) -> None:
        pass  # Sandbox logs one line per request itself

    def _serve(self) -> None:
        started = time.monotonic()
        req = self._read_request()
        status = self.server.sandbox.serve(req, self._send, self._drop)
        self.server.sandbox.log_request(req, status, time.monotonic() - started)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _serve

    def _read_request(self) -> Request:
        url = urlsplit(self.path)
        host = self.headers.get("Host") or f"{self.server.server_name}:{self.server.server_port}"
        return Request(
            method=self.command,
            path=url.path,
            params=dict(parse_qsl(url.query, keep_blank_values=True)),
            headers=self.headers,  # type: ignore[arg-type]
            body=self._read_body(),
            base_url=f"http://{host}",
            client=str(self.client_address[0]),
        )

    def _read_body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks = []
            while size := int(self.rfile.readline().split(b";")[0].strip() or b"0", 16):
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
            while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                pass  # trailer headers
            return b"".join(chunks)
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def _send(self, response: Response) -> None:
        try:
            self.send_response(response.status)
            for name, value in response.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(response.body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(response.body)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # the client gave up first (e.g. its timeout on a slow fault)

    def _drop(self) -> None:
        self.close_connection = True
        _shutdown(self.connection)


def _open_store(path: Path) -> Store:
    try:
        return Store(path)
    except sqlite3.Error as err:
        raise BadInputError(
            f"cannot open the sandbox database {path}: {err}",
            fix="use --db with a path in a writable directory, or a file an earlier sandbox wrote "
            "(delete it to start from a fresh instance)",
        ) from None


class Sandbox:
    """A local ServiceNow instance (Table, Attachment and OAuth token APIs) with fault injection.

    Use as a context manager, or call start()/stop(). Data lives in the SQLite file `db_path`
    (a temporary file when None); restarting on the same file loses nothing.
    """

    def __init__(
        self,
        db_path: Path | None = None,
        port: int = 0,
        host: str = "127.0.0.1",
        token_lifetime_seconds: int = 1800,
        log_requests: Callable[[str], None] | None = None,
    ) -> None:
        self._tmp: tempfile.TemporaryDirectory[str] | None = None
        if db_path is None:  # removed when this object is garbage-collected
            self._tmp = tempfile.TemporaryDirectory(prefix="teams-notify-sandbox-")
            db_path = Path(self._tmp.name) / "sandbox.db"
        self.db_path = Path(db_path)
        self.host = host
        self.port = port
        self.token_lifetime_seconds = token_lifetime_seconds
        self.faults = Faults()
        self._stats = Stats()
        self._log_requests = log_requests
        self._stopping = threading.Event()
        self._in_flight = 0
        self._idle = threading.Condition()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._store: Store | None = None
        self._auth: Auth | None = None
        self._app: App | None = None
        self._control = Control(self.faults, self.expire_tokens, self.stats)

    @property
    def url(self) -> str:
        """Base URL, e.g. `http://127.0.0.1:8080` (no trailing slash); valid once started."""
        host = "127.0.0.1" if self.host in ("", "0.0.0.0") else self.host
        host = f"[{host}]" if ":" in host else host
        return f"http://{host}:{self.port}"

    def start(self) -> Sandbox:
        if self._server is not None:
            return self
        self._stopping.clear()
        store = _open_store(self.db_path)
        records = Records(store, AFTER_INSERT, AFTER_UPDATE)
        sync_schema(records)
        seed(records)
        self._auth = Auth(store, self.token_lifetime_seconds)
        self._app = App(records, self._auth)
        try:
            server = _Server((self.host, self.port), self)
        except (OSError, OverflowError) as err:  # OverflowError: a port outside 0-65535
            store.close()
            reason = err.strerror if isinstance(err, OSError) else str(err)
            raise BadInputError(
                f"the sandbox cannot listen on {self.host}:{self.port}: {reason}",
                fix="choose another host or port (port 0 picks a free one), or stop what uses the port",
            ) from None
        self._store, self._server = store, server
        self.port = int(server.server_address[1])  # a restart reuses the port port 0 picked
        # stop() waits up to one poll interval; tests start and stop hundreds of sandboxes.
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.02}, name="sandbox", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        server, thread, store = self._server, self._thread, self._store
        if server is None or thread is None or store is None:
            return
        self._stopping.set()
        server.shutdown()
        server.server_close()
        server.close_connections()
        thread.join()
        with self._idle:
            # Sleeping fault latencies wake on _stopping; this only waits for requests mid-flight.
            self._idle.wait_for(lambda: self._in_flight == 0, timeout=10)
        store.close()
        self._server = self._thread = self._store = None

    def __enter__(self) -> Sandbox:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def stats(self) -> StatsSnapshot:
        """Requests served by `"<METHOD> <kind> <status>"` (kind: table, attachment, oauth, other;
        status may be `dropped`), writes by table, and the total. The control API is not counted."""
        return self._stats.snapshot()

    def expire_tokens(self) -> None:
        """Make every OAuth token issued so far invalid (their next use gets 401)."""
        if self._auth is not None:
            self._auth.expire_tokens()

    # called from handler threads
    def serve(self, req: Request, send: Callable[[Response], None], drop: Callable[[], None]) -> int | str:
        """Answer one request, applying fault rules; returns the status (or "dropped") for the log."""
        if req.path.startswith(CONTROL_PREFIX):
            loopback = req.client in LOOPBACK
            send(self._control.handle(req) if loopback else error(403, "Control API is loopback only"))
            return "control"
        with self._idle:
            self._in_flight += 1
        try:
            return self._serve_api(req, send, drop)
        finally:
            with self._idle:
                self._in_flight -= 1
                self._idle.notify_all()

    def _serve_api(
        self, req: Request, send: Callable[[Response], None], drop: Callable[[], None]
    ) -> int | str:
        action = self.faults.take(req.method, req.path)
        if action.latency_ms and self._stopping.wait(action.latency_ms / 1000):
            drop()
            return "dropped"
        response = None if action.drop == "before" else self._respond(req, action)
        # Counted before the client can see the outcome, so stats never lag behind what it saw.
        if response is None or action.drop == "after_commit" or self._stopping.is_set():
            self._stats.count(req.method, req.path, "dropped", response.written_table if response else None)
            drop()
            return "dropped"
        self._stats.count(req.method, req.path, response.status, response.written_table)
        send(response)
        return response.status

    def _respond(self, req: Request, action: FaultAction) -> Response:
        if action.status is not None:
            response = error(action.status, "Injected fault", f"sandbox fault rule: HTTP {action.status}")
            if action.retry_after is not None:
                response.headers["Retry-After"] = f"{action.retry_after:g}"
            return response
        assert self._app is not None
        try:
            return self._app.handle(req)
        except Exception as err:  # a bug in the sandbox: answer like an instance would, and log it
            log.exception("sandbox error on %s %s", req.method, req.path)
            return error(500, "Internal sandbox error", f"{type(err).__name__}: {err}")

    def log_request(self, req: Request, status: int | str, seconds: float) -> None:
        if self._log_requests is not None:
            self._log_requests(f"{req.method} {req.path} -> {status} ({seconds * 1000:.0f} ms)")
