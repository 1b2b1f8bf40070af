"""Secrets never appear in terraform plan/apply output nor in TF_LOG=trace logs: the OAuth client
secret (from the environment), sensitive_fields, and content_base64. Sensitive fields are written
(also when changed) but cause no perpetual diff."""

from __future__ import annotations

import base64

from helpers.terraform import Terraform, TerraformRun, provider_hcl
from teams_notify.sandbox import Sandbox

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
