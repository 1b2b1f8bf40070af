"""Exceptions written for the user.

Every expected failure is a `TeamsNotifyError`: one line saying what is wrong, one line
saying how to fix it, and the exit code the CLI returns (2 = bad input, 1 = a check failed).
"""

from __future__ import annotations


class TeamsNotifyError(Exception):
    """An expected failure with a cause and a fix, shown without a traceback."""

    exit_code = 2

    def __init__(self, cause: str, fix: str | None = None) -> None:
        super().__init__(cause)
        self.cause = cause
        self.fix = fix

    def __reduce__(self) -> tuple[type[TeamsNotifyError], tuple[str, str | None]]:
        # Keep the fix when the error crosses a process boundary (parallel synth).
        return (self.__class__, (self.cause, self.fix))

    def __str__(self) -> str:
        return self.cause if not self.fix else f"{self.cause} (fix: {self.fix})"


class BadInputError(TeamsNotifyError):
    """The user gave us something we cannot use (file, flag, config value)."""

    exit_code = 2


class CheckFailedError(TeamsNotifyError):
    """A check ran and found a problem (cert check, doctor, schema check)."""

    exit_code = 1
