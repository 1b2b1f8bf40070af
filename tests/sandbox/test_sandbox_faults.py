"""Fault injection, in Python (sb.faults) and over the control API, against real HTTP clients."""

from __future__ import annotations

import httpx
import pytest
from helpers.sandbox import client
from teams_notify.errors import BadInputError
from teams_notify.sandbox import FaultRule, Sandbox

ALIASES = "/api/now/table/sys_alias"


def _count(http: httpx.Client, name: str) -> int:
    response = http.get(ALIASES, params={"sysparm_query": f"name={name}"})
    return int(response.headers["X-Total-Count"])


def test_429_burst_carries_retry_after_and_is_not_processed(
    sandbox: Sandbox, sandbox_admin: httpx.Client
) -> None:
    sandbox.faults.add(FaultRule(methods=["POST"], status=429, retry_after=2, count=2))
    for _ in range(2):
        refused = sandbox_admin.post(ALIASES, json={"name": "burst"})
        assert refused.status_code == 429
        assert refused.headers["Retry-After"] == "2"
        assert refused.json()["status"] == "failure"
    assert sandbox_admin.post(ALIASES, json={"name": "burst"}).status_code == 201  # burst used up
    assert _count(sandbox_admin, "burst") == 1


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_5xx_is_returned_without_processing(
    sandbox: Sandbox, sandbox_admin: httpx.Client, status: int
) -> None:
    sandbox.faults.add(FaultRule(status=status, path_prefix="/api/now/table/sys_alias"))
    assert sandbox_admin.post(ALIASES, json={"name": "five"}).status_code == status
    assert _count(sandbox_admin, "five") == 0


def test_dropped_after_commit_really_commits_the_record(
    sandbox: Sandbox, sandbox_admin: httpx.Client
) -> None:
    sandbox.faults.add(FaultRule(methods=["POST"], drop="after_commit"))
    with pytest.raises(httpx.RemoteProtocolError):
        sandbox_admin.post(ALIASES, json={"name": "lost-response"})
    assert _count(sandbox_admin, "lost-response") == 1
    stats = sandbox.stats()
    assert stats["requests"]["POST table dropped"] == 1
    assert stats["writes_by_table"] == {"sys_alias": 1}


def test_dropped_before_processing_writes_nothing(sandbox: Sandbox, sandbox_admin: httpx.Client) -> None:
    sandbox.faults.add(FaultRule(methods=["POST"], drop="before"))
    with pytest.raises(httpx.RemoteProtocolError):
        sandbox_admin.post(ALIASES, json={"name": "never"})
    assert _count(sandbox_admin, "never") == 0


def test_slow_response_exceeds_a_short_client_timeout(sandbox: Sandbox) -> None:
    sandbox.faults.add(FaultRule(methods=["GET"], latency_ms=1000))
    with client(sandbox, timeout=0.1) as impatient, pytest.raises(httpx.ReadTimeout):
        impatient.get(ALIASES)
    with client(sandbox, timeout=0.1) as http:  # the rule was used up by the first request
        assert http.get(ALIASES).status_code == 200


def test_rules_filter_on_method_and_path_and_forever_rules_stay(
    sandbox: Sandbox, sandbox_admin: httpx.Client
) -> None:
    sandbox.faults.add(FaultRule(methods=["DELETE"], path_prefix="/api/now/attachment", status=503, count=-1))
    assert sandbox_admin.get(ALIASES).status_code == 200
    for _ in range(3):
        assert sandbox_admin.delete(f"/api/now/attachment/{'0' * 32}").status_code == 503
    sandbox.faults.clear()
    assert sandbox_admin.delete(f"/api/now/attachment/{'0' * 32}").status_code == 404


def test_control_api_adds_lists_and_clears_rules(sandbox: Sandbox, sandbox_admin: httpx.Client) -> None:
    control = f"{sandbox.url}/__sandbox__"
    added = httpx.post(f"{control}/faults", json={"rules": [{"status": 502, "count": 2}, {"latency_ms": 1}]})
    assert added.status_code == 201
    listed = httpx.get(f"{control}/faults").json()["rules"]
    assert [(rule["status"], rule["count"]) for rule in listed] == [(502, 2), (None, 1)]
    assert sandbox_admin.get(ALIASES).status_code == 502
    assert httpx.delete(f"{control}/faults").status_code == 204
    assert sandbox_admin.get(ALIASES).status_code == 200


@pytest.mark.parametrize(
    "rules",
    [
        [{"status": 404}],
        [{"drop": "sometimes"}],
        [{"statuz": 500}],
        [{"retry_after": 1}],
        [{"methods": "POST"}],
        [{"count": 0}],
        "not a list",
    ],
)
def test_control_api_rejects_bad_rules(sandbox: Sandbox, rules: object) -> None:
    response = httpx.post(f"{sandbox.url}/__sandbox__/faults", json={"rules": rules})
    assert response.status_code == 400
    assert sandbox.faults.rules() == []


def test_python_rules_are_validated() -> None:
    with pytest.raises(BadInputError):
        FaultRule(status=418)


def test_control_api_expires_tokens_and_reports_stats(sandbox: Sandbox) -> None:
    form = {
        "grant_type": "client_credentials",
        "client_id": "sandbox-client",
        "client_secret": "sandbox-secret",
    }
    token = httpx.post(f"{sandbox.url}/oauth_token.do", data=form).json()["access_token"]
    bearer = {"Authorization": f"Bearer {token}"}
    assert httpx.get(f"{sandbox.url}{ALIASES}", headers=bearer).status_code == 200
    assert httpx.post(f"{sandbox.url}/__sandbox__/tokens/expire").status_code == 204
    assert httpx.get(f"{sandbox.url}{ALIASES}", headers=bearer).status_code == 401
    stats = httpx.get(f"{sandbox.url}/__sandbox__/stats").json()
    assert stats["requests"] == {"GET table 200": 1, "GET table 401": 1, "POST oauth 200": 1}
    assert stats["total"] == 3


@pytest.mark.parametrize("method", ["PATCH", "DELETE"])
def test_dropped_after_commit_commits_updates_and_deletes_too(
    sandbox: Sandbox, sandbox_admin: httpx.Client, method: str
) -> None:
    sys_id = sandbox_admin.post(ALIASES, json={"name": "before"}).json()["result"]["sys_id"]
    sandbox.faults.add(FaultRule(methods=[method], drop="after_commit"))
    with pytest.raises(httpx.RemoteProtocolError):
        sandbox_admin.request(method, f"{ALIASES}/{sys_id}", json={"name": "after"})
    found = sandbox_admin.get(f"{ALIASES}/{sys_id}")
    if method == "PATCH":
        assert found.json()["result"]["name"] == "after"
    else:
        assert found.status_code == 404
    assert sandbox.stats()["requests"][f"{method} table dropped"] == 1


def _pattern(sandbox: Sandbox, http: httpx.Client, seed: int) -> list[int]:
    sandbox.faults.clear()
    sandbox.faults.seed(seed)
    sandbox.faults.add(FaultRule(methods=["GET"], status=503, probability=0.3, count=-1))
    return [http.get(ALIASES).status_code for _ in range(40)]


def test_probability_rules_hit_a_share_of_calls_reproducibly(
    sandbox: Sandbox, sandbox_admin: httpx.Client
) -> None:
    first = _pattern(sandbox, sandbox_admin, seed=7)
    assert 4 <= first.count(503) <= 20 and first.count(200) + first.count(503) == 40
    assert _pattern(sandbox, sandbox_admin, seed=7) == first  # same seed, same faults
    assert _pattern(sandbox, sandbox_admin, seed=8) != first


def test_probability_rule_counts_only_the_calls_it_hits(
    sandbox: Sandbox, sandbox_admin: httpx.Client
) -> None:
    sandbox.faults.seed(1)
    sandbox.faults.add(FaultRule(methods=["GET"], status=503, probability=0.5, count=2))
    statuses = [sandbox_admin.get(ALIASES).status_code for _ in range(30)]
    assert statuses.count(503) == 2 and sandbox.faults.rules() == []


@pytest.mark.parametrize("probability", [0, -0.1, 1.5])
def test_probability_out_of_range_is_refused(probability: float) -> None:
    with pytest.raises(BadInputError, match="probability"):
        FaultRule(status=503, probability=probability)


def test_control_api_takes_a_seed_with_the_rules(sandbox: Sandbox, sandbox_admin: httpx.Client) -> None:
    control = f"{sandbox.url}/__sandbox__/faults"
    rule = {"methods": ["GET"], "status": 503, "probability": 0.3, "count": -1}
    runs = []
    for _ in range(2):
        assert httpx.delete(control).status_code == 204
        assert httpx.post(control, json={"rules": [rule], "seed": 5}).status_code == 201
        runs.append([sandbox_admin.get(ALIASES).status_code for _ in range(30)])
    assert runs[0] == runs[1] and 503 in runs[0]
    assert httpx.post(control, json={"rules": [rule], "seed": "5"}).status_code == 400
