"""`teams-notify provider` commands (to be filled in by the issue that owns them)."""

from __future__ import annotations

import click


@click.group(name="provider")
def group() -> None:
    """provider commands."""
