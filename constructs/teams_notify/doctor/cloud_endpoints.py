"""Where the doctor talks to Entra and Graph, and which CA certificates it trusts there.

Defaults are the public cloud. Sovereign clouds and local stand-ins set `--authority-host` /
TEAMS_NOTIFY_AUTHORITY_HOST and `--graph-url` / TEAMS_NOTIFY_GRAPH_URL; TLS trust comes from
SSL_CERT_FILE or REQUESTS_CA_BUNDLE (a PEM file of CA certificates), else the system's.
"""

from __future__ import annotations

import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
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
    ca_file: str | None = None

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
        """For httpx (Graph): the CA file when given, else the system's trust store."""
        return ssl.create_default_context(cafile=self.ca_file)

    def requests_session(self) -> requests.Session:
        """For msal (it speaks `requests`): verifies against the CA file when given."""
        import requests

        session = requests.Session()
        session.verify = self.ca_file or True
        return session


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
    ca_file = next((environ[name] for name in CA_FILE_ENVS if environ.get(name)), None)
    if ca_file is not None and not Path(ca_file).is_file():
        raise BadInputError(
            f"the CA file {ca_file} (from SSL_CERT_FILE / REQUESTS_CA_BUNDLE) does not exist",
            "point the variable at a PEM file of CA certificates, or unset it",
        )
    return Endpoints(
        authority_host=_https_url(host, "authority host", "--authority-host"),
        graph_url=_https_url(graph, "Graph URL", "--graph-url"),
        scope=environ.get(GRAPH_SCOPE_ENV) or DEFAULT_GRAPH_SCOPE,
        ca_file=ca_file,
    )
