"""`teams-notify synth` command (to be filled in by the issue that owns it)."""

from __future__ import annotations

import click


@click.command(name="synth")
def command() -> None:
    """synth."""
    raise click.UsageError("not implemented yet")
