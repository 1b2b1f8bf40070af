"""Synth time for 1, 10 and 100 tenants, as a ratio to a bare CDKTF app with the same number of
resources per stack (raw resources, no constructs, no config, no hook) measured in the same run;
then, on the largest count, the same full synth in one process (parallel synth off), and a
re-synth after editing one tenant file, as a ratio to the full synth. Every synth is
`python main.py` in a fresh process, as `cdktf synth` runs it; the full synth starts from an
empty output folder (nothing to reuse), with the default process count.

    .venv/bin/python bench/synth_bench.py [--counts 1,10,100]
"""

from __future__ import annotations

import argparse
import json
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
    args = parser.parse_args()
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
            bare = timed([sys.executable, "-c", BARE, json.dumps(counts), str(root / f"bare{n}")])
            print(f"{n:>8} {len(counts):>7} {sum(counts):>10} {ours:>8.2f} {bare:>8.2f} {ours / bare:>6.2f}")
        serial = _ours(tenants, root / "serial", TEAMS_NOTIFY_SYNTH_JOBS="1")
        print(f"full synth of {n} in one process: {serial:.2f} s = {serial / bare:.2f}x bare")
        edited = tenants / "tenant000.toml"
        edited.write_text(edited.read_text().replace("tenant000.onmicrosoft", "tenant000b.onmicrosoft"))
        again = _ours(tenants, out)
        print(f"re-synth after editing 1 of {n} tenant files: {again:.2f} s = {again / ours:.2f}x full synth")
    return 0


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
