"""The example's ServiceNow stack, for real, against a sandbox whose own dictionary names the
unpublished tables/columns/choice values differently from our defaults: `schema check` fails,
`schema discover --write` adds the overrides to the tenant file, `schema check` passes, then
terraform init/apply with the installed provider writes every value into a column the sandbox
knows (read back), a second apply and plan change nothing, and destroy restores the adopted records.

Before the apply the instance holds what a real one may already have: the Teams spoke alias
and the Teams configuration (seeded by the sandbox), plus a provider selector an admin made by
hand, with values that differ from ours. The instance itself creates the "Notify Teams OIDC
Config" registry when the app registry is set on the Teams configuration. Each must be adopted
(same sys_id, our values, never a twin) and, on destroy, get its own values back; everything we
created must go.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from helpers.constructs import BundleFactory, SandboxDeployment, synth_tenants
from helpers.sandbox import CREATED_TABLES
from helpers.terraform import AdminApi, Terraform
from teams_notify.cli import main
from teams_notify.sandbox import Sandbox
from teams_notify.sandbox.dictionary import (
    CLAIM_PROVIDER_COLUMN,
    CREDENTIAL_ALIAS_COLUMN,
    INSTANCE_TABLES,
    OIDC_REGISTRY_NAME,
    PRIVATE_KEY_JWT_VALUE,
    REGISTRY_JWT_PROVIDER_COLUMN,
    TEAMS_CONFIG_TABLE,
    TEAMS_SPOKE_ALIAS_ID,
    X5T_FLAG_COLUMN,
)

pytestmark = pytest.mark.terraform
TENANT_ID = "0a1b2c3d-1111-4222-8333-444455556666"
CONFIG_COLUMNS = list(next(t for t in INSTANCE_TABLES if t.name == TEAMS_CONFIG_TABLE).columns)
HAND_MADE = {
    "notify_group_selector": {
        "name": "Microsoft Teams",
        "order": "900",
        "table": "notify_call",
        "active": "false",
        "default": "true",
        "manual_selection": "false",
    },
}


def schema_cli(*args: str) -> int:
    return main(["schema", *args])


def records_in_state(tf: Terraform) -> list[dict[str, Any]]:
    resources = tf.state()["values"]["root_module"]["resources"]
    return [r["values"] for r in resources if r["type"] == "servicenow_record" and r["mode"] == "managed"]


def assert_every_value_was_written(tf: Terraform, api: AdminApi) -> None:
    """Each managed record's fields, read back from the instance: a column the instance does not
    know would be silently ignored by the write and missing here."""
    for values in records_in_state(tf):
        row = api.get(values["table"], values["sys_id"])
        assert row is not None, values
        for column, value in values["fields"].items():
            assert row.get(column) == value, (values["table"], column, value, row.get(column))


def test_discover_then_apply_plan_destroy_restores(
    tmp_path: Path,
    constructs_bundles: BundleFactory,
    provider_sandbox: Sandbox,
    terraform_plugin_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sb, api = provider_sandbox, AdminApi(provider_sandbox)
    for name, value in {"SERVICENOW_USERNAME": "admin", "SERVICENOW_PASSWORD": "admin"}.items():
        monkeypatch.setenv(name, value)
    hand_made = {table: api.create(table, values) for table, values in HAND_MADE.items()}
    (config_before,) = api.rows(TEAMS_CONFIG_TABLE, "")
    (alias_before,) = api.rows("sys_alias", f"id={TEAMS_SPOKE_ALIAS_ID}")
    deployment = SandboxDeployment(tmp_path, "sbx", sb, terraform_plugin_dir)
    cert = constructs_bundles.make("sandbox-cert")
    deployment.synth([("current", cert, True)], overrides={})  # our defaults
    tenant_file = str(tmp_path / "tenants" / "sbx.toml")
    assert schema_cli("check", "--tenant", tenant_file) == 1
    assert schema_cli("discover", "--tenant", tenant_file, "--write") == 0
    assert schema_cli("check", "--tenant", tenant_file) == 0
    result = synth_tenants(tmp_path / "tenants", tmp_path / "cdktf.out")  # from the file discover wrote
    tf = deployment.terraform
    tf.apply()
    assert_every_value_was_written(tf, api)

    (config,) = api.rows(TEAMS_CONFIG_TABLE, "")
    (entity,) = api.rows("oauth_entity", "nameSTARTSWITHTeams Notify")
    (cred,) = api.rows("oauth_2_0_credentials", "")
    (provider,) = api.rows("jwt_provider", "")
    assert config["sys_id"] == config_before["sys_id"]  # adopted, not a twin
    assert config["app_registry"] == entity["sys_id"] and config["requester_credential"] == cred["sys_id"]
    assert config["azure_tenant_id"] == TENANT_ID and config["active"] == "true"
    assert config["service_user_id"] == "5e4f1ce0-0000-4000-8000-000000005e4f"
    assert (config["alias"], config["create_online_meeting"]) == (TEAMS_SPOKE_ALIAS_ID, "true")
    assert entity["send_client_credentials_as"] == PRIVATE_KEY_JWT_VALUE
    assert entity[REGISTRY_JWT_PROVIDER_COLUMN] == provider["sys_id"]
    (key,) = api.rows("jwt_keystore_aliases", "")
    assert key[X5T_FLAG_COLUMN] == "true"
    claims = {
        c["name"]: c
        for c in api.rows("jwt_claim_validation", f"{CLAIM_PROVIDER_COLUMN}={provider['sys_id']}")
    }
    assert sorted(claims) == ["aud", "iss", "sub", "x5t"]  # the instance's aud/iss/sub adopted
    assert claims["x5t"]["value"] == result.summary("sbx-servicenow")["x5t"] == key["certificate_thumbprint"]
    (keystore,) = api.rows("sys_certificate", "")
    (attachment,) = api.http.get(
        "/api/now/attachment", params={"sysparm_query": f"table_sys_id={keystore['sys_id']}"}
    ).json()["result"]
    assert attachment["file_name"] == "sandbox-cert.jks"
    assert cred[CREDENTIAL_ALIAS_COLUMN] == alias_before["sys_id"]
    (selector,) = api.rows("notify_group_selector", "")
    assert selector["sys_id"] == hand_made["notify_group_selector"]["sys_id"]
    assert (selector["order"], selector["active"], selector["default"]) == ("100", "true", "false")

    # The OIDC registry the instance created is the one we manage: no twin, also after a second apply.
    instance_made = {t: api.rows(t, "") for t in ("oidc_provider_configuration", "oauth_oidc_entity")}
    tf.apply()
    for table, before in instance_made.items():
        (row,) = api.rows(table, "")
        assert [row["sys_id"]] == [r["sys_id"] for r in before], table
    (oidc_config,) = instance_made["oidc_provider_configuration"]
    assert oidc_config["name"] == OIDC_REGISTRY_NAME and TENANT_ID in oidc_config["oidc_url"]
    (scope,) = api.rows(
        "oauth_entity_scope", f"oauth_entity={instance_made['oauth_oidc_entity'][0]['sys_id']}"
    )
    assert scope["oauth_entity_scope"] == "https://api.botframework.com/.default"

    plan = tf.plan()
    assert plan.returncode == 0, plan.output

    tf.destroy()
    (config_after,) = api.rows(TEAMS_CONFIG_TABLE, "")
    restored = {c: config_after.get(c) for c in CONFIG_COLUMNS}
    assert restored == {c: config_before.get(c) for c in CONFIG_COLUMNS}
    assert api.rows("sys_alias", f"id={TEAMS_SPOKE_ALIAS_ID}")[0]["sys_id"] == alias_before["sys_id"]
    for table, before in hand_made.items():
        after = api.get(table, before["sys_id"])
        assert after is not None, f"destroy deleted the hand-made {table} record instead of restoring it"
        assert {k: after[k] for k in HAND_MADE[table]} == HAND_MADE[table], table
    # Adopted, so restored rather than deleted: the instance's registry keeps its own values.
    (entity_after,) = api.rows("oauth_oidc_entity", "")
    assert entity_after["name"] == OIDC_REGISTRY_NAME
    assert len(api.rows("oidc_provider_configuration", "")) == 1
    for table in CREATED_TABLES:
        assert api.rows(table, "") == [], table
    assert api.attachment(attachment["sys_id"]) is None
