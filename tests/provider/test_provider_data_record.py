"""Data source servicenow_record: exactly one match, or an error that says how many and which."""

from __future__ import annotations

import json

from helpers.terraform import Terraform, init_with
from teams_notify.sandbox import Sandbox

LOOKUPS = """
data "servicenow_record" "alias" {
  table = "sys_alias"
  query = "id=sn_msteams_com_spk.MSTeamsCommunicationsSpoke"
}

output "alias_sys_id" { value = data.servicenow_record.alias.sys_id }
output "alias_name"   { value = data.servicenow_record.alias.fields["name"] }
"""

AMBIGUOUS = """
data "servicenow_record" "dup" {
  table = "sys_certificate"
  query = "nameSTARTSWITHdup"
}
"""

MISSING = """
data "servicenow_record" "none" {
  table = "sys_certificate"
  query = "name=does-not-exist"
}
"""


def test_data_record(terraform: Terraform, provider_sandbox: Sandbox) -> None:
    api = init_with(terraform, provider_sandbox, LOOKUPS)
    alias = api.rows("sys_alias", "id=sn_msteams_com_spk.MSTeamsCommunicationsSpoke")[0]
    dups = [api.create("sys_certificate", {"name": f"dup{i}"})["sys_id"] for i in range(2)]
    terraform.apply()
    outputs = json.loads(terraform.run("output", "-json").stdout)
    assert outputs["alias_sys_id"]["value"] == alias["sys_id"]
    assert outputs["alias_name"]["value"] == "MSTeamsCommunicationsSpoke"

    terraform.write(AMBIGUOUS, name="ambiguous.tf")
    result = terraform.run("plan", "-no-color", check=False)
    assert result.returncode == 1
    assert "several records in 'sys_certificate' match 'nameSTARTSWITHdup'" in result.output
    assert all(sys_id in result.output for sys_id in dups)

    (terraform.workdir / "ambiguous.tf").unlink()
    terraform.write(MISSING, name="missing.tf")
    result = terraform.run("plan", "-no-color", check=False)
    assert (
        result.returncode == 1
        and "no record in 'sys_certificate' matches 'name=does-not-exist'" in result.output
    )
