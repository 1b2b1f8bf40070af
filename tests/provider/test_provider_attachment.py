"""servicenow_attachment through terraform: upload with Content-Type, state keeps only the hash,
a changed file replaces the attachment, out-of-band delete re-uploads, import, destroy."""

from __future__ import annotations

import base64
import hashlib
import os
import re

from helpers.terraform import AdminApi, Terraform, provider_hcl, sandbox_env
from teams_notify.sandbox import Sandbox

ATTACHMENTS = """
resource "servicenow_record" "cert" {
  table  = "sys_certificate"
  fields = { name = "attach-cert", type = "key_store" }
}

resource "servicenow_attachment" "jks" {
  table         = "sys_certificate"
  record_sys_id = servicenow_record.cert.sys_id
  file_name     = "teams.jks"
  content_type  = "application/x-java-keystore"
  source        = "${path.module}/teams.jks"
}

resource "servicenow_attachment" "inline" {
  table          = "sys_certificate"
  record_sys_id  = servicenow_record.cert.sys_id
  file_name      = "inline.txt"
  content_type   = "text/plain"
  content_base64 = base64encode(var.inline)
}

variable "inline" {
  type      = string
  sensitive = true
}
"""


def test_attachment_basic(terraform: Terraform, provider_sandbox: Sandbox) -> None:
    api = AdminApi(provider_sandbox)
    jks = os.urandom(3000)
    (terraform.workdir / "teams.jks").write_bytes(jks)
    inline = "inline-attachment-content-7d1f"
    terraform.env |= sandbox_env(provider_sandbox) | {"TF_VAR_inline": inline}
    terraform.write(provider_hcl() + ATTACHMENTS)
    terraform.init()
    applied = terraform.apply()
    assert terraform.plan().returncode == 0

    state = terraform.resource("servicenow_attachment.jks")
    assert state["sha256"] == hashlib.sha256(jks).hexdigest() and state["size_bytes"] == len(jks)
    meta = api.attachment(state["sys_id"])
    assert meta is not None and meta["content_type"] == "application/x-java-keystore"
    assert meta["table_sys_id"] == terraform.resource("servicenow_record.cert")["sys_id"]
    assert api.attachment_bytes(state["sys_id"]) == jks
    inline_state = terraform.resource("servicenow_attachment.inline")
    assert api.attachment_bytes(inline_state["sys_id"]) == inline.encode()
    # The state never holds the file from `source`; content_base64 stays out of every output.
    state_text = (terraform.workdir / "terraform.tfstate").read_text()
    assert base64.b64encode(jks).decode()[:40] not in state_text and "teams.jks" in state_text
    assert inline not in applied.output and base64.b64encode(inline.encode()).decode() not in applied.output

    # A changed file: planned as a new hash and a new attachment, old one removed after upload.
    new_jks = os.urandom(2000)
    (terraform.workdir / "teams.jks").write_bytes(new_jks)
    plan = terraform.plan()
    assert plan.returncode == 2, plan.output
    assert re.search(
        rf'~ sha256 +=\s"{state["sha256"]}" -> "{hashlib.sha256(new_jks).hexdigest()}"', plan.stdout
    )
    assert re.search(rf'~ sys_id +=\s"{state["sys_id"]}" -> \(known after apply\)', plan.stdout)
    terraform.apply()
    replaced = terraform.resource("servicenow_attachment.jks")
    assert replaced["sys_id"] != state["sys_id"] and api.attachment(state["sys_id"]) is None
    assert api.attachment_bytes(replaced["sys_id"]) == new_jks
    assert terraform.plan().returncode == 0

    # Deleted outside Terraform: uploaded again.
    api.http.delete(f"/api/now/attachment/{replaced['sys_id']}").raise_for_status()
    plan = terraform.plan()
    assert plan.returncode == 2 and "servicenow_attachment.jks will be created" in plan.stdout
    terraform.apply()
    again = terraform.resource("servicenow_attachment.jks")
    assert api.attachment_bytes(again["sys_id"]) == new_jks

    # Import by the attachment's sys_id.
    terraform.run("state", "rm", "servicenow_attachment.jks")
    terraform.run("import", "-no-color", "servicenow_attachment.jks", again["sys_id"])
    imported = terraform.resource("servicenow_attachment.jks")
    assert (imported["sha256"], imported["file_name"]) == (again["sha256"], "teams.jks")
    terraform.apply()
    assert terraform.resource("servicenow_attachment.jks")["sys_id"] == again["sys_id"]  # same file: kept
    assert terraform.plan().returncode == 0

    # Already deleted outside Terraform: destroying it succeeds (-refresh=false so Delete meets the 404).
    api.http.delete(f"/api/now/attachment/{inline_state['sys_id']}").raise_for_status()
    terraform.destroy("-refresh=false")
    assert provider_sandbox.stats()["requests"]["DELETE attachment 404"] == 1  # type: ignore[index]
    assert api.attachment(again["sys_id"]) is None
    assert terraform.state().get("values") is None


def test_attachment_needs_exactly_one_content(terraform: Terraform, provider_sandbox: Sandbox) -> None:
    terraform.env |= sandbox_env(provider_sandbox)
    terraform.write(
        provider_hcl()
        + """
resource "servicenow_attachment" "none" {
  table         = "sys_certificate"
  record_sys_id = "0123456789abcdef0123456789abcdef"
  file_name     = "x.bin"
}
"""
    )
    terraform.init()
    result = terraform.run("validate", "-no-color", check=False)
    assert result.returncode == 1 and "set exactly one of source and content_base64" in result.output
