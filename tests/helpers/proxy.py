"""A real forward proxy on 127.0.0.1 for the provider's HTTP client tests.

    with ForwardProxy() as proxy:         # proxy.url = "http://127.0.0.1:<port>"
        ...                               # proxy.seen: ["CONNECT 127.0.0.1:8443", "GET http://..."]
                                          # proxy.authorizations: each request's Proxy-Authorization

`CONNECT host:port` opens a tunnel (how https goes through a proxy); an absolute-form request
(`GET http://host:port/path HTTP/1.1`, how plain http goes through one) is sent on to its host in
origin form. Either way the bytes are then piped both ways until one side closes, so every
connection through it serves one target.
"""

from __future__ import annotations

import contextlib
import socket
import socketserver
import threading
from types import TracebackType
from urllib.parse import urlsplit


class _Handler(socketserver.BaseRequestHandler):
    server: _Server

    def handle(self) -> None:
        client: socket.socket = self.request
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = client.recv(65536)
            if not chunk:
                return
            head += chunk
        header_block, _, rest = head.partition(b"\r\n\r\n")
        request_line, *header_lines = header_block.decode("latin-1").split("\r\n")
        method, target, version = request_line.split(" ")
        self.server.seen.append(f"{method} {target}")
        headers = dict(line.split(": ", 1) for line in header_lines)
        self.server.authorizations.append(headers.pop("Proxy-Authorization", ""))
        if method == "CONNECT":
            host, port = target.rsplit(":", 1)
            upstream = socket.create_connection((host, int(port)))
            client.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
        else:
            url = urlsplit(target)
            upstream = socket.create_connection((url.hostname or "", url.port or 80))
            origin_form = url.path + (f"?{url.query}" if url.query else "")
            lines = [f"{method} {origin_form} {version}", *(f"{k}: {v}" for k, v in headers.items())]
            upstream.sendall("\r\n".join(lines).encode("latin-1") + b"\r\n\r\n" + rest)
        with upstream:
            _pipe(client, upstream)


def _pipe(a: socket.socket, b: socket.socket) -> None:
    def copy(src: socket.socket, dst: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while data := src.recv(65536):
                dst.sendall(data)
        with contextlib.suppress(OSError):
            dst.shutdown(socket.SHUT_WR)

    other = threading.Thread(target=copy, args=(b, a), daemon=True)
    other.start()
    copy(a, b)
    other.join()


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.seen: list[str] = []
        self.authorizations: list[str] = []


class ForwardProxy:
    """Start on enter, stop on exit."""

    def __init__(self) -> None:
        self._server = _Server()
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def seen(self) -> list[str]:
        return self._server.seen

    @property
    def authorizations(self) -> list[str]:
        return self._server.authorizations

    def __enter__(self) -> ForwardProxy:
        self._thread.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._server.shutdown()
        self._server.server_close()
