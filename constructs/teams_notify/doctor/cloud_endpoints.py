"""Where the doctor talks to Entra and Graph, and which CA certificates it trusts there.

Defaults are the public cloud. Sovereign clouds and local stand-ins set `--authority-host` /
TEAMS_NOTIFY_AUTHORITY_HOST and `--graph-url` / TEAMS_NOTIFY_GRAPH_URL; TLS trust comes from
SSL_CERT_FILE and REQUESTS_CA_BUNDLE (PEM files of CA certificates; both are trusted when both
are set), else the system's trust store.
"""

from __future__ import annotations

import atexit
import functools
import os
import ssl
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from teams_notify.entra_endpoints import DEFAULT_AUTHORITY_HOST
from teams_notify.errors import BadInputError

if TYPE_CHECKING:
    import requests

AUTHORITY_HOST_ENV = "TEAMS_NOTIFY_AUTHORITY_HOST"
GRAPH_URL_ENV = "TEAMS_NOTIFY_GRAPH_URL"
GRAPH_SCOPE_ENV = "TEAMS_NOTIFY_GRAPH_SCOPE"
CA_FILE_ENVS = ("SSL_CERT_FILE", "REQUESTS_CA_BUNDLE")
DEFAULT_GRAPH_URL = "https://graph.microsoft.com"
# The resource ServiceNow asks for (the app registry's scope `.default` on Microsoft Graph).
DEFAULT_GRAPH_SCOPE = "https://graph.microsoft.com/.default"
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")


@dataclass(frozen=True)
class Endpoints:
    authority_host: str
    graph_url: str
    scope: str = DEFAULT_GRAPH_SCOPE
    ca_files: tuple[str, ...] = ()

    @property
    def is_default_cloud(self) -> bool:
        return self.authority_host == DEFAULT_AUTHORITY_HOST

    @property
    def audience_host(self) -> str:
        """The host whose token endpoint is the assertion's `aud`.

        A local stand-in on loopback answers for the public cloud, so the records keep
        login.microsoftonline.com; any other host is a cloud of its own (e.g. .us, .cn).
        """
        if urlsplit(self.authority_host).hostname in LOOPBACK_HOSTS:
            return DEFAULT_AUTHORITY_HOST
        return self.authority_host

    def authority(self, tenant_id: str) -> str:
        return f"{self.authority_host}/{tenant_id}"

    def ssl_context(self) -> ssl.SSLContext:
        """For httpx (Graph): every CA file given, else the system's trust store."""
        if not self.ca_files:
            return ssl.create_default_context()
        context = ssl.create_default_context(cafile=self.ca_files[0])
        for ca_file in self.ca_files[1:]:
            context.load_verify_locations(cafile=ca_file)
        return context

    def requests_session(self) -> requests.Session:
        """For msal (it speaks `requests`): verifies against the CA files when given.

        requests lets REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE override a session's `verify`, so the
        bundle is passed with every request instead.
        """
        import requests

        bundle = combined_ca_bundle(self.ca_files)

        class PinnedSession(requests.Session):
            def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
                kwargs.setdefault("verify", bundle or True)
                return super().request(method, url, *args, **kwargs)

        return PinnedSession()


@functools.cache
def combined_ca_bundle(ca_files: tuple[str, ...]) -> str | None:
    """One PEM file with the certificates of every CA file (requests takes a single path).
    CA certificates are public: the file is an ordinary temporary file, removed at exit."""
    if len(ca_files) <= 1:
        return ca_files[0] if ca_files else None
    with tempfile.NamedTemporaryFile("wb", prefix="teams-notify-ca-", suffix=".pem", delete=False) as handle:
        for ca_file in ca_files:
            handle.write(Path(ca_file).read_bytes().rstrip(b"\n") + b"\n")
    atexit.register(os.unlink, handle.name)
    return handle.name


def _https_url(value: str, what: str, flag: str) -> str:
    parts = urlsplit(value)
    if parts.scheme != "https" or not parts.hostname:
        raise BadInputError(f"{what} {value!r} is not an https:// URL", f"give {flag} https://<host>")
    return value.rstrip("/")


def endpoints_from(
    authority_host: str | None, graph_url: str | None, environ: Mapping[str, str]
) -> Endpoints:
    """Flags first, then environment variables, then the public cloud."""
    host = authority_host or environ.get(AUTHORITY_HOST_ENV) or DEFAULT_AUTHORITY_HOST
    graph = graph_url or environ.get(GRAPH_URL_ENV) or DEFAULT_GRAPH_URL
    ca_files = tuple(dict.fromkeys(environ[name] for name in CA_FILE_ENVS if environ.get(name)))
    for name, ca_file in ((n, environ.get(n, "")) for n in CA_FILE_ENVS):
        if ca_file and not Path(ca_file).is_file():
            raise BadInputError(
                f"the CA file {ca_file} (from {name}) does not exist",
                "point the variable at a PEM file of CA certificates, or unset it",
            )
    return Endpoints(
        authority_host=_https_url(host, "authority host", "--authority-host"),
        graph_url=_https_url(graph, "Graph URL", "--graph-url"),
        scope=environ.get(GRAPH_SCOPE_ENV) or DEFAULT_GRAPH_SCOPE,
        ca_files=ca_files,
    )
