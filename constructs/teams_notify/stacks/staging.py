"""The synth output folder is replaced as a whole, never written in place.

Every synth writes into a staging folder beside the output (same file system) and, only when
every check has passed, swaps it with the output in one `renameat2(RENAME_EXCHANGE)`. Until
then the previous output is untouched, byte for byte: a failed check, an exception, Ctrl-C or
`kill -9` leaves it as it was, and Terraform never reads a stack with a placeholder in it.

The output before the current one is kept beside it (`.<output>.recycle`): the next synth takes
its folders instead of making new ones (it removes every file in them first).

Terraform's own files in a stack folder (`.terraform/`, `.terraform.lock.hcl`, saved plans)
are not ours: they are carried into the new output as hard links just before the swap, so
`terraform init` is not needed again after a synth.

A lock file beside the output serializes synths into one folder: the second waits (and says
so), up to TEAMS_NOTIFY_SYNTH_LOCK_TIMEOUT seconds (default 600), then fails with one line.
"""

from __future__ import annotations

import ctypes
import errno
import fcntl
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from terraform_provider_servicenow.lockfile import LOCK_FILE, merged_lock_text

from teams_notify.errors import BadInputError, CheckFailedError
from teams_notify.stacks.synth_cache import STACKS_DIR

LOCK_TIMEOUT_ENV = "TEAMS_NOTIFY_SYNTH_LOCK_TIMEOUT"
DEFAULT_LOCK_TIMEOUT = 600.0
_RENAME_EXCHANGE = 2  # linux/fs.h
_AT_FDCWD = -100


def lock_path(target: Path) -> Path:
    return target.parent / f".{target.name}.synth-lock"


def _staging_prefix(target: Path) -> str:
    return f".{target.name}.staging-"


def _old_prefix(target: Path) -> str:
    return f".{target.name}.old-"


def recycle_path(target: Path) -> Path:
    """Where the output before the current one is kept for the next synth's folders."""
    return target.parent / f".{target.name}.recycle"


@contextmanager
def synth_lock(target: Path, notify: Callable[[str], None] | None = None) -> Iterator[None]:
    """Hold the output folder's lock; wait for another synth into it, within the timeout."""
    _make_parent(target)
    try:
        fd = os.open(lock_path(target), os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as err:
        raise BadInputError(
            f"cannot create the synth lock {lock_path(target)}: {err.strerror}",
            "choose an output folder whose parent you can write to",
        ) from None
    try:
        _acquire(fd, target, notify)
        recover(target)
        yield
    finally:
        os.close(fd)  # releases the lock


def _acquire(fd: int, target: Path, notify: Callable[[str], None] | None) -> None:
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return
    except BlockingIOError:
        pass
    if notify:
        notify(f"waiting for another synth into {target} to finish")
    timeout = float(os.environ.get(LOCK_TIMEOUT_ENV) or DEFAULT_LOCK_TIMEOUT)
    deadline = time.monotonic() + timeout
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() >= deadline:
                raise CheckFailedError(
                    f"another synth into {target} still runs after {timeout:.0f} s",
                    f"wait for it to finish, or raise {LOCK_TIMEOUT_ENV}",
                ) from None
            time.sleep(0.1)


def recover(target: Path) -> None:
    """Tidy up after a synth that was killed: drop its staging folder; if it died between the
    two renames of the fallback swap, put the previous output back."""
    for leftover in target.parent.glob(_staging_prefix(target) + "*"):
        shutil.rmtree(leftover, ignore_errors=True)
    olds = sorted(target.parent.glob(_old_prefix(target) + "*"))
    if olds and not target.exists():
        os.rename(olds.pop(), target)
    for old in olds:
        shutil.rmtree(old, ignore_errors=True)


class Staging:
    """A fresh folder beside `target` to synthesize into; `commit` puts it in target's place."""

    def __init__(self, target: Path) -> None:
        self.target = target
        _make_parent(target)
        try:
            self.path = Path(tempfile.mkdtemp(dir=target.parent, prefix=_staging_prefix(target)))
        except OSError as err:
            raise output_error(target, err) from None
        self.path.chmod(0o777 & ~_umask())  # mkdtemp makes it 0700; the output never was
        self.committed = False

    def __enter__(self) -> Staging:
        return self

    def __exit__(self, *exc: object) -> None:
        if not self.committed:
            shutil.rmtree(self.path, ignore_errors=True)

    def reuse_folders(self, keep: frozenset[str]) -> None:
        """Take the folders in `keep` (relative paths, parents included) from the output before
        the current one (kept by `commit`) instead of making them: this staging folder becomes
        that one, emptied of every file and of every folder not in `keep`. Making a folder is
        what linking the reused tenants costs (about 1 ms each measured on ext4, 3 per tenant);
        emptying one is not. Nothing when there is none to take or nothing to keep."""
        recycled = recycle_path(self.target)
        if not keep or not recycled.is_dir():
            return
        try:
            os.rename(recycled, self.path)  # onto the empty staging folder: replaces it
        except OSError:
            return
        mode = 0o777 & ~_umask()
        self.path.chmod(mode)
        _empty_except(self.path, keep, "", mode)

    def commit(self, generated: frozenset[str] = frozenset(), carried: frozenset[str] = frozenset()) -> None:
        """Carry Terraform's working files over (not `generated`: what the previous synth wrote,
        relative paths; not into the stacks in `carried`, done already), then swap; the old
        output is kept for the next synth's folders (`reuse_folders`)."""
        if self.target.exists():
            carry_over(self.target, self.path, generated, carried)
            _swap(self.path, self.target)
            self.committed = True
            _keep_for_reuse(self.path, self.target)  # now holds the previous output
        else:
            os.rename(self.path, self.target)
            self.committed = True


def folders_of(root: Path, stacks: list[str]) -> frozenset[str]:
    """Every folder (relative path; not a symbolic link) of these stacks' folders in `root`,
    parents included: what linking them and carrying Terraform's files over makes again."""
    found: set[str] = set()

    def walk(folder: str, relative: str) -> None:
        found.add(relative)
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    walk(entry.path, f"{relative}/{entry.name}")

    for stack in stacks:
        if (root / STACKS_DIR / stack).is_dir():
            found.add(STACKS_DIR)
            walk(str(root / STACKS_DIR / stack), f"{STACKS_DIR}/{stack}")
    return frozenset(found)


def _empty_except(folder: Path, keep: frozenset[str], relative: str, mode: int) -> None:
    """Remove every file under `folder` and every folder whose path (relative to the staging
    folder) is not in `keep`; kept folders get `mode`, as a new folder would."""
    with os.scandir(folder) as entries:
        for entry in entries:
            path = relative + entry.name
            if not entry.is_dir(follow_symlinks=False):
                os.unlink(entry.path)
            elif path in keep:
                os.chmod(entry.path, mode)
                _empty_except(Path(entry.path), keep, path + "/", mode)
            else:
                shutil.rmtree(entry.path)


def _keep_for_reuse(previous: Path, target: Path) -> None:
    """Keep the previous output for the next synth's folders; the one kept before, unused,
    is deleted (under a staging name: if that is cut short, `recover` removes the rest)."""
    recycled = recycle_path(target)
    try:
        if recycled.exists():
            unused = Path(tempfile.mkdtemp(dir=target.parent, prefix=_staging_prefix(target)))
            os.rename(recycled, unused)
            remove_later(unused)
        os.rename(previous, recycled)
    except OSError:
        remove_later(previous)


def remove_later(folder: Path) -> None:
    """Delete a folder in a detached process: unlinking a previous output of hundreds of files
    is nobody's wait. Its name marks it as a leftover, so if the deletion is cut short the next
    synth's `recover` removes the rest."""
    try:
        subprocess.Popen(
            ["rm", "-rf", "--", str(folder)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
    except OSError:
        shutil.rmtree(folder, ignore_errors=True)


def output_error(target: Path, err: OSError) -> BadInputError:
    """The one line for a file system that refuses the synth output (nothing was replaced)."""
    return BadInputError(
        f"cannot write the synth output {target}: {err.strerror or err}",
        "choose an output folder on a file system you can write to, with free space",
    )


def carry_over(
    old: Path, new: Path, generated: frozenset[str] = frozenset(), carried: frozenset[str] = frozenset()
) -> None:
    """Hard-link into `new` every entry of `old` that no synth produced: top-level entries, and
    inside each stack folder that still exists (Terraform's working files), but those of the
    stacks in `carried` (already done with `carry_stack`). A stack that is no longer
    synthesized is not carried over, nor is a file the previous synth wrote and this one did
    not (`generated`, relative paths): it would be stale."""
    for entry in old.iterdir():
        if entry.name == STACKS_DIR and entry.is_dir():
            for stack in entry.iterdir():
                if stack.name not in carried:
                    carry_stack(old, new, stack.name, generated)
        elif not (new / entry.name).exists():
            _link_tree(entry, new / entry.name)


def carry_stack(old: Path, new: Path, stack: str, generated: frozenset[str]) -> None:
    """`carry_over` for one stack folder, once it is complete in `new`."""
    old_dir, new_dir = old / STACKS_DIR / stack, new / STACKS_DIR / stack
    if old_dir.is_dir() and new_dir.is_dir():
        _carry_entries(old, old_dir, new_dir, generated)


def _carry_entries(old: Path, old_dir: Path, new_dir: Path, generated: frozenset[str]) -> None:
    for entry in old_dir.iterdir():
        dest = new_dir / entry.name
        if entry.name == LOCK_FILE and dest.is_file():
            _merge_lock(entry, dest)
            continue
        relative = entry.relative_to(old).as_posix()
        if relative in generated:
            continue  # the previous synth wrote it: this synth's version (or none) stands
        holds_ours = any(g.startswith(relative + "/") for g in generated)
        if entry.is_dir() and not entry.is_symlink() and (holds_ours or dest.is_dir()):
            # A folder of ours (e.g. artifacts/): keep what the user added beside our files.
            dest.mkdir(exist_ok=True)
            _carry_entries(old, entry, dest, generated)
        elif not os.path.lexists(dest):
            _link_tree(entry, dest)


def _merge_lock(old: Path, new: Path) -> None:
    """The new lock file (synth locked our local provider) keeps the providers `terraform
    init` locked in the old one. Written as a new file: the old output stays as it was."""
    text = merged_lock_text(new.read_text(encoding="utf-8"), old.read_text(encoding="utf-8"))
    new.unlink()
    new.write_text(text, encoding="utf-8")


def _link_tree(source: Path, dest: Path) -> None:
    if source.is_symlink() or not source.is_dir():
        link_or_copy(source, dest)
    else:
        shutil.copytree(source, dest, symlinks=True, copy_function=link_or_copy)


def link_or_copy(source: str | Path, dest: str | Path) -> None:
    """A hard link where the file system allows it, else a copy (symlinks stay symlinks)."""
    if os.path.islink(source):
        os.symlink(os.readlink(source), dest)
        return
    try:
        os.link(source, dest)
    except OSError:
        shutil.copy2(source, dest)


def _swap(staging: Path, target: Path) -> None:
    """Exchange the two folders atomically; where the kernel or file system cannot, fall back
    to two renames (`recover` repairs a crash between them at the next synth)."""
    if _exchange(staging, target):
        return
    old = Path(tempfile.mkdtemp(dir=target.parent, prefix=_old_prefix(target)))
    os.rmdir(old)
    os.rename(target, old)
    try:
        os.rename(staging, target)
    except OSError:
        os.rename(old, target)  # put the previous output back: nothing was replaced
        raise
    os.rename(old, staging)


def _exchange(a: Path, b: Path) -> bool:
    if not sys.platform.startswith("linux"):
        return False
    libc = ctypes.CDLL(None, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        return False
    result = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    if result == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(b))


def _make_parent(target: Path) -> None:
    if target.exists() and not target.is_dir():
        raise BadInputError(f"{target} is not a directory", "choose a folder for the synth output")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise BadInputError(
            f"cannot create {target.parent}: {err.strerror}", "choose an output folder you can write to"
        ) from None


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
