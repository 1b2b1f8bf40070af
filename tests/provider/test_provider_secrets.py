"""Secrets never appear in terraform plan/apply output nor in TF_LOG=trace logs: the credentials of
every auth mode (basic, bearer token, OAuth), sensitive_fields, and content_base64. Sensitive fields
are written (also when changed) but cause no perpetual diff."""

from __future__ import annotations

import base64

import httpx
from helpers.terraform import Terraform, TerraformRun, init_with, provider_hcl
from teams_notify.sandbox import Sandbox
from teams_notify.sandbox.accounts import USERS

KEYSTORE_PASSWORD = "KeyStore-Pa55-9f2c41"
NEW_KEYSTORE_PASSWORD = "KeyStore-Rotated-77ab0e"
INLINE_SECRET = "inline-secret-payload-5d33"

SECRETS = """
resource "servicenow_record" "cert" {
  table            = "sys_certificate"
  fields           = { name = "secret-cert", type = "key_store" }
  sensitive_fields = { key_store_password = "%s" }
}

resource "servicenow_attachment" "blob" {
  table          = "sys_certificate"
  record_sys_id  = servicenow_record.cert.sys_id
  file_name      = "blob.bin"
  content_base64 = "%s"
}
"""


def _config(password: str) -> str:
    return provider_hcl() + SECRETS % (password, base64.b64encode(INLINE_SECRET.encode()).decode())


def test_secrets_never_in_output_or_logs(terraform: Terraform, provider_sandbox: Sandbox) -> None:
    log = terraform.workdir / "trace.log"
    terraform.env |= {
        "SERVICENOW_INSTANCE_URL": provider_sandbox.url,
        "SERVICENOW_CLIENT_ID": "sandbox-client",
        "SERVICENOW_CLIENT_SECRET": "sandbox-secret",
        "TF_LOG": "trace",
        "TF_LOG_PATH": str(log),
    }
    terraform.write(_config(KEYSTORE_PASSWORD))
    terraform.init()
    runs: list[TerraformRun] = [terraform.apply()]
    runs.append(terraform.plan())
    assert runs[-1].returncode == 0  # never read back, carried in state: no perpetual diff

    terraform.write(_config(NEW_KEYSTORE_PASSWORD))
    runs.append(terraform.plan())
    assert runs[-1].returncode == 2
    assert "~ sensitive_fields = (sensitive value)" in runs[-1].stdout
    patches = provider_sandbox.stats()["requests"].get("PATCH table 200", 0)  # type: ignore[union-attr]
    runs.append(terraform.apply())
    assert provider_sandbox.stats()["requests"]["PATCH table 200"] == patches + 1  # type: ignore[index]
    runs.append(terraform.destroy())

    trace = log.read_text()
    assert "servicenow_record.cert" in trace and "terraform-provider-servicenow" in trace  # the log is real
    secrets = (
        KEYSTORE_PASSWORD,
        NEW_KEYSTORE_PASSWORD,
        INLINE_SECRET,
        base64.b64encode(INLINE_SECRET.encode()).decode(),
        "sandbox-secret",
    )
    for secret in secrets:
        assert secret not in trace
        for run in runs:
            assert secret not in run.output, f"{secret!r} leaked in terraform {' '.join(run.args)}"


NAMED = """
variable "name" { type = string }

resource "servicenow_record" "named" {
  table  = "sys_certificate"
  fields = { name = var.name }
}
"""


def test_no_credential_in_trace_logs_for_any_auth_mode(
    terraform: Terraform, provider_sandbox: Sandbox
) -> None:
    password = USERS["integration"].password
    form = {
        "grant_type": "client_credentials",
        "client_id": "sandbox-client",
        "client_secret": "sandbox-secret",
    }
    token = httpx.post(f"{provider_sandbox.url}/oauth_token.do", data=form).json()["access_token"]
    api = init_with(terraform, provider_sandbox, NAMED, user="integration")  # basic auth as integration
    oauth = {"SERVICENOW_CLIENT_ID": "sandbox-client", "SERVICENOW_CLIENT_SECRET": "sandbox-secret"}
    modes = {  # mode -> (extra environment, the user ServiceNow sees)
        "basic": ({}, "integration"),
        "bearer": ({"SERVICENOW_TOKEN": token}, "admin"),
        "oauth-password-grant": (oauth, "integration"),
    }
    secrets = (
        password,
        token,
        "sandbox-secret",
        base64.b64encode(f"integration:{password}".encode()).decode(),
    )
    for mode, (env, user) in modes.items():
        log = terraform.workdir / f"trace-{mode}.log"
        # Each apply refreshes (GET) and renames the record (PATCH, or POST the first time).
        run = terraform.apply(env=env | {"TF_VAR_name": mode, "TF_LOG": "trace", "TF_LOG_PATH": str(log)})
        record = api.get("sys_certificate", terraform.resource("servicenow_record.named")["sys_id"])
        assert record is not None and (record["name"], record["sys_updated_by"]) == (mode, user)
        trace = log.read_text()
        assert "servicenow_record.named" in trace
        for secret in secrets:
            assert secret not in trace, f"{mode}: a credential leaked in the trace log"
            assert secret not in run.output, f"{mode}: a credential leaked in the apply output"
