"""`teams-notify teams package|policy|runbook`: the Microsoft Teams side artifacts for one tenant.

The ids come from the tenant file and the Entra stack's outputs: `--outputs FILE` (saved
with `terraform output -json`), else `terraform output -json` in the synthesized Entra stack
folder. The library is imported inside the commands so `teams-notify --help` stays fast.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from teams_notify.cli.options import apply, json_option, out_option, tenant_option
from teams_notify.errors import BadInputError


@click.group(name="teams")
def group() -> None:
    """Microsoft Teams side: app package, access-policy script, runbook."""


def _options(func: Any) -> Any:
    options = [
        tenant_option(),
        click.option(
            "--outputs",
            "outputs_file",
            type=click.Path(path_type=Path),
            default=None,
            help="The Entra stack's outputs as saved by `terraform output -json` "
            "(default: run that in the synthesized stack folder).",
        ),
        click.option(
            "--cdktf-out",
            "cdktf_out",
            type=click.Path(path_type=Path),
            default=Path("cdktf.out"),
            show_default=True,
            help="Synth output folder holding stacks/<tenant>-entra.",
        ),
        out_option("Where to write (default: <cdktf-out>/stacks/<tenant>-entra/artifacts)."),
        json_option(),
    ]
    return apply(func, options)


def _run(
    kind: str,
    tenant_file: Path,
    outputs_file: Path | None,
    cdktf_out: Path,
    out_dir: Path | None,
    as_json: bool,
) -> None:
    from teams_notify.config import load_tenant
    from teams_notify.teams import missing_for_artifacts, write_package, write_policy_script, write_runbook
    from teams_notify.teams.tenant import deployed_values

    values, why_not = deployed_values(load_tenant(tenant_file), outputs_file, cdktf_out)
    target = out_dir or cdktf_out / "stacks" / values.entra_stack_name / "artifacts"
    missing = missing_for_artifacts(values)
    if kind != "runbook" and missing:
        where = "; ".join(f"{name}: {source}" for name, source in missing.items())
        cause = f"{values.tenant}: cannot write the {kind} yet: unknown {', '.join(missing)}"
        if why_not:
            cause += f" (Entra stack outputs not read: {why_not})"
        if outputs_file is not None:
            cause += f" (neither in {outputs_file} nor in the tenant file)"
            raise BadInputError(cause, f"give the outputs of the deployed Entra stack, or set them ({where})")
        raise BadInputError(cause, f"pass --outputs FILE or set them ({where})")
    writer = {"package": write_package, "policy": write_policy_script, "runbook": write_runbook}[kind]
    path = writer(values, target)
    if as_json:
        report = {"written": str(path), "unknown": sorted(missing), "outputs_error": why_not}
        click.echo(json.dumps(report, indent=2))
        return
    click.echo(f"wrote {path}")
    if missing:
        click.echo(f"  placeholders for: {', '.join(missing)} (known once the Entra stack is deployed)")


@group.command(name="package")
@_options
def package(**kwargs: Any) -> None:
    """Write <tenant>-teams-app.zip: the Teams app for the calling bot (article step 1)."""
    _run("package", **kwargs)


@group.command(name="policy")
@_options
def policy(**kwargs: Any) -> None:
    """Write <tenant>-access-policy.ps1: the Teams application access policy (step 3)."""
    _run("policy", **kwargs)


@group.command(name="runbook")
@_options
def runbook(**kwargs: Any) -> None:
    """Write <tenant>-runbook.md: the 3 prerequisites and 8 steps, who does each, exact values."""
    _run("runbook", **kwargs)
