"""Fault injection: rules that slow down, refuse, or cut off the requests they match.

Every rule that matches a request is applied and uses up one of its `count`; their effects
combine: latencies add up, the first `status` and the first `drop` win. So a forever-running
latency rule (benchmarks) and a one-shot 429 burst can be active together. A rule with a
`probability` below 1 applies to that share of its matching requests, drawn from a random
generator seeded by `Faults.seed(n)`, so a run with faults on 10 % of calls can be repeated.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Sequence
from dataclasses import dataclass, fields
from typing import Literal

from teams_notify.errors import BadInputError

FAULT_STATUSES = (429, 500, 502, 503, 504)
Drop = Literal["before", "after_commit"]


@dataclass
class FaultRule:
    """One rule. `count` = how many matching requests it applies to (-1 = forever)."""

    methods: Sequence[str] = ()  # empty = every method
    path_prefix: str = ""
    count: int = 1
    status: int | None = None
    retry_after: float | None = None
    latency_ms: int = 0
    drop: Drop | None = None
    probability: float = 1.0  # share of matching requests it applies to

    def __post_init__(self) -> None:
        if isinstance(self.methods, str):
            raise BadInputError(f"fault methods must be a list, not {self.methods!r}")
        self.methods = tuple(m.upper() for m in self.methods)
        if self.status is not None and self.status not in FAULT_STATUSES:
            raise BadInputError(f"fault status {self.status} is not one of {FAULT_STATUSES}")
        if self.drop not in (None, "before", "after_commit"):
            raise BadInputError(f"fault drop {self.drop!r} must be 'before' or 'after_commit'")
        if self.retry_after is not None and self.status is None:
            raise BadInputError("fault retry_after needs a status")
        if self.count == 0 or self.count < -1 or self.latency_ms < 0:
            raise BadInputError("fault count must be -1 or >= 1 and latency_ms >= 0")
        if not 0 < self.probability <= 1:
            raise BadInputError(f"fault probability {self.probability} must be > 0 and <= 1")

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> FaultRule:
        """Build a rule from its JSON form (the control API); unknown keys are an error."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise BadInputError(f"unknown fault rule keys {unknown}; known: {sorted(known)}")
        try:
            return cls(**data)  # type: ignore[arg-type]
        except TypeError as err:
            raise BadInputError(f"bad fault rule {data}: {err}") from err

    def applies_to(self, method: str, path: str) -> bool:
        return (not self.methods or method in self.methods) and path.startswith(self.path_prefix)


@dataclass(frozen=True)
class FaultAction:
    """What to do to one request: the combined effect of every rule that matched it."""

    latency_ms: int = 0
    status: int | None = None
    retry_after: float | None = None
    drop: Drop | None = None


class Faults:
    """The active rules (thread-safe); `sb.faults` in Python, `/__sandbox__/faults` over HTTP."""

    def __init__(self) -> None:
        self._rules: list[FaultRule] = []
        self._lock = threading.Lock()
        self._random = random.Random(0)
        self.applied = 0

    def seed(self, value: int) -> None:
        """Restart the draws of rules with a probability below 1 (same seed, same draws)."""
        with self._lock:
            self._random.seed(value)

    def add(self, *rules: FaultRule) -> None:
        with self._lock:
            self._rules.extend(rules)

    def clear(self) -> None:
        with self._lock:
            self._rules.clear()

    def rules(self) -> list[FaultRule]:
        with self._lock:
            return list(self._rules)

    def take(self, method: str, path: str) -> FaultAction:
        """Match a request against the rules, use up their counts and return the combined action."""
        latency, status, retry_after, drop = 0, None, None, None
        with self._lock:
            for rule in [r for r in self._rules if r.applies_to(method, path)]:
                if rule.probability < 1 and self._random.random() >= rule.probability:
                    continue
                self.applied += 1
                latency += rule.latency_ms
                if status is None and rule.status is not None:
                    status, retry_after = rule.status, rule.retry_after
                drop = drop or rule.drop
                if rule.count > 0:
                    rule.count -= 1
                    if rule.count == 0:
                        self._rules.remove(rule)
        return FaultAction(latency, status, retry_after, drop)
