"""Rule: the app registration has a certificate credential (one per listed certificate), with an end date."""

from __future__ import annotations

from typing import Any

from teams_notify.stacks.aspects.base import Rule, resources


class CertificateCredentialPresent(Rule):
    rule_id = "TN2-certificate-credential"
    side = "entra"

    def check(self, stack_json: dict[str, Any], stack: Any) -> list[str]:
        creds = resources(stack_json, "azuread_application_certificate")
        expected = len(stack.tenant.certificates)
        findings = []
        if len(creds) != expected:
            findings.append(f"{len(creds)} certificate credential(s) on the app, tenant lists {expected}")
        findings += [
            f"certificate credential {name} has no end_date"
            for name, c in creds.items()
            if not c.get("end_date")
        ]
        return findings
