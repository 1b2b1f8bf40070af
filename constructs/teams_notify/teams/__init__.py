"""Microsoft Teams side artifacts: the calling-bot app package, the application access
policy script and the per-tenant runbook (see docs/teams.md).

    values = TeamsValues(tenant="acme", instance_url="https://acme.service-now.com", ...)
    write_artifacts(values, out_dir)  # all three; needs the Entra ids
    write_runbook(values, out_dir)    # always works; placeholders for unknown ids
"""

from __future__ import annotations

from teams_notify.teams.artifacts import (
    write_artifacts,
    write_package,
    write_policy_script,
    write_runbook,
)
from teams_notify.teams.hook import write_teams_artifacts
from teams_notify.teams.runbook import Status, statuses
from teams_notify.teams.tenant import values_from_tenant
from teams_notify.teams.values import TeamsValues, missing_for_artifacts

__all__ = [
    "Status",
    "TeamsValues",
    "missing_for_artifacts",
    "statuses",
    "values_from_tenant",
    "write_artifacts",
    "write_package",
    "write_policy_script",
    "write_runbook",
    "write_teams_artifacts",
]
