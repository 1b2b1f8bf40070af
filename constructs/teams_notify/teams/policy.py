"""The Teams application access-policy script (`<tenant>-access-policy.ps1`), rendered.

See `powershell.py` for how values are quoted; the template (`access-policy.ps1.j2`) puts
each value into exactly one single-quoted literal assigned to a variable at the top.
"""

from __future__ import annotations

from teams_notify.teams.templating import render
from teams_notify.teams.values import TeamsValues, require_artifact_values

POLICY_DESCRIPTION_MAX = 256


def policy_description(values: TeamsValues) -> str:
    text = f"ServiceNow Notify calling bot: {values.app_display_name}"
    return text[:POLICY_DESCRIPTION_MAX]


def policy_script(values: TeamsValues) -> str:
    """The script text; BadInputError when an id it needs is unknown or a value is unsafe."""
    require_artifact_values(values)
    return render(
        "access-policy.ps1.j2",
        tenant=values.tenant,
        tenant_id=values.tenant_id,
        client_id=values.client_id,
        policy_name=values.effective_policy_name,
        policy_description=policy_description(values),
        grant_global=values.grant_global,
        service_user_object_id=values.service_user_object_id,
        service_user_upn=values.service_user_upn or values.service_user_object_id,
    )
