"""`teams-notify cert` commands (to be filled in by the issue that owns them)."""

from __future__ import annotations

import click


@click.group(name="cert")
def group() -> None:
    """cert commands."""
