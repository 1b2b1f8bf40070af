"""servicenow_record through the real terraform binary: every field kind, drift, re-create, replace,
destroy. One scenario per test, assertions grouped, because every terraform command costs ~1 s."""

from __future__ import annotations

from helpers.terraform import Terraform, init_with, provider_hcl
from teams_notify.sandbox import Sandbox

# string, choice, boolean (as HCL bool and as "1"), date-time with an offset, reference, integer
RECORDS = """
resource "servicenow_record" "cert" {
  table = "sys_certificate"
  fields = {
    name    = "%(cert_name)s"
    type    = "key_store"
    format  = "pem"
    active  = true
    expires = "2030-01-01T01:00:00+01:00"
  }
}

resource "servicenow_record" "key" {
  table = "jwt_keystore_aliases"
  fields = {
    name              = "basic-key"
    signing_keystore  = servicenow_record.cert.sys_id
    signing_algorithm = "rsa_256"
    active            = "1"
  }
}

resource "servicenow_record" "jwt" {
  table = "%(jwt_table)s"
  fields = {
    name               = "basic-provider"
    jwt_keystore_alias = servicenow_record.key.sys_id
    expiry_interval    = 60
  }
}
"""


def _records(cert_name: str = "basic-cert", jwt_table: str = "jwt_provider") -> str:
    return RECORDS % {"cert_name": cert_name, "jwt_table": jwt_table}


def _config(cert_name: str = "basic-cert", jwt_table: str = "jwt_provider") -> str:
    return provider_hcl() + _records(cert_name, jwt_table)


def test_record_basic(terraform: Terraform, provider_sandbox: Sandbox) -> None:
    api = init_with(terraform, provider_sandbox, _records())
    assert (terraform.workdir / ".terraform.lock.hcl").read_text().count("h1:") == 1

    terraform.apply()
    assert terraform.plan().returncode == 0

    cert = terraform.resource("servicenow_record.cert")
    key = terraform.resource("servicenow_record.key")
    jwt = terraform.resource("servicenow_record.jwt")
    assert cert["id"] == f"sys_certificate/{cert['sys_id']}"
    stored_key = api.get("jwt_keystore_aliases", key["sys_id"])
    assert stored_key is not None
    assert (stored_key["signing_keystore"], stored_key["active"]) == (cert["sys_id"], "true")
    assert api.get("jwt_provider", jwt["sys_id"])["expiry_interval"] == "60"  # type: ignore[index]

    # Same meaning, ServiceNow's spelling: not drift.
    api.patch("sys_certificate", cert["sys_id"], {"expires": "2030-01-01 00:00:00"})
    assert terraform.plan().returncode == 0

    # Real out-of-band changes: detected, shown, and put back.
    api.patch("sys_certificate", cert["sys_id"], {"name": "renamed", "active": "false"})
    api.patch("jwt_provider", jwt["sys_id"], {"expiry_interval": "90"})
    plan = terraform.plan()
    assert plan.returncode == 2
    assert (
        '"name"    = "renamed" -> "basic-cert"' in plan.stdout or '"renamed" -> "basic-cert"' in plan.stdout
    )
    assert '"false" -> "true"' in plan.stdout
    assert '"90" -> "60"' in plan.stdout
    assert "2 to change" in plan.stdout
    terraform.apply()
    assert api.get("sys_certificate", cert["sys_id"])["name"] == "basic-cert"  # type: ignore[index]
    assert terraform.plan().returncode == 0

    # Deleted outside Terraform: planned for creation again, re-created, no twin.
    api.delete("jwt_provider", jwt["sys_id"])
    plan = terraform.plan()
    assert plan.returncode == 2 and "servicenow_record.jwt will be created" in plan.stdout
    terraform.apply()
    assert len(api.rows("jwt_provider", "name=basic-provider")) == 1
    assert terraform.resource("servicenow_record.jwt")["sys_id"] != jwt["sys_id"]
    assert terraform.plan().returncode == 0

    terraform.run("state", "rm", "servicenow_record.jwt")  # keep the re-created one out of destroy
    recreated = api.rows("jwt_provider", "name=basic-provider")[0]
    terraform.destroy()
    assert api.get("sys_certificate", cert["sys_id"]) is None
    assert api.get("jwt_keystore_aliases", key["sys_id"]) is None
    assert api.get("jwt_provider", recreated["sys_id"]) is not None


def test_record_update_and_replace(terraform: Terraform, provider_sandbox: Sandbox) -> None:
    api = init_with(terraform, provider_sandbox, _records())
    terraform.apply()
    cert = terraform.resource("servicenow_record.cert")
    jwt = terraform.resource("servicenow_record.jwt")

    # A changed value updates in place; a changed table replaces.
    terraform.write(_config(cert_name="basic-cert-2", jwt_table="oauth_entity"))
    plan = terraform.plan()
    assert "servicenow_record.cert will be updated in-place" in plan.stdout
    assert "servicenow_record.jwt must be replaced" in plan.stdout
    assert "forces replacement" in plan.stdout
    # oauth_entity has no jwt_keystore_alias / expiry_interval columns: ServiceNow ignores unknown
    # columns silently, the provider must not.
    result = terraform.apply(check=False)
    assert result.returncode == 1
    assert "table 'oauth_entity' has no column 'expiry_interval', 'jwt_keystore_alias'" in result.output
    assert api.get("sys_certificate", cert["sys_id"])["name"] == "basic-cert-2"  # type: ignore[index]
    assert api.get("jwt_provider", jwt["sys_id"]) is None
    moved = terraform.resource("servicenow_record.jwt")
    assert moved["id"].startswith("oauth_entity/")

    terraform.write(_config(cert_name="basic-cert-2"))
    terraform.apply()
    assert terraform.plan().returncode == 0

    # Deleting a record that is already gone succeeds. -refresh=false, or the refresh would notice
    # first and Delete would never be called for it.
    api.delete("sys_certificate", cert["sys_id"])
    terraform.destroy("-refresh=false")
    assert provider_sandbox.stats()["requests"]["DELETE table 404"] == 1  # type: ignore[index]
    assert terraform.state().get("values") is None
