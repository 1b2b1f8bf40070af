"""What one doctor check found: a name, a status, one line of cause and one line of fix."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Status = Literal["pass", "fail", "warn", "skip"]


@dataclass(frozen=True)
class Check:
    """The result of one check. `cause` says what was found; `fix` what to do (empty on pass)."""

    name: str
    status: Status
    cause: str
    fix: str = ""

    def to_json(self) -> dict[str, str]:
        return {"name": self.name, "status": self.status, "cause": self.cause, "fix": self.fix}


def passed(name: str, cause: str) -> Check:
    return Check(name, "pass", cause)


def failed(name: str, cause: str, fix: str) -> Check:
    return Check(name, "fail", cause, fix)


def warned(name: str, cause: str, fix: str) -> Check:
    return Check(name, "warn", cause, fix)


def skipped(name: str, cause: str) -> Check:
    return Check(name, "skip", cause)


def first_problem(name: str, problems: list[tuple[str, str]], ok: str) -> Check:
    """Fail with the first (cause, fix) of `problems` (and how many more), else pass with `ok`."""
    if not problems:
        return passed(name, ok)
    cause, fix = problems[0]
    more = f" (and {len(problems) - 1} more problem(s))" if len(problems) > 1 else ""
    return failed(name, cause + more, fix)
