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
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from teams_notify.errors import BadInputError

PRIVATE_MODE = 0o600
PUBLIC_MODE = 0o644


def read_input(path: Path, what: str) -> bytes:
    """The bytes of a user-given file, or a BadInputError that names the file and the problem."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError as err:
        raise BadInputError(f"{what} {path} does not exist", fix="check the path") from err
    except OSError as err:
        raise BadInputError(f"cannot read {what} {path}: {err.strerror}", fix="check the path") from err
    if stat.S_ISDIR(mode):
        raise BadInputError(f"{what} {path} is a directory, expected a file", fix="name the file")
    # A FIFO or socket would block the read forever; devices are never what the user meant.
    if not stat.S_ISREG(mode):
        raise BadInputError(f"{what} {path} is not a regular file", fix="copy the content into a file")
    try:
        data = path.read_bytes()
    except OSError as err:
        raise BadInputError(f"cannot read {what} {path}: {err.strerror}", fix="check the file") from err
    if not data:
        raise BadInputError(f"{what} {path} is empty", fix="check that the file was copied completely")
    return data


@dataclass(frozen=True)
class PendingFile:
    """One file `write_all` is to write. `replace=False`: refuse if the target exists by then."""

    path: Path
    data: bytes
    mode: int = PUBLIC_MODE
    replace: bool = True


def write_atomic(path: Path, data: bytes, mode: int = PUBLIC_MODE) -> Path:
    """Write one file via a temp file in the same directory and a rename: readers never see
    half a file. BadInputError (nothing changed) if the file system refuses."""
    write_all([PendingFile(path, data, mode)])
    return path


def write_all(files: Sequence[PendingFile]) -> None:
    """Write every file or none: on any failure the targets are as they were before."""
    staged: list[tuple[PendingFile, Path]] = []
    try:
        for pending in files:
            staged.append((pending, _stage(pending)))
        _commit(staged)
    except OSError as err:
        raise _write_error(err, _target_of(err, files)) from err
    finally:
        for _, tmp in staged:
            tmp.unlink(missing_ok=True)


def _stage(pending: PendingFile) -> Path:
    _ensure_directory(pending.path.parent)
    fd, tmp_name = tempfile.mkstemp(dir=pending.path.parent, prefix=f".{pending.path.name}.", suffix=".tmp")
    tmp = Path(tmp_name)
    try:
        os.fchmod(fd, pending.mode)
        with os.fdopen(fd, "wb") as handle:
            handle.write(pending.data)
            handle.flush()
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
