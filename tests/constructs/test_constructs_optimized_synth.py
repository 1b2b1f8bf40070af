"""Issue 12: a synth with many tenants to build runs as `python -O` (the engine's bindings then
skip their run-time type checks); one with few to build, or a call from a caller's Python,
runs as started."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from helpers.constructs import BundleFactory, write_tenant
from teams_notify.cli import main as cli_main
from teams_notify.stacks.tenant_synth import TENANTS_PER_JOB

ROOT = Path(__file__).resolve().parents[2]
PROBE = "from teams_notify.stacks.engine import restart_optimized; restart_optimized(); print(__debug__)"


def probe(**env: str) -> str:
    result = subprocess.run(
        [sys.executable, "-c", PROBE], env=os.environ | env, capture_output=True, text=True, check=True
    )
    return result.stdout.strip()


def test_restart_runs_the_program_again_under_O() -> None:
    assert probe() == "False"  # asserts (and the bindings' type checks) are off after the restart
    assert probe(TEAMS_NOTIFY_OPTIMIZE="0") == "True"


def fleet(tmp_path: Path, bundles: BundleFactory, count: int) -> Path:
    bundle = bundles.make("fleet-speed")
    for i in range(count):
        write_tenant(tmp_path / "t", f"fleet{i:02d}", [("current", bundle, True)], tenant_id=_guid(i))
    return tmp_path / "t"


def main_py_flags(tenants: Path, out: Path) -> set[str]:
    """Run `python main.py` as `cdktf synth` does; the interpreter flags its process had, read
    from /proc while it ran (a restart keeps the process id)."""
    env = os.environ | {"TEAMS_NOTIFY_TENANTS": str(tenants), "CDKTF_OUTDIR": str(out)}
    proc = subprocess.Popen([sys.executable, str(ROOT / "main.py")], env=env, stdout=subprocess.DEVNULL)
    seen: set[str] = set()
    cmdline = Path(f"/proc/{proc.pid}/cmdline")
    while proc.poll() is None:
        with contextlib.suppress(OSError):  # the process ended between poll and read
            seen.update(a.decode() for a in cmdline.read_bytes().split(b"\0") if a.startswith(b"-"))
        time.sleep(0.005)
    assert proc.returncode == 0
    return seen


def test_fleet_synth_runs_optimized_and_a_small_resynth_does_not(
    tmp_path: Path, constructs_bundles: BundleFactory
) -> None:
    tenants = fleet(tmp_path, constructs_bundles, TENANTS_PER_JOB)
    out = tmp_path / "out"
    assert "-O" in main_py_flags(tenants, out)  # no index yet: every tenant is built
    edited = tenants / "fleet00.toml"
    edited.write_text(edited.read_text().replace("fleet00.onmicrosoft", "fleet00b.onmicrosoft"))
    assert "-O" not in main_py_flags(tenants, out)  # one tenant to build: not worth a restart
    assert "fleet00b.onmicrosoft" in (out / "stacks" / "fleet00-entra" / "cdk.tf.json").read_text()


def test_a_call_from_python_is_never_restarted(tmp_path: Path, constructs_bundles: BundleFactory) -> None:
    tenants = fleet(tmp_path, constructs_bundles, TENANTS_PER_JOB)
    # Reaching the assertion at all means this process was not replaced.
    assert cli_main(["synth", "--tenants", str(tenants), "--out", str(tmp_path / "out"), "--jobs", "1"]) == 0
    assert __debug__


def _guid(i: int) -> str:
    return f"0a1b2c3d-{i:04x}-4222-8333-444455556666"


def test_the_program_ends_without_waiting_for_node_and_says_everything(
    tmp_path: Path, constructs_bundles: BundleFactory
) -> None:
    """`teams-notify synth` as a program leaves as soon as its work is done (not waiting for the
    engine's Node process to wind down), with its report flushed whole to a pipe."""
    tenants = fleet(tmp_path, constructs_bundles, 2)
    program = Path(sys.executable).parent / "teams-notify"
    argv = [str(program), "synth", "--tenants", str(tenants), "--out", str(tmp_path / "out"), "--json"]
    done = subprocess.run(argv, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["synthesized"] == ["fleet00", "fleet01"]


def test_a_parallel_program_synth_leaves_nothing_behind(
    tmp_path: Path, constructs_bundles: BundleFactory
) -> None:
    """Two processes, and the program ends without waiting for Node: the workers' queue is
    closed first, so nothing is left for Python's resource tracker to warn about."""
    tenants = fleet(tmp_path, constructs_bundles, 2)
    env = os.environ | {
        "TEAMS_NOTIFY_TENANTS": str(tenants),
        "CDKTF_OUTDIR": str(tmp_path / "out"),
        "TEAMS_NOTIFY_SYNTH_JOBS": "2",
    }
    done = subprocess.run([sys.executable, str(ROOT / "main.py")], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "resource_tracker" not in done.stderr and "Traceback" not in done.stderr
    assert "synthesized 4 stacks" in done.stdout


def test_the_warm_process_takes_a_head_start_of_tenants() -> None:
    from teams_notify.stacks.tenant_synth import split

    chunks = split(list(range(100)), 2, 6)
    assert sorted(chunks[0] + chunks[1]) == list(range(100))  # each tenant exactly once
    assert (len(chunks[0]), len(chunks[1])) == (53, 47)
    assert split(list(range(3)), 2, 6) == [[0, 1], [2]]  # never more than its share again


@pytest.mark.parametrize("engine_process", ["1", "0"])
def test_a_program_synth_leaves_nothing_in_the_temporary_folder(
    tmp_path: Path, constructs_bundles: BundleFactory, engine_process: str
) -> None:
    """The program ends without jsii's exit handler, which is what removes jsii's copy of its
    runtime (2.2 MB per engine start): the run's own temporary folder takes it, and goes."""
    tenants = fleet(tmp_path, constructs_bundles, 2)
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    env = os.environ | {
        "TEAMS_NOTIFY_TENANTS": str(tenants),
        "CDKTF_OUTDIR": str(tmp_path / "out"),
        "TEAMS_NOTIFY_ENGINE_PROCESS": engine_process,
        "TMPDIR": str(temporary),
    }
    done = subprocess.run([sys.executable, str(ROOT / "main.py")], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    # os.walk, not rglob: Node may be removing its own work folder meanwhile.
    assert not any("jsii-runtime.js" in files for _, _, files in os.walk(temporary))
    assert not list(temporary.glob("teams-notify-run-*"))
    deadline = time.monotonic() + 10
    while any(temporary.iterdir()) and time.monotonic() < deadline:
        time.sleep(0.05)  # Node removes its own work folder when its input closes, just after
    assert not any(temporary.iterdir())


def test_a_killed_programs_temporary_folder_goes_with_the_next_synth(
    tmp_path: Path, constructs_bundles: BundleFactory
) -> None:
    """`kill -9` leaves a program no chance to remove its run folder: the next program synth
    removes it, and only folders whose process is gone."""
    tenants = fleet(tmp_path, constructs_bundles, 2)
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    env = os.environ | {"TEAMS_NOTIFY_TENANTS": str(tenants), "CDKTF_OUTDIR": str(tmp_path / "out")}
    env |= {"TMPDIR": str(temporary)}
    killed = subprocess.Popen([sys.executable, str(ROOT / "main.py")], env=env, stdout=subprocess.DEVNULL)
    while not list(temporary.glob("teams-notify-run-*")) and killed.poll() is None:
        time.sleep(0.005)
    killed.kill()
    killed.wait()
    left = list(temporary.glob("teams-notify-run-*"))
    assert len(left) == 1
    someone_elses = temporary / f"teams-notify-run-{os.getpid()}-kept"  # a live process's
    someone_elses.mkdir()
    done = subprocess.run([sys.executable, str(ROOT / "main.py")], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert not left[0].exists() and someone_elses.exists()
