"""Synth time for 1, 10 and 100 tenants, as a ratio to a bare CDKTF app with the same number of
resources per stack (raw resources, no constructs, no config, no hook) measured in the same run;
then, on the largest count, rounds (medians printed, every run listed) of: the full synth,
the bare app, the same full synth in one process (parallel synth off), the bare app under
`python -O` (for reference: our synth runs so), a re-synth after editing one tenant file,
as a ratio to the full synth (3 re-synths per round, the median over all), and a process that
only starts the engine as a synth does (the floor under a re-synth), as a ratio to the full
synth. Every synth is `python main.py` in a fresh process, as `cdktf synth` runs it; the full
synth starts from an empty output folder (nothing to reuse), with the default process count.

    .venv/bin/python bench/synth_bench.py [--counts 1,10,100] [--rounds 3]
"""

from __future__ import annotations

import argparse
import compileall
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

BARE = """
import json, sys
from pathlib import Path
from teams_notify.stacks.compat import App, RawProvider, RawResource, TerraformStack
counts, outdir = json.loads(sys.argv[1]), sys.argv[2]
app = App(outdir=outdir)
for i, n in enumerate(counts):
    stack = TerraformStack(app, f"s{i}")
    RawProvider(stack, "p", name="servicenow", source="terraform.local/teams-notify/servicenow", attrs={})
    for j in range(n):
        RawResource(stack, f"r{j}", type_="servicenow_record", provider_name="servicenow",
                    attrs={"table": "t", "fields": {"name": str(j)}})
app.synth()
"""
# What any synth that builds a tenant starts with: Python, then the engine as a program starts
# it (Node, jsii under our host, the cdktf and constructs libraries), nothing built; ended
# without waiting for Node, as a program ends.
ENGINE_START = """
import os
from teams_notify.stacks import jsii_host
jsii_host.install()
import teams_notify.stacks.compat
os._exit(0)
"""


def timed(argv: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(argv, check=True, capture_output=True)
    return time.perf_counter() - start


def resource_counts(outdir: Path) -> list[int]:
    counts = []
    for stack in sorted((outdir / "stacks").iterdir()):
        data = json.loads((stack / "cdk.tf.json").read_text())
        counts.append(sum(len(g) for section in ("resource", "data") for g in data.get(section, {}).values()))
    return counts


def main() -> int:
    from helpers.constructs import BundleFactory, write_tenant

    parser = argparse.ArgumentParser()
    parser.add_argument("--counts", default="1,10,100")
    parser.add_argument("--rounds", type=int, default=3, help="rounds on the largest count (medians)")
    args = parser.parse_args()
    _compile_bytecode()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        bundle = BundleFactory(root / "bundles").make("bench-cert")
        print(f"{'tenants':>8} {'stacks':>7} {'resources':>10} {'ours s':>8} {'bare s':>8} {'ratio':>6}")
        for n in (int(c) for c in args.counts.split(",")):
            tenants = root / f"t{n}"
            for i in range(n):
                write_tenant(tenants, f"tenant{i:03d}", [("current", bundle, True)], tenant_id=_guid(i))
            out = root / f"out{n}"
            ours = _ours(tenants, out)
            counts = resource_counts(out)
            bare_argv = [sys.executable, "-c", BARE, json.dumps(counts), str(root / f"bare{n}")]
            bare = timed(bare_argv)
            print(f"{n:>8} {len(counts):>7} {sum(counts):>10} {ours:>8.2f} {bare:>8.2f} {ours / bare:>6.2f}")
        _largest(root, tenants, bare_argv, args.rounds)
    return 0


def _compile_bytecode() -> None:
    """Where PYTHONDONTWRITEBYTECODE is set, Python compiles every source it imports on every
    run and writes nothing: compile our packages once, for plain and `-O` runs, so that no
    measured run (ours or the bare app, which imports `compat`) pays for compiling."""
    for folder in ("constructs", "providers"):
        for level in (0, 1):
            compileall.compile_dir(str(ROOT / folder), quiet=1, optimize=level)


RESYNTHS_PER_ROUND = 3


def _largest(root: Path, tenants: Path, bare_argv: list[str], rounds: int) -> None:
    """Rounds of: full synth (empty output), bare app, one-process full synth, bare app under
    `python -O` (for reference: our synth runs so), then RESYNTHS_PER_ROUND re-synths, each
    after editing one tenant file (the median is over all of them)."""
    runs: dict[str, list[float]] = {
        k: [] for k in ("full", "bare", "serial", "bare -O", "resynth", "engine start")
    }
    edited = tenants / "tenant000.toml"
    original = edited.read_text()
    for i in range(rounds):
        out = root / f"full{i}"
        runs["full"].append(_ours(tenants, out))
        runs["bare"].append(timed(bare_argv))
        runs["serial"].append(_ours(tenants, root / f"serial{i}", TEAMS_NOTIFY_SYNTH_JOBS="1"))
        runs["bare -O"].append(timed([bare_argv[0], "-O", *bare_argv[1:]]))
        for j in range(RESYNTHS_PER_ROUND):  # about a second each: more samples of a noisy figure
            edited.write_text(original.replace("tenant000.onmicrosoft", f"tenant000r{i}{j}.onmicrosoft"))
            runs["resynth"].append(_ours(tenants, out))
        runs["engine start"].append(timed([sys.executable, "-c", ENGINE_START]))
        edited.write_text(original)
    full, bare, serial, bare_o, again, engine = (statistics.median(v) for v in runs.values())
    count = len(list(tenants.glob("*.toml")))
    print(f"medians of {rounds} rounds on {count} tenants (each run listed: {_listed(runs)})")
    print(f"full synth: {full:.2f} s = {full / bare:.2f}x bare ({bare:.2f} s); target <= 1.0x")
    print(f"full synth in one process: {serial:.2f} s = {serial / bare:.2f}x bare")
    print(f"bare app under python -O: {bare_o:.2f} s (full synth = {full / bare_o:.2f}x that)")
    ratio = again / full
    print(f"re-synth after editing 1 tenant file: {again:.2f} s = {ratio:.2f}x full synth; target <= 0.15x")
    print(
        f"starting the engine alone, nothing built: {engine:.2f} s = {engine / full:.2f}x full synth"
        " (what any synth that builds a tenant starts with)"
    )


def _listed(runs: dict[str, list[float]]) -> str:
    return "; ".join(f"{k} " + " ".join(f"{v:.2f}" for v in values) for k, values in runs.items())


def _guid(i: int) -> str:
    return f"0a1b2c3d-{i:04x}-4222-8333-444455556666"


def _ours(tenants: Path, out: Path, **extra: str) -> float:
    import os

    env = os.environ | {"TEAMS_NOTIFY_TENANTS": str(tenants), "CDKTF_OUTDIR": str(out)} | extra
    start = time.perf_counter()
    subprocess.run([sys.executable, str(ROOT / "main.py")], check=True, capture_output=True, env=env)
    return time.perf_counter() - start


if __name__ == "__main__":
    sys.exit(main())
