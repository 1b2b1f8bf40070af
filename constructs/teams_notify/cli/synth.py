"""`teams-notify synth`: the same as `python main.py` (synthesize every tenant, run the hook)."""

from __future__ import annotations

import os
from pathlib import Path

import click


@click.command(name="synth")
@click.option(
    "--tenants",
    "tenants_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("tenants"),
    show_default=True,
    help="folder of tenant files (*.toml)",
)
@click.option(
    "--out",
    "outdir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("cdktf.out"),
    show_default=True,
    help="synth output folder",
)
@click.option(
    "--engine",
    type=click.Choice(["cdktf", "cdktn"]),
    default=None,
    help="CDK engine (default: $TEAMS_NOTIFY_CDK or cdktf)",
)
def command(tenants_dir: Path, outdir: Path, engine: str | None) -> None:
    """Synthesize <tenant>-entra and <tenant>-servicenow for every tenant file, then run the
    post-synth hook (x5t, certificate checks, teams-notify.json, Teams artifacts)."""
    if engine:
        os.environ["TEAMS_NOTIFY_CDK"] = engine  # read once, when compat is first imported
    from teams_notify.app import synth
    from teams_notify.config import load_tenants

    result = synth(load_tenants(tenants_dir), outdir)
    for summary in result.summaries:
        for warning in summary["warnings"]:
            click.secho(f"warning: {warning}", fg="yellow", err=True)
    names = ", ".join(s.stack_name for s in result.stacks)
    click.echo(f"synthesized {len(result.stacks)} stacks into {outdir}: {names}")
