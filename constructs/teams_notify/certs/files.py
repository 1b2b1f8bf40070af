"""Reading inputs and writing outputs safely: clear errors for unreadable files, atomic writes,
private files created 0600 from the first byte (never chmod-ed after the secret is on disk)."""

from __future__ import annotations

import os
import struct
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.x509 import InvalidVersion
from jks.util import KeystoreException
from pyasn1.error import PyAsn1Error

from teams_notify.errors import BadInputError

PRIVATE_MODE = 0o600
PUBLIC_MODE = 0o644

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


def read_input(path: Path, what: str) -> bytes:
    """The bytes of a user-given file, or a BadInputError that names the file and the problem."""
    try:
        data = path.read_bytes()
    except FileNotFoundError as err:
        raise BadInputError(f"{what} {path} does not exist", fix="check the path") from err
    except IsADirectoryError as err:
        raise BadInputError(f"{what} {path} is a directory, expected a file", fix="name the file") from err
    except OSError as err:
        raise BadInputError(f"cannot read {what} {path}: {err.strerror}", fix="check the file") from err
    if not data:
        raise BadInputError(f"{what} {path} is empty", fix="check that the file was copied completely")
    return data


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


def write_atomic(path: Path, data: bytes, mode: int = PUBLIC_MODE) -> None:
    """Write via a temp file in the same directory and rename: readers never see half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    tmp = Path(tmp_name)
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
