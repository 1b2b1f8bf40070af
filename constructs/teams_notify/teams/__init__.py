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
from teams_notify.teams.runbook import Status, statuses
from teams_notify.teams.values import TeamsValues, missing_for_artifacts

__all__ = [
    "Status",
    "TeamsValues",
    "missing_for_artifacts",
    "statuses",
    "write_artifacts",
    "write_package",
    "write_policy_script",
    "write_runbook",
]
