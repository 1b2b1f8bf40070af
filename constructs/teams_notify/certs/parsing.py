"""Parsing users' certificate files: every parser exception becomes one BadInputError line.
(Reading and writing the files themselves: `teams_notify.files`.)"""

from __future__ import annotations

import struct
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.x509 import InvalidVersion

from teams_notify.errors import BadInputError

# What the parsers we use (cryptography, pyjks, pyasn1) raise on bytes that are not what they
# expect. Input files come from users, so any of these means "bad input", not a bug of ours.
_ALWAYS = (ValueError, TypeError, IndexError, struct.error, UnsupportedAlgorithm, InvalidVersion)
# pyjks (and pyasn1 under it) is imported only when a keystore is read: slow to import (60 ms),
# and a synth's engine process never reads one. None of its exceptions can come before.
_ONCE_IMPORTED = (("jks.util", "KeystoreException"), ("pyasn1.error", "PyAsn1Error"))


def parse_errors() -> tuple[type[Exception], ...]:
    """The exception types that mean "not a readable file", of the parsers imported so far."""
    loaded = tuple(
        getattr(sys.modules[module], name) for module, name in _ONCE_IMPORTED if module in sys.modules
    )
    return _ALWAYS + loaded


@contextmanager
def parsing(path: Path, what: str, fix: str) -> Iterator[None]:
    """Turn a parser's exception into one BadInputError line naming the file."""
    try:
        yield
    except parse_errors() as err:  # evaluated when something was raised: pyjks may be loaded by then
        raise BadInputError(f"{path} is not a readable {what} ({_reason(err)})", fix=fix) from err


def _reason(err: Exception) -> str:
    text = str(err).strip()
    if not text:
        return type(err).__name__
    # cryptography appends a long FAQ pointer; the first sentence is the useful part.
    first = text.splitlines()[0].split(". See ")[0]
    return first if len(first) <= 100 else first[:100] + "..."
