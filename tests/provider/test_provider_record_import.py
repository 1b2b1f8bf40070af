"""`terraform import servicenow_record.x <table>/<sys_id>[?fields=a,b]`: the record is taken over
without a twin. With the managed columns listed the first plan is clean; without, the first apply
only settles the state. Bad ids get a clear error."""

from __future__ import annotations

from helpers.terraform import Terraform, init_with
from teams_notify.sandbox import Sandbox

RECORD = """
resource "servicenow_record" "cert" {
  table  = "sys_certificate"
  fields = { name = "imported", type = "key_store", active = true }
}
"""


def _import(terraform: Terraform, import_id: str, check: bool = True) -> str:
    return terraform.run("import", "-no-color", "servicenow_record.cert", import_id, check=check).output


def test_record_import(terraform: Terraform, provider_sandbox: Sandbox) -> None:
    api = init_with(terraform, provider_sandbox, RECORD)
    made = api.create(
        "sys_certificate",
        {"name": "imported", "type": "key_store", "active": "true", "short_description": "by hand"},
    )
    record = f"sys_certificate/{made['sys_id']}"

    assert "Import successful" in _import(terraform, record)
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

    # The managed columns listed in the id: the state holds exactly them, the first plan is clean.
    assert "Import successful" in _import(terraform, f"{record}?fields=name,type,active")
    assert terraform.resource("servicenow_record.cert")["fields"] == {
        "name": "imported",
        "type": "key_store",
        "active": "true",
    }
    assert terraform.plan().returncode == 0
    terraform.destroy()
    assert api.get("sys_certificate", made["sys_id"]) is None  # imported records are ours to delete


def test_record_import_bad_ids(terraform: Terraform, provider_sandbox: Sandbox) -> None:
    api = init_with(terraform, provider_sandbox, RECORD)
    record = "sys_certificate/" + api.create("sys_certificate", {"name": "imported"})["sys_id"]
    missing = "sys_certificate/" + "0" * 32
    for bad, message in (
        ("sys_certificate", "invalid import id 'sys_certificate'"),
        (f"{record}?fields=", "optionally followed by ?fields="),
        (f"{record}?columns=name", f"invalid import id '{record}?columns=name'"),
        (f"{record}?fields=name,short description", "invalid column name 'short description'"),
        (f"{record}?fields=name,nope", "table 'sys_certificate' has no column 'nope'"),
        (missing, f"no record {missing} to import"),
    ):
        output = _import(terraform, bad, check=False)
        assert message in output, output
        assert "Traceback" not in output
    assert terraform.state().get("values") is None  # nothing was imported
