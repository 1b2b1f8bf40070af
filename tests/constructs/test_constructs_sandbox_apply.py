"""The example's ServiceNow stack, for real: terraform init/apply against the sandbox with the
installed provider, then plan = no changes, then destroy restores the adopted records.

Before the apply the instance holds what a real one may already have: the Teams spoke alias
and the Teams configuration (seeded by the sandbox), plus an OIDC configuration and a provider
selector an admin made by hand, with values that differ from ours. Each must be adopted (same
sys_id, our values) and, on destroy, get its own values back; everything we created must go.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers.constructs import BundleFactory, SandboxDeployment
from helpers.terraform import AdminApi
from teams_notify.catalog import OIDC_CONFIG_NAME, TABLES, TEAMS_SPOKE_ALIAS_ID
from teams_notify.sandbox import Sandbox

pytestmark = pytest.mark.terraform
CONFIG_TABLE = TABLES["teams_config"].name
CONFIG_COLUMNS = [c.name for c in TABLES["teams_config"].columns.values()]
HAND_MADE = {
    "oidc_provider_configuration": {
        "oidc_provider": OIDC_CONFIG_NAME,
        "oidc_metadata_url": "https://login.microsoftonline.com/common/v2.0/.well-known/openid-configuration",
    },
    "notify_group_selector": {
        "name": "Microsoft Teams",
        "order": "900",
        "table": "notify_call",
        "active": "false",
        "default": "true",
        "manual_selection": "false",
    },
}
CREATED_TABLES = (
    "sys_certificate",
    "jwt_keystore_aliases",
    "jwt_provider",
    "oauth_entity",
    "oauth_2_0_credentials",
    "http_connection",
    "oauth_oidc_entity",
    "notify_group_selector_choice",
)


def test_apply_plan_destroy_restores(
    tmp_path: Path, constructs_bundles: BundleFactory, provider_sandbox: Sandbox, terraform_plugin_dir: Path
) -> None:
    sb, api = provider_sandbox, AdminApi(provider_sandbox)
    hand_made = {table: api.create(table, values) for table, values in HAND_MADE.items()}
    (config_before,) = api.rows(CONFIG_TABLE, "")
    (alias_before,) = api.rows("sys_alias", f"id={TEAMS_SPOKE_ALIAS_ID}")
    deployment = SandboxDeployment(tmp_path, "sbx", sb, terraform_plugin_dir)
    result = deployment.synth([("current", constructs_bundles.make("sandbox-cert"), True)])
    tf = deployment.terraform
    tf.apply()

    (config,) = api.rows(CONFIG_TABLE, "")
    (entity,) = api.rows("oauth_entity", "nameSTARTSWITHTeams Notify")
    (cred,) = api.rows("oauth_2_0_credentials", "")
    assert config["sys_id"] == config_before["sys_id"]  # adopted, not a twin
    assert config["application_registry"] == entity["sys_id"] and config["requester"] == cred["sys_id"]
    assert config["tenant_id"] == "0a1b2c3d-1111-4222-8333-444455556666" and config["active"] == "true"
    assert config["service_user_azure_id"] == "5e4f1ce0-0000-4000-8000-000000005e4f"
    (provider,) = api.rows("jwt_provider", "")
    claims = {c["name"]: c for c in api.rows("jwt_claim_validation", f"jwt_provider={provider['sys_id']}")}
    assert sorted(claims) == ["aud", "iss", "sub", "x5t"]  # the instance's aud/iss/sub adopted
    assert claims["x5t"]["value"] == result.summary("sbx-servicenow")["x5t"]
    (keystore,) = api.rows("sys_certificate", "")
    (attachment,) = api.http.get(
        "/api/now/attachment", params={"sysparm_query": f"table_sys_id={keystore['sys_id']}"}
    ).json()["result"]
    assert attachment["file_name"] == "sandbox-cert.jks"
    assert cred["tag"] == alias_before["sys_id"]
    (oidc,) = api.rows("oidc_provider_configuration", "")
    assert oidc["sys_id"] == hand_made["oidc_provider_configuration"]["sys_id"]
    assert "0a1b2c3d-1111-4222-8333-444455556666" in oidc["oidc_metadata_url"]
    (selector,) = api.rows("notify_group_selector", "")
    assert selector["sys_id"] == hand_made["notify_group_selector"]["sys_id"]
    assert (selector["order"], selector["active"], selector["default"]) == ("100", "true", "false")

    plan = tf.plan()
    assert plan.returncode == 0, plan.output

    tf.destroy()
    (config_after,) = api.rows(CONFIG_TABLE, "")
    restored = {c: config_after.get(c) for c in CONFIG_COLUMNS}
    assert restored == {c: config_before.get(c) for c in CONFIG_COLUMNS}
    assert api.rows("sys_alias", f"id={TEAMS_SPOKE_ALIAS_ID}")[0]["sys_id"] == alias_before["sys_id"]
    for table, before in hand_made.items():
        after = api.get(table, before["sys_id"])
        assert after is not None, f"destroy deleted the hand-made {table} record instead of restoring it"
        assert {k: after[k] for k in HAND_MADE[table]} == HAND_MADE[table], table
    for table in CREATED_TABLES:
        assert api.rows(table, "") == [], table
    assert api.attachment(attachment["sys_id"]) is None
