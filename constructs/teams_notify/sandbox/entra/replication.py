"""Entra's replication delay, simulated: a new certificate credential or role grant works only
some seconds after it was made (DESIGN.md "Facts" 7). The clock of each item starts when the
server first sees it (start, reload, a changed state file, or the first request that uses it)."""

from __future__ import annotations

import threading
from collections.abc import Hashable, Iterable


class Replication:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._first_seen: dict[Hashable, float] = {}

    def see(self, items: Iterable[Hashable], now: float) -> None:
        with self._lock:
            for item in items:
                self._first_seen.setdefault(item, now)

    def ready(self, item: Hashable, delay: float, now: float) -> bool:
        """Whether `item` has been known for `delay` seconds (an unseen item starts now)."""
        with self._lock:
            return self._first_seen.setdefault(item, now) + delay <= now


def role_key(tenant_id: str, client_id: str, role: str) -> tuple[str, str, str, str]:
    """The replication key of one role granted to one app."""
    return ("role", tenant_id.lower(), client_id.lower(), role)
