"""`jks_upload = "variable"`: the JKS goes to ServiceNow as base64 content from a sensitive
variable instead of a path read at plan/apply (for Terraform Cloud remote execution, where the
bundle folder is not uploaded). Real terraform against the sandbox: a JKS other than the one
the post-synth hook checked fails the plan with our message; the right one is uploaded as is."""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path

import pytest
from helpers.constructs import BundleFactory, SandboxDeployment
from helpers.terraform import AdminApi
from teams_notify.sandbox import Sandbox
from teams_notify.stacks.servicenow.keystore import jks_content_variable

pytestmark = pytest.mark.terraform
VARIABLE = jks_content_variable("current")


def jks_base64(path: Path) -> str:
    return base64.b64encode(path.read_bytes()).decode()


def test_jks_from_a_sensitive_variable(
    tmp_path: Path, constructs_bundles: BundleFactory, provider_sandbox: Sandbox, terraform_plugin_dir: Path
) -> None:
    bundle = constructs_bundles.make("jks-var-cert")
    jks = bundle.dir / "jks-var-cert.jks"
    other_jks = constructs_bundles.make("jks-var-other").dir / "jks-var-other.jks"
    deployment = SandboxDeployment(tmp_path, "jksvar", provider_sandbox, terraform_plugin_dir)
    result = deployment.synth([("current", bundle, True)], certificate_options={"jks_upload": "variable"})

    stack = result.stack("jksvar-servicenow")
    (attachment,) = stack["resource"]["servicenow_attachment"].values()
    assert "source" not in attachment
    assert attachment["content_base64"] == f"${{var.{VARIABLE}}}"
    assert stack["variable"][VARIABLE]["sensitive"] is True and "default" not in stack["variable"][VARIABLE]
    (check,) = attachment["lifecycle"]["precondition"]
    assert hashlib.sha256(jks_base64(jks).encode()).hexdigest() in check["condition"]

    wrong = deployment.terraform.run(
        "plan", "-no-color", check=False, env={f"TF_VAR_{VARIABLE}": jks_base64(other_jks)}
    )
    assert wrong.returncode == 1
    message = " ".join(wrong.output.split())  # terraform wraps long lines
    assert f"TF_VAR_{VARIABLE} is not jks-var-cert.jks as checked at synth" in message
    assert jks_base64(other_jks)[:40] not in wrong.output

    right = {f"TF_VAR_{VARIABLE}": jks_base64(jks)}
    deployment.terraform.apply(env=right)
    api = AdminApi(provider_sandbox)
    (keystore,) = api.rows("sys_certificate", "")
    (uploaded,) = api.http.get(
        "/api/now/attachment", params={"sysparm_query": f"table_sys_id={keystore['sys_id']}"}
    ).json()["result"]
    assert api.attachment_bytes(uploaded["sys_id"]) == jks.read_bytes()
    assert deployment.terraform.plan(env=right).returncode == 0
