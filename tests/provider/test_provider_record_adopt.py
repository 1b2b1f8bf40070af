"""match_on adoption: no duplicates (also when the insert's response is lost), `^` cannot widen
the lookup, several matches are an error, and on_destroy restore / keep / delete."""

from __future__ import annotations

from helpers.terraform import Terraform, init_with, provider_hcl
from teams_notify.sandbox import FaultRule, Sandbox

ADOPT = """
resource "servicenow_record" "existing" {
  table      = "sys_certificate"
  match_on   = ["name"]
  on_destroy = "restore"
  fields = {
    name              = "adopt-me"
    short_description = "managed by terraform"
    active            = true
  }
}

resource "servicenow_record" "fresh" {
  table    = "sys_certificate"
  match_on = ["name", "format"]
  fields   = { name = "fresh", format = "pem" }
}

resource "servicenow_record" "jwt" {
  table  = "jwt_provider"
  fields = { name = "adopt-provider" }
}

# The instance created an "aud" claim when the provider was inserted: adopt it, don't add a twin.
resource "servicenow_record" "aud" {
  table    = "jwt_claim_validation"
  match_on = ["provider", "name"] # the sandbox's name of the back-reference
  fields = {
    provider     = servicenow_record.jwt.sys_id
    name         = "aud"
    value        = "https://login.microsoftonline.com/tenant/oauth2/v2.0/token"
  }
}
"""

WIDEN = """
resource "servicenow_record" "sneaky" {
  table    = "sys_certificate"
  match_on = ["name"]
  fields   = { name = "nothing^ORname=adopt-me", short_description = "hijacked" }
}
"""

TWINS = """
resource "servicenow_record" "twin" {
  table    = "sys_certificate"
  match_on = ["name"]
  fields   = { name = "twin" }
}
"""


def test_record_adopt_without_duplicates_and_restore(terraform: Terraform, provider_sandbox: Sandbox) -> None:
    api = init_with(terraform, provider_sandbox, ADOPT)
    before = api.create(
        "sys_certificate",
        {"name": "adopt-me", "short_description": "hand-made", "active": "false", "format": "der"},
    )
    # The connection drops after the instance committed the insert of "fresh": the provider must
    # find it by match_on instead of inserting it again.
    provider_sandbox.faults.add(
        FaultRule(methods=["POST"], path_prefix="/api/now/table/sys_certificate", drop="after_commit")
    )
    terraform.apply()
    assert provider_sandbox.stats()["requests"].get("POST table dropped") == 1  # type: ignore[union-attr]
    assert terraform.plan().returncode == 0

    existing = terraform.resource("servicenow_record.existing")
    assert existing["sys_id"] == before["sys_id"] and existing["adopted"] is True
    assert existing["adopted_values"] == {
        "name": "adopt-me",
        "short_description": "hand-made",
        "active": "false",
    }
    assert len(api.rows("sys_certificate", "name=adopt-me")) == 1
    assert api.get("sys_certificate", before["sys_id"])["short_description"] == "managed by terraform"  # type: ignore[index]
    assert len(api.rows("sys_certificate", "name=fresh")) == 1
    assert terraform.resource("servicenow_record.fresh")["adopted"] is False
    jwt = terraform.resource("servicenow_record.jwt")
    claims = api.rows("jwt_claim_validation", f"provider={jwt['sys_id']}^name=aud")
    assert len(claims) == 1 and claims[0]["value"].startswith("https://login.microsoftonline.com/")
    assert terraform.resource("servicenow_record.aud")["sys_id"] == claims[0]["sys_id"]

    # A `^` in a match value would turn the lookup into "... OR name=adopt-me": refused up front.
    terraform.write(WIDEN, name="widen.tf")
    plan = terraform.run("plan", "-no-color", "-input=false", check=False)
    assert plan.returncode == 1
    assert "match_on column 'name' has a value containing ^" in plan.output
    (terraform.workdir / "widen.tf").unlink()
    assert api.get("sys_certificate", before["sys_id"])["short_description"] == "managed by terraform"  # type: ignore[index]

    # A managed column added to an adopted record: its pre-adoption value is remembered too.
    terraform.write(
        provider_hcl() + ADOPT.replace("active            = true", 'active = true\n    format = "pem"')
    )
    terraform.apply()
    assert terraform.resource("servicenow_record.existing")["adopted_values"]["format"] == "der"
    assert terraform.plan().returncode == 0

    terraform.destroy()
    restored = api.get("sys_certificate", before["sys_id"])
    assert restored is not None
    assert (restored["short_description"], restored["active"], restored["format"]) == (
        "hand-made",
        "false",
        "der",
    )
    assert api.rows("sys_certificate", "name=fresh") == []  # created by us: deleted
    assert len(api.rows("jwt_claim_validation", "name=aud")) == 1  # adopted, default on_destroy: kept


def test_record_adopt_refuses_several_matches(terraform: Terraform, provider_sandbox: Sandbox) -> None:
    api = init_with(terraform, provider_sandbox, TWINS)
    twins = [api.create("sys_certificate", {"name": "twin"})["sys_id"] for _ in range(2)]
    api.create("sys_certificate", {"name": "Twin"})  # differs only by case: never a match
    result = terraform.apply(check=False)
    assert result.returncode == 1
    assert "match_on found 2 records in 'sys_certificate' with name='twin'" in result.output
    assert all(sys_id in result.output for sys_id in twins)
    assert len(api.rows("sys_certificate", "name=twin")) == 2
