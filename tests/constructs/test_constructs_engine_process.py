"""Issue 12: a program's synth builds in an engine process of its own (forked at the start, so
the engine starts while the tenants are read and checked on the other core).

It writes exactly what a synth in one process writes; its errors come out as the same one line;
if it dies, the program says so in one line and the previous output stays; a caller's Python is
never forked.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from helpers.constructs import BundleFactory, write_tenant
from teams_notify.cli import main as cli_main
from teams_notify.stacks import engine_process

ROOT = Path(__file__).resolve().parents[2]
NAMES = ("alpha", "bravo", "charlie")


def tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


@pytest.fixture
def tenants(tmp_path: Path, constructs_bundles: BundleFactory) -> Path:
    bundle = constructs_bundles.make("engine-process")
    for name in NAMES:
        write_tenant(tmp_path / "t", name, [("current", bundle, True)])
    return tmp_path / "t"


def children(pid: int) -> list[tuple[int, str]]:
    """(pid, program file name) of the processes whose parent is `pid`, from /proc (the program
    from the command line: Node renames its process "MainThread")."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            stat = (entry / "stat").read_text()
            argv0 = (entry / "cmdline").read_bytes().split(b"\0")[0].decode()
        except (OSError, ValueError):
            continue  # not a process, or it ended meanwhile
        if int(stat[stat.rindex(")") + 2 :].split()[1]) == pid:
            found.append((int(entry.name), Path(argv0).name))
    return found


def main_py(tenants: Path, out: Path, **env: str) -> subprocess.Popen[str]:
    environ = os.environ | {"TEAMS_NOTIFY_TENANTS": str(tenants), "CDKTF_OUTDIR": str(out)} | env
    return subprocess.Popen(
        [sys.executable, str(ROOT / "main.py")],
        env=environ,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def ended(run: subprocess.Popen[str]) -> int:
    """The program's exit code, its output read to the end (a full pipe would stall it)."""
    _, err = run.communicate()
    assert "Traceback" not in err, err
    return run.returncode


def engine_process_of(run: subprocess.Popen[str]) -> int | None:
    """Wait for the program's engine process (a Python child with the engine's Node under it;
    without one, Node is the program's own child); its pid, or None if the program ended
    without one."""
    while run.poll() is None:
        for pid, name in children(run.pid):
            if name.startswith("python") and any(sub == "node" for _, sub in children(pid)):
                return pid
    return None


def test_the_program_builds_in_an_engine_process_and_writes_what_one_process_writes(
    tenants: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    run = main_py(tenants, out)
    assert engine_process_of(run) is not None  # the engine's Node runs under a child, not here
    assert ended(run) == 0
    edited = tenants / "bravo.toml"
    edited.write_text(edited.read_text().replace("bravo.onmicrosoft", "bravo2.onmicrosoft"))
    assert ended(main_py(tenants, out)) == 0  # a re-synth: bravo built in the engine process
    forked = tree(out)
    shutil.rmtree(out)
    one_process = main_py(tenants, out, TEAMS_NOTIFY_ENGINE_PROCESS="0")
    assert engine_process_of(one_process) is None
    assert ended(one_process) == 0
    assert tree(out) == forked


def test_an_error_in_the_engine_process_is_the_same_one_line(tenants: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert ended(main_py(tenants, out)) == 0
    before = tree(out)
    (tenants / "alpha.toml").write_text((tenants / "alpha.toml").read_text() + "\n")  # alpha to build
    errors = []
    for switch in ("1", "0"):
        run = main_py(tenants, out, TEAMS_NOTIFY_CDK="cdkx", TEAMS_NOTIFY_ENGINE_PROCESS=switch)
        _, err = run.communicate()
        assert run.returncode == 2
        errors.append(err)
    assert errors[0] == errors[1]  # the engine's import fails in the engine process, said here
    assert "error: TEAMS_NOTIFY_CDK='cdkx' is not an engine we know" in errors[0]
    assert "Traceback" not in errors[0]
    assert tree(out) == before


def test_a_killed_engine_process_is_one_line_and_the_output_stays(tenants: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert ended(main_py(tenants, out)) == 0
    before = tree(out)
    for name in NAMES:  # every tenant to build: the engine process is busy for a while
        (tenants / f"{name}.toml").write_text((tenants / f"{name}.toml").read_text() + "\n")
    run = main_py(tenants, out)
    engine = engine_process_of(run)
    assert engine is not None
    os.kill(engine, signal.SIGKILL)
    _, err = run.communicate()
    assert run.returncode == 1, err
    assert "error: the CDK engine's process ended without an answer (exit code -9)" in err
    assert "Traceback" not in err
    assert tree(out) == before


def test_a_call_from_python_is_never_forked(tenants: Path, tmp_path: Path) -> None:
    assert cli_main(["synth", "--tenants", str(tenants), "--out", str(tmp_path / "out")]) == 0
    assert not engine_process.forked()


def test_no_fork_while_another_thread_runs() -> None:
    release = threading.Event()
    other = threading.Thread(target=release.wait)
    other.start()
    try:
        assert not engine_process.start()  # a fork would copy that thread half-way
    finally:
        engine_process.stop()
        release.set()
        other.join()
    assert not engine_process.forked()
