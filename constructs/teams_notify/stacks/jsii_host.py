"""Our host for jsii's kernel: one Node process per engine instead of two.

jsii's launcher starts a Node that starts a second Node for the kernel and relays every
message between them. `jsii_host.js` runs the kernel in the first: the engine starts about
0.05 s sooner and each of the thousands of calls a synth makes skips the relay (a 100-tenant
full synth took 0.75x the time in an A/B). The protocol and what the kernel does are jsii's
own; only the process that carries them changes.

A program installs it (`install`) before its engine starts: it points jsii at a folder with
the host, jsii's kernel beside it and a `node` that starts Node with --preserve-symlinks, as
the launcher does. The folder is kept per user (`~/.cache/teams-notify/jsii-host`, private)
and made once per jsii and Node. Its variables are inherited by the program's engine process
and workers. A caller's Python (only programs install it), a JSII_RUNTIME set by the user,
a platform that is not POSIX (the `node` script is `sh`), a cache folder that cannot be made
private, a jsii whose kernel lacks what the host relies on, or TEAMS_NOTIFY_JSII_HOST=0:
jsii's own launcher, as before.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import os
import shlex
import shutil
from importlib import resources
from pathlib import Path

from teams_notify.user_cache import private_folder

HOST_ENV = "TEAMS_NOTIFY_JSII_HOST"
HOST_SCRIPT = "jsii_host.js"
HOST_FOLDER = "jsii-host"  # in the user's cache
# jsii's embedded files -> where its launcher expects them (the kernel finds its index worker
# beside itself).
KERNEL_FILES = {"lib__program.js": "program.js", "lib__runtime-index-worker.js": "runtime-index-worker.js"}
# What the host relies on in the kernel: it talks on descriptor 3, and it links libraries
# instead of copying them when Node runs with --preserve-symlinks.
KERNEL_FACTS = (b"readFD:3,writeFD:3", b'process.execArgv.includes("--preserve-symlinks")')


def install() -> None:
    """Point this process's jsii (and the processes it starts) at the host, unless it does not
    apply (see the module docstring). Call before the engine starts; nothing is printed."""
    if os.name != "posix" or os.environ.get(HOST_ENV, "1").strip() == "0":
        return
    if os.environ.get("JSII_RUNTIME"):  # the user's own runtime, or ours inherited: kept
        return
    kernel = _kernel_folder()
    if kernel is None:
        return
    node = os.environ.get("JSII_NODE", "node")
    root = private_folder(HOST_FOLDER)
    if root is None:  # no private cache folder: jsii's own launcher
        return
    folder = root / _key(kernel, node)
    with contextlib.suppress(OSError):
        if not (folder / "lib" / "host.js").is_file():
            _create(folder, kernel, node)
        if (folder / "lib" / "host.js").is_file():
            os.environ["JSII_NODE"] = str(folder / "node")
            os.environ["JSII_RUNTIME"] = str(folder / "lib" / "host.js")


def _kernel_folder() -> Path | None:
    """jsii's embedded runtime files, found without importing jsii."""
    spec = importlib.util.find_spec("jsii")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        embedded = Path(folder) / "_embedded" / "jsii"
        if all((embedded / name).is_file() for name in KERNEL_FILES):
            return embedded
    return None


def _key(kernel: Path, node: str) -> str:
    """A folder name for this kernel (by its files' size and time), this host and this Node."""
    digest = hashlib.sha256(node.encode())
    digest.update(_host_source())
    for name in KERNEL_FILES:
        stat = (kernel / name).stat()
        digest.update(f"{name}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    return digest.hexdigest()[:16]


def _host_source() -> bytes:
    return resources.files("teams_notify.stacks").joinpath(HOST_SCRIPT).read_bytes()


def _create(folder: Path, kernel: Path, node: str) -> None:
    """Write the folder beside its final place, then rename it there (a concurrent program
    that got there first wins; both folders are the same). Nothing when the kernel lacks a
    fact the host relies on."""
    files = {target: (kernel / source).read_bytes() for source, target in KERNEL_FILES.items()}
    if not all(fact in files["program.js"] for fact in KERNEL_FACTS):
        return
    files["host.js"] = _host_source()
    partial = folder.with_name(f".{folder.name}.{os.getpid()}")
    shutil.rmtree(partial, ignore_errors=True)
    (partial / "lib").mkdir(mode=0o700, parents=True)
    for name, data in files.items():
        (partial / "lib" / name).write_bytes(data)
    launcher = partial / "node"
    launcher.write_text(f'#!/bin/sh\nexec {shlex.quote(node)} --preserve-symlinks "$@"\n')
    launcher.chmod(0o700)
    try:
        partial.rename(folder)
    except OSError:
        shutil.rmtree(partial, ignore_errors=True)
        if not folder.is_dir():
            raise
