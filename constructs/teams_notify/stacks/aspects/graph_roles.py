"""Rule: all 5 Graph application roles are requested *and* granted (admin consent)."""

from __future__ import annotations

from typing import Any

from teams_notify.graph import GRAPH_APP_ID, GRAPH_APP_ROLES
from teams_notify.stacks.aspects.base import Rule, resources


class GraphRolesGranted(Rule):
    rule_id = "TN1-graph-roles"
    side = "entra"

    def check(self, stack_json: dict[str, Any], stack: Any) -> list[str]:
        requested: set[str] = set()
        for app in resources(stack_json, "azuread_application").values():
            for access in app.get("required_resource_access", []):
                if access.get("resource_app_id") == GRAPH_APP_ID:
                    requested |= {
                        r["id"] for r in access.get("resource_access", []) if r.get("type") == "Role"
                    }
        granted = {
            a.get("app_role_id") for a in resources(stack_json, "azuread_app_role_assignment").values()
        }
        findings = []
        for name, role_id in GRAPH_APP_ROLES.items():
            if role_id not in requested:
                findings.append(f"Graph application permission {name} ({role_id}) is not requested")
            if role_id not in granted:
                findings.append(
                    f"Graph application permission {name} ({role_id}) is not granted "
                    "(no azuread_app_role_assignment = no admin consent)"
                )
        return findings
