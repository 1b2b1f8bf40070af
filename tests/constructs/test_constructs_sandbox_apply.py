"""The example's ServiceNow stack, for real: terraform init/apply against the sandbox with the
installed provider, then plan = no changes, then destroy restores the adopted records."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers.constructs import BundleFactory, SandboxDeployment
from helpers.terraform import AdminApi
from teams_notify.sandbox import Sandbox
from teams_notify.servicenow.catalog import TABLES, TEAMS_SPOKE_ALIAS_ID

pytestmark = pytest.mark.terraform
CONFIG_TABLE = TABLES["teams_config"].name


def test_apply_plan_destroy_restores(
    tmp_path: Path, constructs_bundles: BundleFactory, provider_sandbox: Sandbox, terraform_plugin_dir: Path
) -> None:
    sb, api = provider_sandbox, AdminApi(provider_sandbox)
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

    plan = tf.plan()
    assert plan.returncode == 0, plan.output

    tf.destroy()
    (config_after,) = api.rows(CONFIG_TABLE, "")
    for column in ("tenant_id", "application_registry", "requester", "active", "credential_alias"):
        assert config_after[column] == config_before[column], column
    assert api.rows("sys_alias", f"id={TEAMS_SPOKE_ALIAS_ID}")[0]["sys_id"] == alias_before["sys_id"]
    assert api.rows("oauth_entity", "nameSTARTSWITHTeams Notify") == []
    assert api.rows("sys_certificate", "") == []
