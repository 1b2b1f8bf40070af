"""Rule: the Teams configuration points at the spoke alias we manage, and our credential is on it."""

from __future__ import annotations

from typing import Any

from teams_notify.catalog import TEAMS_SPOKE_ALIAS_ID
from teams_notify.stacks.aspects.base import Rule, records


class TeamsConfigUsesManagedAlias(Rule):
    rule_id = "TN5-teams-alias"
    side = "servicenow"

    def check(self, stack_json: dict[str, Any], stack: Any) -> list[str]:
        tenant = stack.tenant
        findings = []
        alias_names = [
            name
            for name, r in records(stack_json, tenant.table("alias")).items()
            if r["fields"].get(tenant.column("alias", "id")) == TEAMS_SPOKE_ALIAS_ID
        ]
        if not alias_names:
            return [f"the stack does not manage the alias {TEAMS_SPOKE_ALIAS_ID}"]
        alias_ref = f"${{servicenow_record.{alias_names[0]}.sys_id}}"
        configs = records(stack_json, tenant.table("teams_config")).values()
        alias_col = tenant.column("teams_config", "credential_alias")
        if not any(c["fields"].get(alias_col) == TEAMS_SPOKE_ALIAS_ID for c in configs):
            findings.append(f"the Teams configuration's {alias_col} is not {TEAMS_SPOKE_ALIAS_ID}")
        cred_col = tenant.column("credential", "credential_alias")
        creds = records(stack_json, tenant.table("credential")).values()
        if not any(c["fields"].get(cred_col) == alias_ref for c in creds):
            findings.append(f"no OAuth 2.0 credential has {cred_col} = the managed alias ({alias_ref})")
        return findings
