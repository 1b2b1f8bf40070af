"""Exactly once under any fault, through the real terraform binary: 60 plain records (no match_on)
applied, updated and destroyed against a sandbox that answers about one call in seven with a 429
(Retry-After), a 503, a slow answer, or a connection dropped after the commit. Seeded, so a
failure reproduces (up to the order in which Terraform's ten parallel operations reach it)."""

from __future__ import annotations

from helpers.terraform import AdminApi, Terraform, init_with
from teams_notify.sandbox import FaultRule, Sandbox

RECORDS = 60
SEED = 13
PREFIX = "once-"

CONFIG = """
resource "servicenow_record" "once" {
  count  = %d
  table  = "sys_certificate"
  fields = { name = "once-${count.index}", short_description = "%s" }
}
"""


def unhealthy(sb: Sandbox) -> None:
    """About 14 % of the calls meet a fault; dropped-after-commit alone about 6 %. Reseeded before
    every command: each rule draws once per request, so every command meets the same faults in the
    same order of its requests."""
    table = "/api/now/table/"
    sb.faults.clear()
    sb.faults.seed(SEED)
    sb.faults.add(
        FaultRule(path_prefix=table, drop="after_commit", probability=0.06, count=-1),
        FaultRule(path_prefix=table, status=429, retry_after=0.2, probability=0.03, count=-1),
        FaultRule(path_prefix=table, status=503, probability=0.02, count=-1),
        FaultRule(path_prefix=table, latency_ms=300, probability=0.03, count=-1),
    )


def healthy_count(sb: Sandbox, api: AdminApi) -> list[dict]:
    """The records as the instance holds them, read with the faults off."""
    sb.faults.clear()
    return api.rows("sys_certificate", f"nameSTARTSWITH{PREFIX}")


def dropped(sb: Sandbox, method: str) -> int:
    return int(sb.stats()["requests"].get(f"{method} table dropped", 0))  # type: ignore[union-attr]


def test_record_exactly_once_through_apply_update_and_destroy_under_faults(
    terraform: Terraform, provider_sandbox: Sandbox
) -> None:
    sb = provider_sandbox
    api = init_with(terraform, sb, CONFIG % (RECORDS, "v1"))

    unhealthy(sb)
    terraform.apply()
    rows = healthy_count(sb, api)
    assert len(rows) == RECORDS
    assert sorted(r["name"] for r in rows) == sorted(f"{PREFIX}{i}" for i in range(RECORDS))
    assert dropped(sb, "POST") > 0  # the faults did hit inserts after their commit

    unhealthy(sb)
    assert terraform.plan().returncode == 0

    terraform.write(terraform.workdir.joinpath("main.tf").read_text().replace('"v1"', '"v2"'))
    unhealthy(sb)
    terraform.apply()
    rows = healthy_count(sb, api)
    assert len(rows) == RECORDS and {r["short_description"] for r in rows} == {"v2"}
    assert dropped(sb, "PATCH") > 0

    unhealthy(sb)
    assert terraform.plan().returncode == 0
    unhealthy(sb)
    terraform.destroy()
    assert healthy_count(sb, api) == []
    assert dropped(sb, "DELETE") > 0
    assert terraform.state().get("values") is None
