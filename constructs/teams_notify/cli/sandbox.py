"""`teams-notify sandbox` command (to be filled in by the issue that owns it)."""

from __future__ import annotations

import click


@click.command(name="sandbox")
def command() -> None:
    """sandbox."""
    raise click.UsageError("not implemented yet")
