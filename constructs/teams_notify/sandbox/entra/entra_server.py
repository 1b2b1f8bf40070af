"""`EntraSandbox`: the local Entra (authority + Graph users API) over HTTPS in a background
thread, on the same threaded stdlib server as the ServiceNow sandbox, with TLS added."""

from __future__ import annotations

import contextlib
import logging
import socket
import ssl
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

from teams_notify.errors import BadInputError, TeamsNotifyError
from teams_notify.sandbox.api import Request, Response, json_response
from teams_notify.sandbox.entra.access_tokens import TokenIssuer
from teams_notify.sandbox.entra.directory import EntraState
from teams_notify.sandbox.entra.endpoints import EntraApi
from teams_notify.sandbox.entra.local_ca import local_keys
from teams_notify.sandbox.server import _Server

log = logging.getLogger("teams_notify.sandbox.entra")
HANDSHAKE_TIMEOUT_SECONDS = 10
LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]")  # names a local client may use for this server


class _TlsServer(_Server):
    """The sandbox's server with TLS; the handshake runs in the connection's own thread, so a
    client that never finishes it cannot stall the others."""

    tls: ssl.SSLContext

    def finish_request(self, request: socket.socket, client_address: tuple[str, int]) -> None:  # type: ignore[override]
        request.settimeout(HANDSHAKE_TIMEOUT_SECONDS)
        try:
            conn = self.tls.wrap_socket(request, server_side=True)
        except (ssl.SSLError, OSError) as err:  # e.g. a client that does not trust our CA
            log.debug("TLS handshake with %s failed: %s", client_address, err)
            return
        conn.settimeout(None)
        with contextlib.closing(conn):
            super().finish_request(conn, client_address)


class EntraSandbox:
    """A local Microsoft Entra ID (v2 token endpoint, OpenID discovery) and Microsoft Graph
    (`GET /v1.0/users/{id}`) over HTTPS, with apps, certificates, grants and users from an
    `EntraState` (see docs/sandbox.md, "The local Entra").

    `state_file`: read at start and again whenever it changes (or on `reload()`); `state`: the
    initial state instead (saved to `state_file` when both are given). `data_dir` keeps the CA,
    server certificate and token signing key (a temporary folder when None).
    """

    def __init__(
        self,
        state_file: Path | None = None,
        state: EntraState | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        data_dir: Path | None = None,
        token_lifetime_seconds: int = 3599,
        log_requests: Callable[[str], None] | None = None,
    ) -> None:
        self._tmp: tempfile.TemporaryDirectory[str] | None = None
        if data_dir is None:  # removed when this object is garbage-collected
            self._tmp = tempfile.TemporaryDirectory(prefix="teams-notify-entra-")
            data_dir = Path(self._tmp.name)
        self.data_dir = Path(data_dir)
        self.state_file = Path(state_file) if state_file is not None else None
        self._state_mtime: int | None = None
        self._api: EntraApi | None = None
        if state is not None and self.state_file is not None:
            state.save(self.state_file)
            self._state_mtime = self._mtime()
        self.state = state if state is not None else self._read_state() or EntraState()
        self.host, self.port = host, port
        self.token_lifetime_seconds = token_lifetime_seconds
        self._log_requests = log_requests
        self._state_lock = threading.Lock()
        self._server: _TlsServer | None = None
        self._thread: threading.Thread | None = None
        self.ca_file = self.data_dir / "entra-ca.pem"

    def _read_state(self) -> EntraState | None:
        if self.state_file is None:
            return None
        self._state_mtime = self._mtime()
        return EntraState.load(self.state_file)

    def _mtime(self) -> int | None:
        try:
            return self.state_file.stat().st_mtime_ns if self.state_file else None
        except OSError:
            return None

    @property
    def url(self) -> str:
        """`https://127.0.0.1:<port>`: the authority host and the Graph base URL; valid once started."""
        host = "127.0.0.1" if self.host in ("", "0.0.0.0") else self.host
        host = f"[{host}]" if ":" in host else host
        return f"https://{host}:{self.port}"

    def authority(self, tenant: str) -> str:
        """The authority URL for `msal` (`authority=`), e.g. `https://127.0.0.1:8443/<tenant>`."""
        return f"{self.url}/{tenant}"

    def reload(self) -> EntraState:
        """Re-read the state file now (it is also re-read on the first request after it changes)."""
        with self._state_lock:
            state = self._read_state()
            if state is not None:
                if self._api is not None:
                    self._api.observe(state)  # first, so a bad certificate keeps the old state
                self.state = state
            return self.state

    def _current_state(self) -> EntraState:
        if self.state_file is not None and self._mtime() != self._state_mtime:
            try:
                self.reload()
            except TeamsNotifyError as err:  # a half-edited file: keep serving the last good state
                log.warning("keeping the previous Entra state: %s", err)
                self._state_mtime = self._mtime()
        return self.state

    def _authorities(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys((self.url, *(f"https://{h}:{self.port}" for h in LOOPBACK_NAMES))))

    def start(self) -> EntraSandbox:
        if self._server is not None:
            return self
        keys = local_keys(self.data_dir, (self.host,) if self.host not in ("", "0.0.0.0") else ())
        self.ca_file = keys.ca_file
        issuer = TokenIssuer(keys.signing_key, self.token_lifetime_seconds)
        self._api = EntraApi(self._current_state, issuer, self._authorities)
        self._api.observe(self.state)
        try:
            server = _TlsServer((self.host, self.port), self)
        except (OSError, OverflowError) as err:  # OverflowError: a port outside 0-65535
            reason = err.strerror if isinstance(err, OSError) else str(err)
            raise BadInputError(
                f"the local Entra cannot listen on {self.host}:{self.port}: {reason}",
                fix="choose another host or port (port 0 picks a free one), or stop what uses the port",
            ) from None
        server.tls = keys.tls_context()
        self._server = server
        self.port = int(server.server_address[1])  # a restart reuses the port port 0 picked
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.02}, name="entra-sandbox", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        server, thread = self._server, self._thread
        if server is None or thread is None:
            return
        server.shutdown()
        server.server_close()
        server.close_connections()
        thread.join()
        self._server = self._thread = None

    def __enter__(self) -> EntraSandbox:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    # called from handler threads (teams_notify.sandbox.server.Service)
    def serve(self, req: Request, send: Callable[[Response], None], drop: Callable[[], None]) -> int | str:
        assert self._api is not None
        host = req.headers.get("Host") or f"127.0.0.1:{self.port}"
        try:
            response = self._api.handle(req, f"https://{host}")
        except Exception as err:  # a bug in the sandbox: answer 500 and log it
            log.exception("local Entra error on %s %s", req.method, req.path)
            response = json_response(
                500, {"error": "server_error", "error_description": f"{type(err).__name__}: {err}"}
            )
        send(response)
        return response.status

    def log_request(self, req: Request, status: int | str, seconds: float) -> None:
        if self._log_requests is not None:
            self._log_requests(f"{req.method} {req.path} -> {status} ({seconds * 1000:.0f} ms)")
