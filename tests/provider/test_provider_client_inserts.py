"""Exactly-once inserts: the client chooses the sys_id before the first send and, when a response is
lost, asks the instance whether that sys_id exists before sending again.

One test per recovery path, each twice where the sandbox can produce it: against the real sandbox
(its fault rules drop a connection before or after the commit) and against a scripted instance
(a `Transport` answering a fixed sequence), which alone can produce the order "lost, GET 404,
resend refused as a duplicate" on demand (on an instance it comes from a commit that lands after our
GET, e.g. a replica that lags)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest
from teams_notify.sandbox import FaultRule, Sandbox
from terraform_provider_servicenow.auth import Credentials
from terraform_provider_servicenow.client import ClientSettings, ServiceNowClient, Transport, new_sys_id
from terraform_provider_servicenow.exceptions import AccessDeniedError, RetriesExhaustedError
from terraform_provider_servicenow.http_pool import Response, TransportError

ADMIN = Credentials("basic", username="admin", password="admin")
TABLE = "/api/now/table/sys_certificate"
SYS_ID = re.compile(r"^[0-9a-f]{32}$")


def _client(url: str, transport: Transport | None = None, **settings: float) -> ServiceNowClient:
    fast = {"backoff_base_seconds": 0.01} | settings
    return ServiceNowClient(ClientSettings(url, ADMIN, **fast), transport=transport)  # type: ignore[arg-type]


def _requests(sb: Sandbox) -> dict[str, int]:
    return sb.stats()["requests"]  # type: ignore[return-value]


def test_new_sys_id_is_32_lowercase_hex_and_fresh() -> None:
    ids = {new_sys_id() for _ in range(1000)}
    assert len(ids) == 1000
    assert all(SYS_ID.match(i) for i in ids)


# ------------------------------------------------------------------- real sandbox


def test_insert_lost_after_commit_is_found_by_its_sys_id_not_resent(provider_sandbox: Sandbox) -> None:
    provider_sandbox.faults.add(FaultRule(methods=["POST"], path_prefix=TABLE, drop="after_commit"))
    client = _client(provider_sandbox.url)
    record = client.create_record("sys_certificate", {"name": "landed"}, ["name"])
    assert SYS_ID.match(record["sys_id"]) and record["name"] == "landed"
    assert client.query("sys_certificate", "name=landed", ["name"]) == [record]
    requests = _requests(provider_sandbox)
    assert requests["POST table dropped"] == 1
    assert "POST table 201" not in requests  # the GET answered; the insert was never sent again
    assert requests["GET table 200"] >= 1


def test_insert_lost_before_commit_is_sent_again_with_the_same_sys_id(provider_sandbox: Sandbox) -> None:
    provider_sandbox.faults.add(FaultRule(methods=["POST"], path_prefix=TABLE, drop="before"))
    client = _client(provider_sandbox.url)
    record = client.create_record("sys_certificate", {"name": "not-landed"}, ["name"])
    assert client.query("sys_certificate", "name=not-landed", ["name"]) == [record]
    requests = _requests(provider_sandbox)
    assert requests["POST table dropped"] == 1
    assert requests["GET table 404"] == 1  # asked, was told it is not there...
    assert requests["POST table 201"] == 1  # ...and sent it once more


def test_insert_on_a_gateway_504_is_checked_before_a_resend(provider_sandbox: Sandbox) -> None:
    # A 504 may come after the instance committed; the sandbox's 504 does not commit, so: resend.
    provider_sandbox.faults.add(FaultRule(methods=["POST"], path_prefix=TABLE, status=504))
    record = _client(provider_sandbox.url).create_record("sys_certificate", {"name": "gw"}, ["name"])
    assert record["name"] == "gw"
    assert _requests(provider_sandbox)["GET table 404"] == 1


def test_insert_refused_by_acl_is_not_mistaken_for_a_duplicate(provider_sandbox: Sandbox) -> None:
    provider_sandbox.faults.add(FaultRule(methods=["POST"], path_prefix=TABLE, drop="before"))
    readonly = Credentials("basic", username="readonly", password="readonly")
    client = ServiceNowClient(ClientSettings(provider_sandbox.url, readonly, backoff_base_seconds=0.01))
    with pytest.raises(AccessDeniedError, match="denied create on table 'sys_certificate'"):
        client.create_record("sys_certificate", {"name": "denied"}, ["name"])
    assert _requests(provider_sandbox)["POST table 403"] == 1
    assert _requests(provider_sandbox)["GET table 404"] == 2  # the lost send, then the 403 to the resend


def test_insert_whose_every_response_is_lost_gives_up(provider_sandbox: Sandbox) -> None:
    provider_sandbox.faults.add(FaultRule(methods=["POST"], path_prefix=TABLE, drop="before", count=-1))
    client = _client(provider_sandbox.url, max_retries=2)
    gave_up = "did not complete create on 'sys_certificate' after 3"
    with pytest.raises(RetriesExhaustedError, match=gave_up) as err:
        client.create_record("sys_certificate", {"name": "never"}, ["name"])
    assert _requests(provider_sandbox)["POST table dropped"] == 3
    # The sys_id it chose is named, so a record that lands later can be imported, not twinned.
    assert re.search(r"terraform import <address> sys_certificate/[0-9a-f]{32}", err.value.detail)


# -------------------------------------------------------------- scripted instance


@dataclass(frozen=True)
class Sent:
    """One request as the scripted instance saw it."""

    method: str
    path: str
    body: dict[str, object]


Answer = Callable[[Sent], Response]


class ScriptedInstance:
    """A `Transport` answering requests with a fixed list of functions, in order; records what it
    was asked."""

    def __init__(self, *answers: Answer) -> None:
        self.answers = list(answers)
        self.seen: list[tuple[str, str, dict[str, object]]] = []

    def request(
        self, method: str, target: str, body: bytes | None = None, headers: Mapping[str, str] | None = None
    ) -> Response:
        sent = Sent(method, urlsplit(target).path, json.loads(body) if body else {})
        self.seen.append((sent.method, sent.path, sent.body))
        return self.answers.pop(0)(sent)

    def close(self) -> None:
        pass


def _json(status: int, document: object) -> Response:
    return Response(status, {"Content-Type": "application/json"}, json.dumps(document).encode())


def lost(request: Sent) -> Response:
    raise TransportError("RemoteDisconnected", sent=True)


def not_found(request: Sent) -> Response:
    return _json(404, {"error": {"message": "No Record found"}, "status": "failure"})


def duplicate(request: Sent) -> Response:
    detail = "Error during insert of sys_certificate: Unique Key violation detected by database"
    return _json(403, {"error": {"message": "Operation Failed", "detail": detail}})


def acl_denied(request: Sent) -> Response:
    detail = "ACL Exception Insert Failed due to security constraints"
    return _json(403, {"error": {"message": "Operation Failed", "detail": detail}})


def found(request: Sent) -> Response:
    sys_id = request.path.rsplit("/", 1)[-1]
    return _json(200, {"result": {"sys_id": sys_id, "name": "x"}})


def created(request: Sent) -> Response:
    return _json(201, {"result": {"sys_id": request.body["sys_id"], "name": "x"}})


def _create(instance: ScriptedInstance) -> dict[str, object]:
    return _client("https://example.service-now.com", instance).create_record(
        "sys_certificate", {"name": "x"}
    )


def _posted_ids(instance: ScriptedInstance) -> list[object]:
    return [body["sys_id"] for method, _, body in instance.seen if method == "POST"]


def test_scripted_landed_lost_then_found() -> None:
    instance = ScriptedInstance(lost, found)
    record = _create(instance)
    [(_, _, body), (method, path, _)] = instance.seen
    assert method == "GET" and path == f"{TABLE}/{body['sys_id']}"
    assert record["sys_id"] == body["sys_id"]


def test_scripted_not_landed_lost_then_404_then_resent_with_the_same_sys_id() -> None:
    instance = ScriptedInstance(lost, not_found, created)
    record = _create(instance)
    first, second = _posted_ids(instance)
    assert first == second == record["sys_id"]
    assert [m for m, _, _ in instance.seen] == ["POST", "GET", "POST"]


def test_scripted_duplicate_rejection_of_the_resend_means_it_landed() -> None:
    instance = ScriptedInstance(lost, not_found, duplicate, found)
    record = _create(instance)
    assert [m for m, _, _ in instance.seen] == ["POST", "GET", "POST", "GET"]
    assert record["sys_id"] == _posted_ids(instance)[0]


def test_scripted_403_to_a_resend_that_did_not_land_stays_an_error() -> None:
    instance = ScriptedInstance(lost, not_found, acl_denied, not_found)
    with pytest.raises(AccessDeniedError) as err:
        _create(instance)
    assert "ACL Exception Insert" in err.value.detail


def test_scripted_403_to_a_first_send_is_an_error_without_a_lookup() -> None:
    instance = ScriptedInstance(acl_denied)
    with pytest.raises(AccessDeniedError):
        _create(instance)
    assert [m for m, _, _ in instance.seen] == ["POST"]


def test_a_sys_id_given_in_the_values_is_the_one_inserted_and_looked_up(provider_sandbox: Sandbox) -> None:
    provider_sandbox.faults.add(FaultRule(methods=["POST"], path_prefix=TABLE, drop="after_commit"))
    fixed = "abcdef0123456789abcdef0123456789"
    record = _client(provider_sandbox.url).create_record(
        "sys_certificate", {"sys_id": fixed, "name": "fixed"}
    )
    assert record["sys_id"] == fixed
    assert _requests(provider_sandbox)["GET table 200"] == 1  # found by the given sys_id
