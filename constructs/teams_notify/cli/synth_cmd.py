"""`teams-notify synth`: the same as `python main.py` (synthesize every tenant, run the hook)."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click


def _folder(flag: str, dest: str, default: str, help_: str) -> Callable[[Any], Any]:
    return click.option(
        flag,
        dest,
        type=click.Path(file_okay=False, path_type=Path),
        default=Path(default),
        show_default=True,
        help=help_,
    )


@click.command(name="synth")
@_folder("--tenants", "tenants_dir", "tenants", "folder of tenant files (*.toml)")
@_folder("--out", "outdir", "cdktf.out", "synth output folder")
@click.option(
    "--engine",
    type=click.Choice(["cdktf", "cdktn"]),
    default=None,
    help="CDK engine (default: $TEAMS_NOTIFY_CDK or cdktf)",
)
def command(tenants_dir: Path, outdir: Path, engine: str | None) -> None:
    """Synthesize <tenant>-entra and <tenant>-servicenow for every tenant file, then run the
    post-synth hook (x5t, certificate checks, teams-notify.json, Teams artifacts).

    Exit 2 for a bad tenant file, 1 when a certificate or policy check fails."""
    if engine:
        os.environ["TEAMS_NOTIFY_CDK"] = engine  # read once, when compat is first imported
    from teams_notify.config import load_tenants
    from teams_notify.stacks.app import synth

    result = synth(load_tenants(tenants_dir), outdir)
    for summary in result.summaries:
        for warning in summary.warnings:
            click.secho(f"warning: {warning}", fg="yellow", err=True)
    names = ", ".join(s.stack_name for s in result.stacks)
    click.echo(f"synthesized {len(result.stacks)} stacks into {outdir}: {names}")
