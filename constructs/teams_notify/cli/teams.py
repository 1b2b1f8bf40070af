"""`teams-notify teams` commands (to be filled in by the issue that owns them)."""

from __future__ import annotations

import click


@click.group(name="teams")
def group() -> None:
    """teams commands."""
