"""`make demo` wall time, warm, as a ratio to the bare `terraform apply` of the same stack.

The floor is the one step of the demo nothing can skip: `terraform apply` of the example's
ServiceNow stack (already synthesized and initialised) to a fresh local ServiceNow. Everything
else `make demo` does (start both sandboxes, synthesize, init, load the Entra stack, run the
doctor with msal, stop) is what the ratio charges us for. Medians of `--runs` runs each, after
one warm-up run of `make demo` (it creates the PoC bundle and fills caches).

    .venv/bin/python bench/demo_bench.py [--runs 3]
"""

from __future__ import annotations

import argparse
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

STEP_LINE = re.compile(r"^\[(\d)/\d\] (.*) \.\.\.$")
DONE_LINE = re.compile(r"^\s+done in ([0-9.]+) s$")


def make_demo() -> tuple[float, dict[str, float]]:
    """(wall seconds, {step: seconds}) of one `make demo`."""
    start = time.perf_counter()
    proc = subprocess.run(["make", "-s", "demo"], cwd=ROOT, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"make demo failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    steps: dict[str, float] = {}
    current = ""
    for line in proc.stdout.splitlines():
        if match := STEP_LINE.match(line):
            current = match.group(2)
        elif (match := DONE_LINE.match(line)) and current:
            steps[current] = float(match.group(1))
    return wall, steps


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def bare_applies(runs: int) -> list[float]:
    """`terraform apply` of the example's ServiceNow stack (names discovered, synthesized and
    initialised beforehand, untimed), each to a fresh local ServiceNow on the same port."""
    from teams_notify.config import load_tenant, load_tenants
    from teams_notify.sandbox import Sandbox
    from teams_notify.stacks.app import synth

    import demo

    times = []
    with tempfile.TemporaryDirectory(prefix="demo-bench-") as folder:
        work = Path(folder)
        port = free_port()
        tenant_file = demo.local_tenant_file(work / "tenants", f"http://127.0.0.1:{port}")
        stack = work / "out" / "stacks" / load_tenant(tenant_file).servicenow_stack
        for run in range(runs + 1):
            with Sandbox(db_path=work / f"sn-{run}.sqlite", port=port) as servicenow:
                env = demo.terraform_env(work, servicenow) | demo.store_password_env(load_tenant(tenant_file))
                if run == 0:
                    demo.export_for_synth(env)
                    demo.discover_names(tenant_file)
                    synth(load_tenants(tenant_file.parent), work / "out")
                    demo.terraform(["init", "-input=false", "-no-color"], stack, env)
                for state in (work / ".teams-notify" / "state").glob(f"{stack.name}.tfstate*"):
                    state.unlink()  # local state lives outside the synth output
                start = time.perf_counter()
                subprocess.run(
                    ["terraform", "apply", "-auto-approve", "-input=false", "-no-color"],
                    cwd=stack,
                    env=env,
                    check=True,
                    capture_output=True,
                )
                if run > 0:  # the first apply warms the provider's bytecode cache, like the warm-up demo
                    times.append(time.perf_counter() - start)
    return times


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    print("warm-up: make demo ...", flush=True)
    make_demo()
    walls, per_step = [], []
    for run in range(args.runs):
        wall, steps = make_demo()
        walls.append(wall)
        per_step.append(steps)
        print(f"make demo run {run + 1}: {wall:.2f} s", flush=True)
    floors = bare_applies(args.runs)
    demo_median, floor_median = statistics.median(walls), statistics.median(floors)
    print()
    print(f"{'what':<60} {'median s':>9}")
    for name in per_step[0]:
        print(f"  {name:<58} {statistics.median(s.get(name, 0.0) for s in per_step):>9.2f}")
    print(f"{'make demo (wall, warm)':<60} {demo_median:>9.2f}")
    print(f"{'floor: bare terraform apply of the same stack':<60} {floor_median:>9.2f}")
    print(f"{'ratio':<60} {demo_median / floor_median:>8.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
