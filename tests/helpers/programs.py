"""Running the synth as a program (`python main.py`) and watching its processes from /proc:
the engine-process and jsii-host tests look at which processes a synth starts."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def tree(folder: Path) -> dict[str, bytes]:
    """Every file under `folder` (hidden ones too), by relative path, with its bytes."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def command_line(pid: int) -> list[str]:
    """A process's arguments, from /proc (empty once it has ended)."""
    try:
        raw = (Path("/proc") / str(pid) / "cmdline").read_bytes()
    except OSError:
        return []
    return [arg.decode() for arg in raw.split(b"\0") if arg]


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
    """`python main.py` on `tenants` into `out`, started (not waited for)."""
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
