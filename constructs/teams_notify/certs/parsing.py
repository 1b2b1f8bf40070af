"""Parsing users' certificate files: every parser exception becomes one BadInputError line.
(Reading and writing the files themselves: `teams_notify.files`.)"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.x509 import InvalidVersion
from jks.util import KeystoreException
from pyasn1.error import PyAsn1Error

from teams_notify.errors import BadInputError

# What the parsers we use (cryptography, pyjks, pyasn1) raise on bytes that are not what they
# expect. Input files come from users, so any of these means "bad input", not a bug of ours.
PARSE_ERRORS: tuple[type[Exception], ...] = (
    ValueError,
    TypeError,
    IndexError,
    struct.error,
    UnsupportedAlgorithm,
    InvalidVersion,
    KeystoreException,
    PyAsn1Error,
)


@contextmanager
def parsing(path: Path, what: str, fix: str) -> Iterator[None]:
    """Turn a parser's exception into one BadInputError line naming the file."""
    try:
        yield
    except PARSE_ERRORS as err:
        raise BadInputError(f"{path} is not a readable {what} ({_reason(err)})", fix=fix) from err


def _reason(err: Exception) -> str:
    text = str(err).strip()
    if not text:
        return type(err).__name__
    # cryptography appends a long FAQ pointer; the first sentence is the useful part.
    first = text.splitlines()[0].split(". See ")[0]
    return first if len(first) <= 100 else first[:100] + "..."
