"""Rule: no secret literal in the stack: every sensitive value is a sensitive variable reference,
and no sensitive variable carries a default."""

from __future__ import annotations

import re
from typing import Any

from teams_notify.stacks.aspects.base import Rule, resources

VAR_REF_RE = re.compile(r"\$\{.*\bvar\.[A-Za-z0-9_]+.*\}")


def _secret_values(stack_json: dict[str, Any]) -> list[tuple[str, str]]:
    """(where, value) for every value that holds a secret in a correct stack."""
    found = []
    for name, record in resources(stack_json, "servicenow_record").items():
        for column, value in record.get("sensitive_fields", {}).items():
            found.append((f"servicenow_record.{name}.sensitive_fields.{column}", value))
    for name, attachment in resources(stack_json, "servicenow_attachment").items():
        if "content_base64" in attachment:
            found.append((f"servicenow_attachment.{name}.content_base64", attachment["content_base64"]))
    for name, user in resources(stack_json, "azuread_user").items():
        if "password" in user:
            found.append((f"azuread_user.{name}.password", user["password"]))
    return found


class NoSecretLiterals(Rule):
    rule_id = "TN4-no-secret-literal"
    side = ""

    def check(self, stack_json: dict[str, Any], stack: Any) -> list[str]:
        findings = [
            f"{where} is a literal; use a sensitive variable (TF_VAR_...)"
            for where, value in _secret_values(stack_json)
            if not VAR_REF_RE.match(str(value))
        ]
        for name, var in stack_json.get("variable", {}).items():
            if var.get("sensitive") and var.get("default"):
                findings.append(
                    f"sensitive variable {name} has a default value; secrets come from TF_VAR_{name}"
                )
        return findings
