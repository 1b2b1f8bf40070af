"""Reading the files users hand us and writing the files we produce, with one clear error line
for every way the file system can say no.

Writes are all-or-nothing: `write_all` stages every file next to its target first, then
renames them into place, and puts the old files back if any rename fails. So a failed
`cert new --force` never leaves a new key beside an old keystore, and a failed run never
leaves half a bundle. Private files are created 0600 from the first byte (never chmod-ed
after the secret is on disk).
"""

from __future__ import annotations

import errno
import os
import stat
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from teams_notify.errors import BadInputError

T = TypeVar("T")

PRIVATE_MODE = 0o600
PUBLIC_MODE = 0o644


# Far above any real tenant file, outputs JSON, certificate or keystore; a bigger file is a
# mistake (a disk image, a log) that would only cost memory before failing anyway.
MAX_INPUT_BYTES = 4 * 1024 * 1024
# Tenant files nest 3 levels, outputs JSON 3; the parsers recurse, so deep nesting must be
# refused before they run into Python's recursion limit.
MAX_NESTING = 32


def read_input(path: Path, what: str, max_bytes: int = MAX_INPUT_BYTES) -> bytes:
    """The bytes of a user-given file, or a BadInputError that names the file and the problem.

    Only regular files: the type is checked with stat before opening, and the open itself is
    non-blocking and re-checked with fstat, so a FIFO swapped in between cannot hang us."""
    _require_regular(_stat(path, what), path, what)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
    except OSError as err:
        raise BadInputError(f"cannot read {what} {path}: {err.strerror}", fix="check the file") from err
    try:
        info = os.fstat(fd)
        _require_regular(info.st_mode, path, what)
        if info.st_size > max_bytes:
            raise _too_big(path, what, max_bytes)
        with os.fdopen(fd, "rb", closefd=False) as handle:
            data = handle.read(max_bytes + 1)
    except OSError as err:
        raise BadInputError(f"cannot read {what} {path}: {err.strerror}", fix="check the file") from err
    finally:
        os.close(fd)
    if len(data) > max_bytes:
        raise _too_big(path, what, max_bytes)
    if not data:
        raise BadInputError(f"{what} {path} is empty", fix="check that the file was copied completely")
    return data


def read_text_input(path: Path, what: str, max_bytes: int = MAX_INPUT_BYTES) -> str:
    """A user-given text file, which must be UTF-8 (BadInputError naming the byte offset)."""
    data = read_input(path, what, max_bytes)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise BadInputError(
            f"{what} {path} is not UTF-8 text (byte {err.start})", fix="save the file as UTF-8"
        ) from None


def parse_input(path: Path, what: str, parse: Callable[[str], T]) -> T:
    """A user-given UTF-8 file parsed by `parse` (tomllib.loads, json.loads), refused when it
    nests too deep. The parser's own syntax errors pass through for the caller to explain."""
    text = read_text_input(path, what)
    try:
        data = parse(text)
    except RecursionError:
        raise nesting_error(path, what) from None
    check_nesting(data, path, what)
    return data


def check_nesting(data: object, path: Path, what: str, limit: int = MAX_NESTING) -> None:
    """BadInputError when parsed data nests deeper than `limit` (iterative: never recurses)."""
    pending: list[tuple[object, int]] = [(data, 0)]
    while pending:
        node, depth = pending.pop()
        if depth > limit:
            raise nesting_error(path, what, limit)
        if isinstance(node, dict):
            pending.extend((value, depth + 1) for value in node.values())
        elif isinstance(node, list):
            pending.extend((value, depth + 1) for value in node)


def nesting_error(path: Path, what: str, limit: int = MAX_NESTING) -> BadInputError:
    """The error for data nested too deep (also for a parser that hit the recursion limit)."""
    return BadInputError(
        f"{what} {path} nests arrays or tables more than {limit} levels deep",
        fix="check that this is the right file",
    )


def _stat(path: Path, what: str) -> int:
    try:
        return path.stat().st_mode
    except FileNotFoundError as err:
        raise BadInputError(f"{what} {path} does not exist", fix="check the path") from err
    except OSError as err:
        raise BadInputError(f"cannot read {what} {path}: {err.strerror}", fix="check the path") from err


def _require_regular(mode: int, path: Path, what: str) -> None:
    if stat.S_ISDIR(mode):
        raise BadInputError(f"{what} {path} is a directory, expected a file", fix="name the file")
    # A FIFO or socket would block the read forever; devices are never what the user meant.
    if not stat.S_ISREG(mode):
        raise BadInputError(f"{what} {path} is not a regular file", fix="copy the content into a file")


def _too_big(path: Path, what: str, max_bytes: int) -> BadInputError:
    return BadInputError(
        f"{what} {path} is larger than {max_bytes // 1024} KiB", fix="check that this is the right file"
    )


@dataclass(frozen=True)
class PendingFile:
    """One file `write_all` is to write. `replace=False`: refuse if the target exists by then."""

    path: Path
    data: bytes
    mode: int = PUBLIC_MODE
    replace: bool = True


def write_atomic(path: Path, data: bytes, mode: int = PUBLIC_MODE, *, durable: bool = True) -> Path:
    """Write one file via a temp file in the same directory and a rename: readers never see
    half a file. BadInputError (nothing changed) if the file system refuses."""
    write_all([PendingFile(path, data, mode)], durable=durable)
    return path


def write_all(files: Sequence[PendingFile], *, durable: bool = True) -> None:
    """Write every file or none: on any failure the targets are as they were before.

    `durable=False` skips the fsync, for files inside a folder that is itself put in place
    as a whole (the synth's staging folder): a crash there loses the folder, not one file."""
    staged: list[tuple[PendingFile, Path]] = []
    try:
        for pending in files:
            staged.append((pending, _stage(pending, durable)))
        _commit(staged)
    except OSError as err:
        raise _write_error(err, _target_of(err, files)) from err
    finally:
        for _, tmp in staged:
            tmp.unlink(missing_ok=True)


def _stage(pending: PendingFile, durable: bool) -> Path:
    _ensure_directory(pending.path.parent)
    fd, tmp_name = tempfile.mkstemp(dir=pending.path.parent, prefix=f".{pending.path.name}.", suffix=".tmp")
    tmp = Path(tmp_name)
    try:
        os.fchmod(fd, pending.mode)
        with os.fdopen(fd, "wb") as handle:
            handle.write(pending.data)
            handle.flush()
            if durable:
                os.fsync(handle.fileno())
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return tmp


def _ensure_directory(folder: Path) -> None:
    if folder.exists() and not folder.is_dir():
        raise BadInputError(f"{folder} is not a directory", fix="choose a directory for the output")
    folder.mkdir(parents=True, exist_ok=True)


def _commit(staged: list[tuple[PendingFile, Path]]) -> None:
    """Rename the staged files into place; old targets are kept aside until all are in."""
    done: list[tuple[Path, Path | None]] = []  # (target, where its old content waits)
    try:
        for pending, tmp in staged:
            target = pending.path
            if target.is_dir():
                raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(target))
            backup = None
            if target.exists():
                if not pending.replace:
                    raise FileExistsError(errno.EEXIST, os.strerror(errno.EEXIST), str(target))
                backup = tmp.with_name(tmp.name + ".old")
                os.replace(target, backup)
            done.append((target, backup))
            os.replace(tmp, target)
    except BaseException:
        for target, backup in reversed(done):
            if backup is not None:
                os.replace(backup, target)
            else:
                target.unlink(missing_ok=True)
        raise
    for _, backup in done:
        if backup is not None:
            backup.unlink(missing_ok=True)


def _target_of(err: OSError, files: Sequence[PendingFile]) -> str:
    """The user's file name for a failure that may name one of our temp files."""
    named = str(err.filename or "")
    for pending in files:
        if named == str(pending.path) or Path(named).name.startswith(f".{pending.path.name}."):
            return str(pending.path)
    return named or "the output"


def _write_error(err: OSError, where: str) -> BadInputError:
    if isinstance(err, IsADirectoryError):
        return BadInputError(
            f"cannot write {where}: a directory of that name is in the way", fix="move it away"
        )
    if isinstance(err, FileExistsError):
        return BadInputError(f"cannot write {where}: it already exists", fix="choose a new file name")
    return BadInputError(
        f"cannot write {where}: {err.strerror or err}",
        fix="choose an output directory you can write to, with free space",
    )
