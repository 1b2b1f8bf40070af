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
import threading
from pathlib import Path

import pytest
from helpers.constructs import BundleFactory, write_tenant
from helpers.programs import ended, engine_process_of, main_py, tree
from teams_notify.cli import main as cli_main
from teams_notify.stacks import engine_process

NAMES = ("alpha", "bravo", "charlie")


@pytest.fixture
def tenants(tmp_path: Path, constructs_bundles: BundleFactory) -> Path:
    bundle = constructs_bundles.make("engine-process")
    for name in NAMES:
        write_tenant(tmp_path / "t", name, [("current", bundle, True)])
    return tmp_path / "t"


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
