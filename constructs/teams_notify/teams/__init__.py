"""Microsoft Teams side artifacts: the calling-bot app package, the application access
policy script and the per-tenant runbook (see docs/teams.md).

    values = TeamsValues(tenant="acme", instance_url="https://acme.service-now.com", ...)
    write_artifacts(values, out_dir)  # all three; needs the Entra ids
    write_runbook(values, out_dir)    # always works; placeholders for unknown ids
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
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

# Loaded on first use: the tenant config imports `teams.settings`, which runs this file first,
# and a synth's checks need none of the artifact writers (jinja2 and the rest: 30 ms).
_WHERE = {
    "write_artifacts": "artifacts",
    "write_package": "artifacts",
    "write_policy_script": "artifacts",
    "write_runbook": "artifacts",
    "write_teams_artifacts": "hook",
    "Status": "runbook",
    "statuses": "runbook",
    "values_from_tenant": "tenant",
    "TeamsValues": "values",
    "missing_for_artifacts": "values",
}


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{_WHERE[name]}"), name)


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
