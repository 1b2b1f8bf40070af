"""The post-synth call: Teams artifacts into `cdktf.out/stacks/<tenant>-entra/artifacts/`.

At synth time the ids are known only when tenant config supplies them. Then all three
artifacts are written; otherwise only the runbook, whose placeholders say where each
missing value comes from (`teams-notify teams ... --tenant FILE` writes the rest after deploy).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from teams_notify.teams.artifacts import write_artifacts, write_runbook
from teams_notify.teams.tenant import values_from_tenant
from teams_notify.teams.values import missing_for_artifacts

if TYPE_CHECKING:
    from teams_notify.config import TenantConfig
    from teams_notify.stacks.postsynth import StackSummary

ARTIFACTS_DIR = "artifacts"
ENTRA_SIDE = "entra"


def write_teams_artifacts(tenant: TenantConfig, stack_dir: Path, summary: StackSummary) -> list[Path]:
    """Hook entry point, called once per synthesized stack; acts for the Entra stack only.

    `summary` is the stack's post-synth summary (`side`, `x5t`, ...). Returns the files written
    (without fsync: the synth's staging folder is put in place as a whole).
    """
    if summary.side != ENTRA_SIDE:
        return []
    return write_tenant_artifacts(tenant, summary.x5t, stack_dir / ARTIFACTS_DIR)


def write_tenant_artifacts(tenant: TenantConfig, x5t: str, out_dir: Path) -> list[Path]:
    """The tenant's artifacts into `out_dir` (the Entra stack's `artifacts/`), for the active
    certificate's `x5t`: all three when the ids are known, else the runbook."""
    values = values_from_tenant(tenant, outputs=None, cert_x5t=x5t)
    if missing_for_artifacts(values):
        return [write_runbook(values, out_dir, durable=False)]
    return write_artifacts(values, out_dir, durable=False)
