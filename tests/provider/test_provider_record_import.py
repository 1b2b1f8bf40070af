"""`terraform import servicenow_record.x <table>/<sys_id>`: the record is taken over without a twin,
the first apply only settles the state, then plans are clean; bad ids get a clear error."""

from __future__ import annotations

from helpers.terraform import AdminApi, Terraform, provider_hcl, sandbox_env
from teams_notify.sandbox import Sandbox

RECORD = """
resource "servicenow_record" "cert" {
  table  = "sys_certificate"
  fields = { name = "imported", type = "key_store", active = true }
}
"""


def test_record_import(terraform: Terraform, provider_sandbox: Sandbox) -> None:
    api = AdminApi(provider_sandbox)
    made = api.create(
        "sys_certificate",
        {"name": "imported", "type": "key_store", "active": "true", "short_description": "by hand"},
    )
    terraform.env |= sandbox_env(provider_sandbox)
    terraform.write(provider_hcl() + RECORD)
    terraform.init()

    result = terraform.run(
        "import", "-no-color", "servicenow_record.cert", f"sys_certificate/{made['sys_id']}"
    )
    assert "Import successful" in result.output
    state = terraform.resource("servicenow_record.cert")
    assert state["sys_id"] == made["sys_id"] and state["adopted"] is False
    assert state["fields"]["short_description"] == "by hand"  # every column first; config decides next

    plan = terraform.plan()
    assert (
        plan.returncode == 2
        and "1 to change" in plan.stdout
        and '- "short_description" = "by hand"' in plan.stdout
    )
    writes_before = provider_sandbox.stats()["writes_by_table"]
    terraform.apply()
    assert provider_sandbox.stats()["writes_by_table"] == writes_before  # values already equal: no write
    assert terraform.plan().returncode == 0
    assert len(api.rows("sys_certificate", "name=imported")) == 1

    terraform.run("state", "rm", "servicenow_record.cert")
    for bad, message in (
        ("sys_certificate", "invalid import id 'sys_certificate'"),
        ("sys_certificate/" + "0" * 32, f"no record sys_certificate/{'0' * 32} to import"),
    ):
        failed = terraform.run("import", "-no-color", "servicenow_record.cert", bad, check=False)
        assert failed.returncode == 1 and message in failed.output

    terraform.run("import", "-no-color", "servicenow_record.cert", f"sys_certificate/{made['sys_id']}")
    terraform.destroy()
    assert api.get("sys_certificate", made["sys_id"]) is None  # imported records are ours to delete
