"""Errors as a Terraform user sees them: an unknown table, ServiceNow's own 400 message, and a 401
that names the kind of credential that was refused (basic, bearer token, OAuth client)."""

from __future__ import annotations

from helpers.terraform import Terraform, TerraformRun, init_with
from teams_notify.sandbox import Sandbox

BROKEN = """
resource "servicenow_record" "nowhere" {
  table  = "u_no_such_table"
  fields = { name = "x" }
}

resource "servicenow_attachment" "orphan" {
  table          = "sys_certificate"
  record_sys_id  = "0123456789abcdef0123456789abcdef"
  file_name      = "orphan.txt"
  content_base64 = "b3JwaGFu"
}
"""


def _failed(run: TerraformRun) -> str:
    assert run.returncode == 1, run.output
    assert "Traceback" not in run.output
    return " ".join(run.output.split())  # Terraform wraps long diagnostics


def test_errors_name_the_table_the_message_and_the_credential(
    terraform: Terraform, provider_sandbox: Sandbox
) -> None:
    init_with(terraform, provider_sandbox, BROKEN)
    output = _failed(terraform.apply(check=False))
    assert f"table 'u_no_such_table' does not exist on {provider_sandbox.url}" in output
    # The sandbox's 400 for an upload to a record that does not exist, passed on word for word.
    assert "ServiceNow rejected attachment upload on 'sys_certificate': Invalid table_sys_id" in output
    assert "no record 0123456789abcdef0123456789abcdef in table sys_certificate" in output

    refused = {
        "basic-auth username/password": {"SERVICENOW_PASSWORD": "wrong-password"},
        "bearer token": {"SERVICENOW_TOKEN": "not-a-token"},
    }
    for credential, env in refused.items():
        output = _failed(terraform.apply(check=False, env=env))
        assert f"ServiceNow rejected the {credential} (create on 'u_no_such_table')" in output
        assert "wrong-password" not in output and "not-a-token" not in output
    oauth = {"SERVICENOW_CLIENT_ID": "sandbox-client", "SERVICENOW_CLIENT_SECRET": "wrong-secret"}
    output = _failed(
        terraform.apply(check=False, env=oauth | {"SERVICENOW_USERNAME": "", "SERVICENOW_PASSWORD": ""})
    )
    assert "ServiceNow refused to issue an OAuth token (HTTP 401)" in output
    assert "Check client_id/client_secret" in output and "wrong-secret" not in output


def test_an_unsupported_proxy_is_a_diagnostic_and_its_credentials_stay_out(
    terraform: Terraform, provider_sandbox: Sandbox
) -> None:
    init_with(terraform, provider_sandbox, BROKEN)
    env = {"ALL_PROXY": "socks5://proxy-user:proxy-secret@proxy.example:1080", "NO_PROXY": ""}
    output = _failed(terraform.apply(check=False, env=env))
    assert "unsupported proxy socks5://proxy.example for http://127.0.0.1" in output
    assert "The provider supports http:// proxies" in output
    assert "Plugin error" not in output and "proxy-secret" not in output
