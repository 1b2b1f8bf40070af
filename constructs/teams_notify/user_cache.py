"""Our folders in the user's cache (`$XDG_CACHE_HOME` or `~/.cache`, then `teams-notify/`):
what a run makes once and later runs reuse (jsii's host, compiled templates).

What is kept there runs as our code, so a folder is used only while it is private: made 0700,
owned by this user, writable by no one else.
"""

from __future__ import annotations

import os
from pathlib import Path


def cache_root() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "teams-notify"


def private_folder(name: str) -> Path | None:
    """`<cache root>/<name>`, made if missing; None when it cannot be made or is not private."""
    folder = cache_root() / name
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        stat = folder.stat()
    except OSError:
        return None
    if stat.st_uid != os.getuid() or stat.st_mode & 0o022:
        return None
    return folder
