"""An unhealthy instance: 429 storms and 5xx bursts converge, an OAuth token that expires mid-apply
is refreshed, a 403 says what is missing. Lost responses: test_provider_record_exactly_once.py."""

from __future__ import annotations

import threading

from helpers.terraform import AdminApi, Terraform, init_with, provider_hcl
from teams_notify.sandbox import FaultRule, Sandbox

TEN_RECORDS = """
resource "servicenow_record" "many" {
  count  = 10
  table  = "sys_certificate"
  fields = { name = "storm-${count.index}", short_description = "%s" }
}
"""

CHAIN = """
resource "servicenow_record" "cert" {
  table  = "sys_certificate"
  fields = { name = "chain-cert" }
}
resource "servicenow_record" "key" {
  table  = "jwt_keystore_aliases"
  fields = { name = "chain-key", signing_keystore = servicenow_record.cert.sys_id }
}
resource "servicenow_record" "jwt" {
  table  = "jwt_provider"
  fields = { name = "chain-provider", jwt_keystore_alias = servicenow_record.key.sys_id }
}
"""

ONE = """
resource "servicenow_record" "one" {
  table  = "sys_certificate"
  fields = { name = "one" }
}
"""

OAUTH_ENV = {"SERVICENOW_CLIENT_ID": "sandbox-client", "SERVICENOW_CLIENT_SECRET": "sandbox-secret"}


def _requests(sb: Sandbox) -> dict[str, int]:
    return sb.stats()["requests"]  # type: ignore[return-value]


def test_record_converges_under_429_storm_and_5xx_bursts(
    terraform: Terraform, provider_sandbox: Sandbox
) -> None:
    api = AdminApi(provider_sandbox)
    terraform.env |= {"SERVICENOW_INSTANCE_URL": provider_sandbox.url} | OAUTH_ENV
    terraform.write(provider_hcl() + TEN_RECORDS % "v1")
    terraform.init()
    table = "/api/now/table/"
    provider_sandbox.faults.add(
        FaultRule(methods=["POST"], path_prefix=table, status=429, retry_after=1, count=15)
    )
    terraform.apply()
    provider_sandbox.faults.add(FaultRule(methods=["GET"], path_prefix=table, status=502, count=6))
    assert terraform.plan().returncode == 0
    terraform.write(provider_hcl() + TEN_RECORDS % "v2")
    provider_sandbox.faults.add(FaultRule(methods=["PATCH"], path_prefix=table, status=503, count=6))
    provider_sandbox.faults.add(FaultRule(methods=["GET"], path_prefix=table, status=504, count=4))
    terraform.apply()
    assert terraform.plan().returncode == 0

    requests = _requests(provider_sandbox)
    for status, burst in ((429, 15), (502, 6), (503, 6), (504, 4)):
        assert sum(n for key, n in requests.items() if key.endswith(f" {status}")) == burst
    assert requests["POST table 201"] == 10
    rows = api.rows("sys_certificate", "nameSTARTSWITHstorm-")
    assert len(rows) == 10 and {r["short_description"] for r in rows} == {"v2"}


def test_record_oauth_token_expired_mid_apply_is_refreshed(
    terraform: Terraform, provider_sandbox: Sandbox
) -> None:
    terraform.env |= {"SERVICENOW_INSTANCE_URL": provider_sandbox.url} | OAUTH_ENV
    terraform.write(provider_hcl() + CHAIN)
    terraform.init()
    # Slow inserts leave room to expire every token right after the first record is written.
    provider_sandbox.faults.add(
        FaultRule(methods=["POST"], path_prefix="/api/now/table/", latency_ms=400, count=-1)
    )
    first_written = threading.Event()

    def expire_after_first_insert() -> None:
        while not first_written.wait(0.01):
            if _requests(provider_sandbox).get("POST table 201", 0) >= 1:
                provider_sandbox.expire_tokens()
                first_written.set()

    watcher = threading.Thread(target=expire_after_first_insert, daemon=True)
    watcher.start()
    terraform.apply()
    watcher.join()
    requests = _requests(provider_sandbox)
    assert requests["POST table 201"] == 3
    assert requests.get("POST table 401") == 1  # the next insert met the expired token once...
    assert requests["POST oauth 200"] == 2  # ...and one new token was fetched for it
    assert terraform.plan().returncode == 0


def test_record_403_names_table_operation_and_acl(terraform: Terraform, provider_sandbox: Sandbox) -> None:
    init_with(terraform, provider_sandbox, ONE, user="readonly")
    result = terraform.apply(check=False)
    assert result.returncode == 1
    assert (
        "ServiceNow denied create on table 'sys_certificate' to user 'readonly': an ACL or role is missing"
        in result.output
    )
    assert "Grant the user a role whose ACLs allow create" in result.output
    assert "Traceback" not in result.output
