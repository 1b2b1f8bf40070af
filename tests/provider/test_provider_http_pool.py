"""The provider's HTTP pool (http_pool.py) for real: keep-alive against the sandbox, TLS verification
against the local Entra's HTTPS server and its own CA, proxies through a real forward proxy."""

from __future__ import annotations

import base64
import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from helpers.entra import TENANT_ID
from helpers.proxy import ForwardProxy
from teams_notify.sandbox import Sandbox
from teams_notify.sandbox.entra import EntraSandbox
from terraform_provider_servicenow.auth import Credentials, basic_header
from terraform_provider_servicenow.client import ClientSettings, ServiceNowClient
from terraform_provider_servicenow.exceptions import ConfigError, UntrustedCertificateError
from terraform_provider_servicenow.http_pool import HttpPool, TransportError, environment_proxies

ADMIN = {"Authorization": basic_header("admin", "admin"), "Accept": "application/json"}
ALIASES = "/api/now/table/sys_alias?sysparm_limit=1"


def _discovery(entra: EntraSandbox) -> str:
    """A path the local Entra answers over HTTPS."""
    return f"/{TENANT_ID}/v2.0/.well-known/openid-configuration"


def _requests(sb: Sandbox) -> dict[str, int]:
    return sb.stats()["requests"]  # type: ignore[return-value]


def test_pool_keeps_connections_alive_across_threads(provider_sandbox: Sandbox) -> None:
    pool = HttpPool(provider_sandbox.url, 10, environ={})
    opened: list[object] = []
    new_connection = pool._new_connection

    def counting() -> object:
        conn = new_connection()
        opened.append(conn)
        return conn

    pool._new_connection = counting  # type: ignore[method-assign]
    with ThreadPoolExecutor(5) as threads:
        answers = list(threads.map(lambda _: pool.request("GET", ALIASES, headers=ADMIN), range(100)))
    assert {a.status_code for a in answers} == {200}
    assert all(a.json()["result"] for a in answers)
    assert len(opened) <= 5  # one per thread at most, then reused
    pool.close()


def test_a_connection_the_server_closed_while_idle_is_never_used_for_an_insert(
    provider_sandbox: Sandbox,
) -> None:
    client = ServiceNowClient(
        ClientSettings(provider_sandbox.url, Credentials("basic", username="admin", password="admin"))
    )
    client.query("sys_alias", "", ["id"])  # leaves an idle keep-alive connection in the pool
    provider_sandbox.stop()  # closes it from the server's side
    provider_sandbox.start()  # same port
    before = _requests(provider_sandbox)
    record = client.create_record("sys_certificate", {"name": "after restart"}, ["name"])
    after = _requests(provider_sandbox)
    assert record["name"] == "after restart"
    assert after.get("POST table 201", 0) - before.get("POST table 201", 0) == 1
    # No lost response, so no recovery lookup: the stale connection was dropped before sending.
    assert after.get("GET table 404", 0) == before.get("GET table 404", 0)
    assert after.get("GET table 200", 0) == before.get("GET table 200", 0)


def test_tls_is_verified_against_ssl_cert_file_and_refused_without_it(entra: EntraSandbox) -> None:
    trusted = HttpPool(entra.url, 10, environ={"SSL_CERT_FILE": str(entra.ca_file)})
    answer = trusted.request("GET", _discovery(entra))
    assert answer.status_code == 200 and answer.json()["issuer"]
    # certifi's bundle (no SSL_CERT_FILE / SSL_CERT_DIR) does not know the local CA.
    with pytest.raises(TransportError) as err:
        HttpPool(entra.url, 10, environ={}).request("GET", _discovery(entra))
    assert err.value.kind == "SSLCertVerificationError"
    assert err.value.sent is False  # the handshake failed: no request bytes went out


def test_client_reports_an_untrusted_certificate_at_once(
    entra: EntraSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SSL_CERT_FILE")
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)
    token = Credentials("bearer", token="t")
    client = ServiceNowClient(ClientSettings(entra.url, token, backoff_base_seconds=5))  # a retry would show
    with pytest.raises(UntrustedCertificateError) as err:
        client.get_record("sys_user", "0" * 32)
    assert err.value.summary == f"the TLS certificate of {entra.url} is not trusted (read on 'sys_user')"
    assert "SSL_CERT_FILE" in err.value.detail


def test_tls_trusts_an_ssl_cert_dir(entra: EntraSandbox, tmp_path: Path) -> None:
    import subprocess

    ca_dir = tmp_path / "ca"
    ca_dir.mkdir()
    (ca_dir / "local.pem").write_bytes(Path(entra.ca_file).read_bytes())
    subprocess.run(["openssl", "rehash", str(ca_dir)], check=True, capture_output=True)  # hashed names
    answer = HttpPool(entra.url, 10, environ={"SSL_CERT_DIR": str(ca_dir)}).request("GET", _discovery(entra))
    assert answer.status_code == 200


def test_https_goes_through_an_http_proxy_with_connect_and_proxy_credentials(entra: EntraSandbox) -> None:
    with ForwardProxy() as proxy:
        authority = proxy.url.replace("http://", "http://user%40corp:p%3Ass@")
        environ = {"SSL_CERT_FILE": str(entra.ca_file), "HTTPS_PROXY": authority}
        answer = HttpPool(entra.url, 10, environ=environ).request("GET", _discovery(entra))
    assert answer.status_code == 200
    assert proxy.seen == [f"CONNECT {entra.url.removeprefix('https://')}"]
    assert proxy.authorizations == ["Basic " + base64.b64encode(b"user@corp:p:ss").decode()]


def test_http_goes_through_a_proxy_unless_no_proxy_names_the_host(provider_sandbox: Sandbox) -> None:
    with ForwardProxy() as proxy:
        proxied = HttpPool(provider_sandbox.url, 10, environ={"http_proxy": proxy.url})
        assert proxied.request("GET", ALIASES, headers=ADMIN | {"Connection": "close"}).status_code == 200
        assert proxy.seen == [f"GET {provider_sandbox.url}{ALIASES}"]
        bypass = {"HTTP_PROXY": proxy.url, "NO_PROXY": "example.com,127.0.0.1"}
        direct = HttpPool(provider_sandbox.url, 10, environ=bypass)
        assert direct.request("GET", ALIASES, headers=ADMIN).is_success
        assert len(proxy.seen) == 1


def test_proxy_variables_follow_urllib_and_other_schemes_are_refused(provider_sandbox: Sandbox) -> None:
    assert environment_proxies({"HTTPS_PROXY": "http://a:1", "https_proxy": "http://b:2"}) == {
        "https": "http://b:2"
    }
    assert environment_proxies({"HTTP_PROXY": "http://a:1", "REQUEST_METHOD": "GET"}) == {}
    with pytest.raises(ConfigError, match="unsupported proxy socks5://proxy") as err:
        HttpPool(provider_sandbox.url, 10, environ={"ALL_PROXY": "socks5://proxy:1080"})
    assert "NO_PROXY" in err.value.detail


def test_connection_refused_is_not_sent_and_a_body_round_trips(provider_sandbox: Sandbox) -> None:
    pool = HttpPool(provider_sandbox.url, 10, environ={})
    body = json.dumps({"name": "ünïcode"}, ensure_ascii=False).encode()
    headers = ADMIN | {"Content-Type": "application/json"}
    created = pool.request("POST", "/api/now/table/sys_certificate", body, headers)
    assert created.status_code == 201 and created.json()["result"]["name"] == "ünïcode"
    provider_sandbox.stop()
    with pytest.raises(TransportError) as err:
        HttpPool(provider_sandbox.url, 10, environ={}).request("GET", ALIASES, headers=ADMIN)
    assert err.value.sent is False and err.value.kind == "ConnectionRefusedError"
