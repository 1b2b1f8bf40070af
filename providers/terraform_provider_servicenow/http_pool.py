"""A small thread-safe HTTP/1.1 keep-alive pool for one origin, on the standard library's `http.client`.

Why not httpx: Terraform starts the provider three or four times per command and every record costs
one request in a process that shares the GIL among ten worker threads. httpx costs about 60 ms to
import and 0.5-0.6 ms of CPU per request (URL parsing, its header and pool models); `http.client`
does the same request in about 0.15 ms (docs/provider.md, "Benchmark and performance").

What it keeps from the httpx client it replaces:

- TLS verification with `SSL_CERT_FILE` or `SSL_CERT_DIR` when set, else certifi's CA bundle (the
  same order httpx uses); the context is built only for an https origin, on first use;
- `HTTPS_PROXY` / `HTTP_PROXY` / `ALL_PROXY` and `NO_PROXY` from the environment (the standard
  library's rules: `urllib.request`'s reading of the variables and its NO_PROXY matching); an
  `http://` proxy, tunnelled with CONNECT for https, with `user:password@` sent as
  Proxy-Authorization. Other proxy schemes (`https://`, `socks5://`) are refused with a message;
- one timeout for connect and for each read/write (`timeout_seconds`);
- no redirects followed; the body read whole.

Failures are one exception, `TransportError`, whose `sent` says whether the request may have
reached the server: False only when the connection could not be made (refused, DNS, connect
timeout), so a non-idempotent request can be retried blindly only then.
"""

from __future__ import annotations

import base64
import json
import os
import select
import socket
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

from terraform_provider_servicenow.exceptions import ConfigError

if TYPE_CHECKING:
    import ssl
    from http.client import HTTPConnection, HTTPMessage


class TransportError(Exception):
    """The request got no HTTP response. `sent`: it may have reached the server."""

    def __init__(self, kind: str, sent: bool) -> None:
        super().__init__(kind)
        self.kind = kind  # the exception class name, for logs ("ConnectionRefusedError", "TimeoutError")
        self.sent = sent


@dataclass(frozen=True)
class Response:
    """A complete response: status, headers (case-insensitive `get`), body."""

    status_code: int
    headers: Mapping[str, str]
    content: bytes

    @property
    def is_success(self) -> bool:
        return 200 <= self.status_code < 300

    def json(self) -> Any:
        """The body as JSON (ValueError when it is not)."""
        return json.loads(self.content)

    def has_next_link(self) -> bool:
        """Whether a `Link` header names a `rel="next"` page (ServiceNow's paging)."""
        link = self.headers.get("Link") or ""
        return any('rel="next"' in part.replace("'", '"') for part in link.split(","))


@dataclass(frozen=True)
class Proxy:
    host: str
    port: int
    authorization: str  # "" or the Proxy-Authorization header value


def environment_proxies(environ: Mapping[str, str]) -> dict[str, str]:
    """`<scheme>_proxy` variables as urllib reads them: {"https": url, "no": "host,..."}; a lower-case
    name wins over its upper-case twin, and HTTP_PROXY is ignored in a CGI request (httpoxy)."""
    proxies: dict[str, str] = {}
    for name in sorted(environ, key=str.islower):  # upper-case names first, lower-case ones override
        if name.lower().endswith("_proxy"):
            scheme, value = name[:-6].lower(), environ[name]
            if value:
                proxies[scheme] = value
            else:
                proxies.pop(scheme, None)
    if "REQUEST_METHOD" in environ:
        proxies.pop("http", None)
    return proxies


def environment_proxy(scheme: str, host: str, environ: Mapping[str, str]) -> Proxy | None:
    """The proxy the environment sets for `scheme://host`, honouring NO_PROXY; None for none."""
    proxies = environment_proxies(environ)
    url = proxies.get(scheme) or proxies.get("all")
    if not url:
        return None
    # Only imported when a proxy is set: urllib.request costs ~10 ms at start-up.
    from urllib.request import proxy_bypass_environment  # type: ignore[attr-defined]

    if proxy_bypass_environment(host, proxies):
        return None
    parts = urlsplit(url if "://" in url else f"http://{url}")
    if parts.scheme != "http" or not parts.hostname:
        raise ConfigError(
            f"unsupported proxy {parts.scheme}://{parts.hostname or ''} for {scheme}://{host}",
            "The provider supports http:// proxies (HTTPS_PROXY=http://proxy:3128, CONNECT tunnel for "
            "https). Use one, or exclude the instance with NO_PROXY.",
        )
    authorization = ""
    if parts.username is not None:
        raw = f"{unquote(parts.username)}:{unquote(parts.password or '')}".encode()
        authorization = "Basic " + base64.b64encode(raw).decode()
    return Proxy(parts.hostname, parts.port or 80, authorization)


def default_ssl_context(environ: Mapping[str, str]) -> ssl.SSLContext:
    """Verify against SSL_CERT_FILE, else SSL_CERT_DIR, else certifi's bundle (httpx's order)."""
    import ssl

    if environ.get("SSL_CERT_FILE"):
        return ssl.create_default_context(cafile=environ["SSL_CERT_FILE"])
    if environ.get("SSL_CERT_DIR"):
        return ssl.create_default_context(capath=environ["SSL_CERT_DIR"])
    import certifi

    return ssl.create_default_context(cafile=certifi.where())


class HttpPool:
    """Keep-alive connections to one origin (`https://host[:port]` or `http://host[:port]`), shared by
    threads. Idle connections are kept up to `max_idle`; a thread that finds none idle opens one, so
    concurrency is bounded by the callers (Terraform's parallelism), never by a pool wait."""

    def __init__(
        self,
        origin: str,
        timeout_seconds: float,
        max_idle: int = 20,
        ssl_context: ssl.SSLContext | None = None,
        environ: Mapping[str, str] = os.environ,
    ) -> None:
        parts = urlsplit(origin)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"not an http(s) origin: {origin!r}")
        self.scheme = parts.scheme
        self.host = parts.hostname
        self.port = parts.port or (443 if parts.scheme == "https" else 80)
        self.timeout = timeout_seconds
        self.max_idle = max_idle
        self._ssl_context = ssl_context
        self._environ = environ
        self._proxy = environment_proxy(self.scheme, self.host, environ)
        # Host header as the origin spells it (default ports left out, IPv6 in brackets).
        self._host_header = parts.netloc.rpartition("@")[2]
        self._idle: list[HTTPConnection] = []
        self._lock = threading.Lock()
        self._closed = False

    def request(
        self, method: str, target: str, body: bytes | None = None, headers: Mapping[str, str] | None = None
    ) -> Response:
        """Send one request (`target`: path and query, already encoded); the whole response back."""
        import http.client

        conn = self._take()  # connected: from here on the server may see the request
        try:
            if self._proxy is not None and self.scheme == "http":
                target = f"http://{self._host_header}{target}"  # absolute form through an http proxy
            conn.putrequest(method, target, skip_host=True)
            for name, value in self._headers(headers, body).items():
                conn.putheader(name, value)
            conn.endheaders(body)
            raw = conn.getresponse()
            content = raw.read()
        except (OSError, http.client.HTTPException) as exc:
            # Reset, timeout, RemoteDisconnected, BadStatusLine, IncompleteRead: no (whole) response.
            conn.close()
            raise TransportError(type(exc).__name__, sent=True) from exc
        except BaseException:
            conn.close()
            raise
        response = Response(raw.status, _Headers(raw.headers), content)
        if raw.will_close:
            conn.close()
        else:
            self._give_back(conn)
        return response

    def close(self) -> None:
        with self._lock:
            self._closed = True
            idle, self._idle = self._idle, []
        for conn in idle:
            conn.close()

    def _headers(self, headers: Mapping[str, str] | None, body: bytes | None) -> dict[str, str]:
        out = {"Host": self._host_header}
        if body is not None:
            out["Content-Length"] = str(len(body))
        if self._proxy is not None and self.scheme == "http" and self._proxy.authorization:
            out["Proxy-Authorization"] = self._proxy.authorization
        return out | dict(headers or {})

    def _take(self) -> HTTPConnection:
        while True:
            with self._lock:
                conn = self._idle.pop() if self._idle else None
            if conn is None:
                return self._new_connection()
            if _usable(conn):
                return conn
            conn.close()  # the server closed it while idle: never send on it

    def _give_back(self, conn: HTTPConnection) -> None:
        with self._lock:
            if not self._closed and len(self._idle) < self.max_idle:
                self._idle.append(conn)
                return
        conn.close()

    def _new_connection(self) -> HTTPConnection:
        import http.client

        proxy = self._proxy
        host, port = (proxy.host, proxy.port) if proxy else (self.host, self.port)
        conn: HTTPConnection
        if self.scheme == "https":
            if self._ssl_context is None:
                self._ssl_context = default_ssl_context(self._environ)
            conn = http.client.HTTPSConnection(host, port, timeout=self.timeout, context=self._ssl_context)
            if proxy is not None:
                tunnel_headers = {"Proxy-Authorization": proxy.authorization} if proxy.authorization else None
                conn.set_tunnel(self.host, self.port, headers=tunnel_headers)
        else:
            conn = http.client.HTTPConnection(host, port, timeout=self.timeout)
        try:
            conn.connect()
        except OSError as exc:
            conn.close()
            # Refused, unreachable, DNS, connect timeout, TLS handshake or proxy CONNECT refused:
            # no request bytes were written.
            raise TransportError(type(exc).__name__, sent=False) from exc
        if conn.sock is not None:
            # Headers and body go out in separate writes; without NODELAY, Nagle + delayed ACK add ~40 ms.
            conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return conn


class _Headers(Mapping[str, str]):
    """Read-only, case-insensitive view of a response's headers."""

    def __init__(self, message: HTTPMessage) -> None:
        self._message = message

    def get(self, key: str, default: Any = None) -> Any:
        return self._message.get(key, default)

    def __getitem__(self, key: str) -> str:
        value = self._message.get(key)
        if value is None:
            raise KeyError(key)
        return str(value)

    def __iter__(self) -> Any:
        return iter(self._message.keys())

    def __len__(self) -> int:
        return len(self._message)


def _usable(conn: HTTPConnection) -> bool:
    """An idle connection is usable when the server has not closed it: nothing to read yet."""
    sock = conn.sock
    if sock is None:
        return False
    try:
        poller = select.poll()  # not select.select: it fails on descriptors above 1023
        poller.register(sock, select.POLLIN)
        readable = poller.poll(0)
    except (OSError, ValueError):
        return False
    return not readable  # readable while idle = EOF (closed) or junk: either way unusable

