"""The HTTP client against the real sandbox: auth, token caching, retries, errors, paging, threads."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest
from teams_notify.sandbox import FaultRule, Sandbox
from terraform_provider_servicenow.auth import Credentials
from terraform_provider_servicenow.client import ClientSettings, ServiceNowClient
from terraform_provider_servicenow.exceptions import (
    AccessDeniedError,
    AuthenticationError,
    BadRequestError,
    RetriesExhaustedError,
    UnknownTableError,
)

CLIENT_CREDENTIALS = Credentials(
    "oauth_client_credentials", client_id="sandbox-client", client_secret="sandbox-secret"
)
ADMIN = Credentials("basic", username="admin", password="admin")

MakeClient = Callable[..., ServiceNowClient]


@pytest.fixture
def make_client(provider_sandbox: Sandbox) -> MakeClient:
    def make(credentials: Credentials = ADMIN, **settings: float) -> ServiceNowClient:
        return ServiceNowClient(ClientSettings(provider_sandbox.url, credentials, **settings))  # type: ignore[arg-type]

    return make


def _requests(sb: Sandbox) -> dict[str, int]:
    return sb.stats()["requests"]  # type: ignore[return-value]


def _token_requests(sb: Sandbox) -> int:
    return sum(n for key, n in _requests(sb).items() if key.startswith("POST oauth"))


def test_client_oauth_token_is_cached_and_refreshed_once_under_parallel_401s(
    provider_sandbox: Sandbox, make_client: MakeClient
) -> None:
    client = make_client(CLIENT_CREDENTIALS)
    with ThreadPoolExecutor(10) as pool:
        list(pool.map(lambda _: client.query("sys_alias", "", ["id"]), range(30)))
    assert _token_requests(provider_sandbox) == 1

    provider_sandbox.expire_tokens()
    with ThreadPoolExecutor(10) as pool:
        results = list(pool.map(lambda _: client.query("sys_alias", "", ["id"]), range(30)))
    assert all(len(r) == 1 for r in results)
    assert _token_requests(provider_sandbox) == 2  # one refresh for ten threads that all saw a 401


def test_client_password_grant_and_rejected_secrets(
    provider_sandbox: Sandbox, make_client: MakeClient
) -> None:
    def grant(username: str, password: str) -> Credentials:
        return Credentials(
            "oauth_password",
            username=username,
            password=password,
            client_id="sandbox-client",
            client_secret="sandbox-secret",
        )

    # The token acts as the grant's user (a client credentials token would act as admin and write).
    as_readonly = make_client(grant("readonly", "readonly"))
    assert as_readonly.query("sys_alias", "", ["id"])
    with pytest.raises(AccessDeniedError, match="to user 'readonly'"):
        as_readonly.create_record("sys_certificate", {"name": "x"})
    assert _requests(provider_sandbox)["POST oauth 200"] == 1
    with pytest.raises(AuthenticationError, match="refused to issue an OAuth token") as err:
        make_client(grant("readonly", "wrong")).query("sys_alias", "")
    assert "username/password of the password grant" in err.value.detail

    wrong = Credentials("oauth_client_credentials", client_id="sandbox-client", client_secret="nope")
    with pytest.raises(AuthenticationError, match="refused to issue an OAuth token") as err:
        make_client(wrong).query("sys_alias", "")
    assert "client_id/client_secret" in err.value.detail
    assert "nope" not in str(err.value)

    with pytest.raises(AuthenticationError, match="rejected the basic-auth username/password"):
        make_client(Credentials("basic", username="admin", password="wrong")).query("sys_alias", "")
    with pytest.raises(AuthenticationError, match="rejected the bearer token"):
        make_client(Credentials("bearer", token="not-a-token")).query("sys_alias", "")


def test_client_403_names_table_operation_and_missing_acl(make_client: MakeClient) -> None:
    readonly = make_client(Credentials("basic", username="readonly", password="readonly"))
    assert readonly.query("sys_alias", "", ["id"])  # reads are allowed
    with pytest.raises(AccessDeniedError) as err:
        readonly.create_record("sys_certificate", {"name": "x"})
    assert err.value.summary == (
        "ServiceNow denied create on table 'sys_certificate' to user 'readonly': an ACL or role is missing"
    )
    assert "ACL Exception" in err.value.detail


def test_client_unknown_table_and_bad_request(make_client: MakeClient) -> None:
    client = make_client()
    with pytest.raises(UnknownTableError, match="table 'no_such_table' does not exist"):
        client.get_record("no_such_table", "0" * 32)
    # Any other 400 carries ServiceNow's own message and detail (here: no such record to attach to).
    with pytest.raises(BadRequestError) as err:
        client.upload_attachment("sys_certificate", "0" * 32, "a.txt", "text/plain", b"a")
    assert not isinstance(err.value, UnknownTableError)
    assert (
        err.value.summary
        == "ServiceNow rejected attachment upload on 'sys_certificate': Invalid table_sys_id"
    )
    assert err.value.detail == f"no record {'0' * 32} in table sys_certificate"


def test_client_retries_429_honouring_retry_after_and_5xx_bursts(
    provider_sandbox: Sandbox, make_client: MakeClient, caplog: pytest.LogCaptureFixture
) -> None:
    client = make_client()
    # A sandbox rule applies to every matching request until its count is used up, and all matching
    # rules fire together: so one burst per call.
    provider_sandbox.faults.add(FaultRule(status=429, retry_after=0.3, count=2))
    with caplog.at_level(logging.INFO, logger="terraform_provider_servicenow"):
        record = client.create_record("sys_certificate", {"name": "storm"}, ["name"])
        for status in (502, 503, 504):
            provider_sandbox.faults.add(FaultRule(status=status, count=2))
            got = client.get_record("sys_certificate", record["sys_id"], ["name"])
            assert got == {"sys_id": record["sys_id"], "name": "storm"}
    waits = [float(w) for w in re.findall(r"HTTP 429, retry \d/\d in ([0-9.]+)s", caplog.text)]
    assert len(waits) == 2 and all(w >= 0.3 for w in waits)  # Retry-After honoured, not the shorter backoff
    for status in (502, 503, 504):
        assert len(re.findall(f"GET .*: HTTP {status}, retry", caplog.text)) == 2
    assert _requests(provider_sandbox).get("POST table 201") == 1


def test_client_gives_up_after_max_retries(provider_sandbox: Sandbox, make_client: MakeClient) -> None:
    client = make_client(max_retries=2, backoff_base_seconds=0.01)
    provider_sandbox.faults.add(FaultRule(status=503, count=-1))
    with pytest.raises(RetriesExhaustedError, match=r"did not complete read on 'sys_alias' after 3 attempts"):
        client.query("sys_alias", "")
    assert _requests(provider_sandbox).get("GET table 503") == 3


def test_client_idempotent_calls_survive_drops_and_slow_responses(
    provider_sandbox: Sandbox, make_client: MakeClient
) -> None:
    client = make_client(timeout_seconds=0.5, backoff_base_seconds=0.01)
    record = client.create_record("sys_certificate", {"name": "slow"}, ["name"])
    provider_sandbox.faults.add(
        FaultRule(methods=["PATCH"], drop="after_commit"),
        FaultRule(methods=["GET"], latency_ms=1500),
    )
    assert client.update_record("sys_certificate", record["sys_id"], {"name": "slower"}, ["name"])
    assert client.get_record("sys_certificate", record["sys_id"], ["name"])["name"] == "slower"  # type: ignore[index]
    assert client.delete_record("sys_certificate", record["sys_id"]) is True
    assert client.delete_record("sys_certificate", record["sys_id"]) is False  # already gone: fine


def test_client_parallel_inserts_and_paging(provider_sandbox: Sandbox, make_client: MakeClient) -> None:
    client = make_client()
    with ThreadPoolExecutor(10) as pool:
        created = list(
            pool.map(
                lambda i: client.create_record("jwt_provider", {"name": f"p{i:03d}"}, ["name"]), range(130)
            )
        )
    assert len({r["sys_id"] for r in created}) == 130
    found = client.query("jwt_provider", "nameSTARTSWITHp", ["name"])
    assert sorted(r["name"] for r in found) == [f"p{i:03d}" for i in range(130)]  # crosses the 100-row page


def test_client_downloads_attachment_bytes(make_client: MakeClient) -> None:
    client = make_client()
    record = client.create_record("sys_certificate", {"name": "download test"})
    data = bytes(range(256)) * 3  # binary, not text: must come back byte for byte
    meta = client.upload_attachment(
        "sys_certificate", record["sys_id"], "store.jks", "application/octet-stream", data
    )
    assert client.download_attachment(meta["sys_id"]) == data
    client.delete_attachment(meta["sys_id"])
    assert client.download_attachment(meta["sys_id"]) is None
