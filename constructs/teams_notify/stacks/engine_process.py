"""The CDK engine in a process of its own, for a program's synth (`teams-notify synth`,
`python main.py`, so also `cdktf synth` / `cdktf deploy`).

Started (forked) before the tenant files are read, the engine process starts the engine and
imports what building a tenant needs on one core, while this process reads and checks the
tenants and links the unchanged ones on the other. Then it builds the tenants it is sent, into
the staging folder, exactly as this process would (`tenant_synth`), and sends back what it
built, a tick per tenant on the way; meanwhile this process writes their Teams artifacts
(`tenant_synth._local`). In one process the two halves share one interpreter lock and take
turns; a re-synth of one tenant waits for both. (Measured in docs/constructs.md, "Fleet
scale".)

Forked, not spawned: a spawned process would import everything again before it could start.
So only where a fork is safe: on Linux, in a program (never in a caller's Python, whose threads
a fork would copy half-way), before this process has started any thread or the engine.
Anywhere else the engine starts in a thread (`engine.warm_up`).
"""

from __future__ import annotations

import contextlib
import importlib
import multiprocessing
import os
import signal
import sys
import threading
import traceback
from multiprocessing.connection import Connection
from typing import TYPE_CHECKING, Any

from teams_notify.errors import TeamsNotifyError

if TYPE_CHECKING:
    from teams_notify.stacks.tenant_synth import BuiltTenant, Progress, Share


class EngineProcessError(TeamsNotifyError):
    """The engine process ended before it answered (killed, out of memory, a crash of Node)."""

    exit_code = 1


class EngineProcess:
    """A forked process that starts the engine, then builds the tenants it is sent."""

    def __init__(self) -> None:
        context = multiprocessing.get_context("fork")
        self._conn, child = context.Pipe()
        self._process = context.Process(
            target=_serve, args=(child, os.getpid()), name="teams-notify-engine", daemon=True
        )
        self._process.start()
        child.close()

    def build(self, share: Share, progress: Progress | None) -> list[BuiltTenant]:
        """Build `share` in the engine process (what `tenant_synth.serial_builds` does in this
        one); its errors are raised here, as they would have been here."""
        try:
            self._conn.send(share)
        except OSError:  # it has ended already
            raise self._ended() from None
        try:
            while True:
                kind, value = self._receive()
                if kind == "built":
                    return list(value)
                if kind != "tick":
                    raise value
                if progress:
                    progress(value)
        except BaseException as err:
            if not isinstance(err, TeamsNotifyError):  # Ctrl-C, a failing progress bar: stop it
                self._process.kill()  # before the staging folder it writes into is removed
            raise

    def close(self) -> None:
        """Let the engine process end (it ends when its pipe closes); not waited for."""
        with contextlib.suppress(OSError):
            self._conn.send(None)
        self._conn.close()

    def _receive(self) -> tuple[str, Any]:
        try:
            message: tuple[str, Any] = self._conn.recv()
        except (EOFError, OSError):
            raise self._ended() from None
        return message

    def _ended(self) -> EngineProcessError:
        self._process.join(timeout=5)
        return EngineProcessError(
            f"the CDK engine's process ended without an answer (exit code {self._process.exitcode})",
            "synth again; if it happens again, run with TEAMS_NOTIFY_ENGINE_PROCESS=0 to see the error",
        )


ENGINE_PROCESS_ENV = "TEAMS_NOTIFY_ENGINE_PROCESS"
_PR_SET_PDEATHSIG = 1  # linux/prctl.h
_running: EngineProcess | None = None
_forked = False


def start() -> bool:
    """Fork the engine process, once, if this platform and process allow it (see the module
    docstring; TEAMS_NOTIFY_ENGINE_PROCESS=0 turns it off). True when it runs."""
    global _running, _forked
    if not _forked and _may_fork():
        _running = EngineProcess()
        _forked = True
    return _running is not None


def forked() -> bool:
    """Whether this program started an engine process (running or ended)."""
    return _forked


def running() -> EngineProcess | None:
    """The engine process, if this program started one."""
    return _running


def stop() -> None:
    """Let the engine process end (nothing more to build)."""
    global _running
    if _running is not None:
        _running.close()
        _running = None


def _may_fork() -> bool:
    from teams_notify.stacks.engine import engine_started

    return (
        sys.platform == "linux"
        and os.environ.get(ENGINE_PROCESS_ENV, "1").strip() != "0"
        and threading.active_count() == 1
        and not engine_started()  # a fork would share the engine's Node process
    )


def _serve(conn: Connection, parent: int) -> None:
    """The engine process: prepare, then build what is sent until the pipe closes."""
    from teams_notify.stacks.tenant_synth import serial_builds

    _tie_to(parent)
    _prepare(conn)
    while True:
        try:
            share = conn.recv()
        except (EOFError, OSError):
            break
        if share is None:
            break
        try:
            built = serial_builds(share, lambda name: conn.send(("tick", name)))
            answer: tuple[str, Any] = ("built", built)
        except BaseException as err:  # sent to the parent, raised there
            answer = ("error", _portable(err))
        try:
            conn.send(answer)
        except OSError:  # the parent is gone: nobody to answer
            break
    sys.stdout.flush()
    sys.stderr.flush()


def _tie_to(parent: int) -> None:
    """Never outlive the parent, whatever ends it (`kill -9` included: an orphan would go on
    writing into a staging folder that the next synth cleans up); leave Ctrl-C to the parent,
    which stops this process when it is interrupted."""
    import ctypes

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the parent died before the line above
        os._exit(0)


def _prepare(conn: Connection) -> None:
    """Start the engine and import our constructs, alone in this process: with a second busy
    thread beside them (the hook's first-use work) this measured slower (1.09x, 1.19x): the two
    take turns on the interpreter lock, and on 2 cores they compete with Node and the program
    for CPU. Then, if the program has not yet sent what to build, import the post-synth hook.
    (The program writes the Teams artifacts itself: `tenant_synth._local`.) An error here is
    raised again, as one line, by the build."""
    from teams_notify.stacks.engine import load_engine

    load_engine()
    if not conn.poll():
        with contextlib.suppress(Exception):
            importlib.import_module("teams_notify.stacks.postsynth")


def _portable(err: BaseException) -> BaseException:
    """`err`, ready to be raised in the program: an unexpected one (a bug, an engine failure)
    carries this process's traceback as a note (a traceback does not cross the pipe); one that
    does not survive pickling becomes a RuntimeError with that text."""
    import pickle

    if isinstance(err, TeamsNotifyError):  # expected: one line and a fix, no traceback
        return err
    text = "".join(traceback.format_exception(err))
    try:
        err.add_note(f"in the CDK engine's process:\n{text}")
        pickle.loads(pickle.dumps(err))
    except Exception:
        return RuntimeError(f"in the CDK engine's process:\n{text}")
    return err
