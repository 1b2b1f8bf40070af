"""Benchmark the ServiceNow provider against the sandbox with 50 ms injected latency.

1. `terraform apply` then `terraform plan` of 200 servicenow_record resources at Terraform's default
   parallelism (10), median of 3 rounds. Each is printed as a ratio to a floor measured in the
   same rounds (interleaved):
   Terraform's own cost (the same command on 200 `terraform_data` resources, which need no
   provider process and no HTTP) plus the HTTP time (the same number of calls, issued 10 at a
   time by a plain pooled httpx client against the same sandbox).
2. Provider cold start: spawning the installed provider until it prints its go-plugin handshake
   line (median of 5), next to `python -c pass` with the same interpreter.

Run: .venv/bin/python bench/provider_bench.py [--records 200] [--latency-ms 50] [--rounds 3]
Results are recorded in docs/provider.md and the README.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from helpers.terraform import Terraform, install_for_tests, provider_hcl, sandbox_env
from teams_notify.sandbox import FaultRule, Sandbox

PARALLELISM = 10
COLD_START_RUNS = 5
TARGETS = {"plan": 1.3, "apply": 1.2}
COLD_START_TARGET_S = 0.2

RECORDS = """
resource "servicenow_record" "bench" {
  count  = %d
  table  = "sys_certificate"
  fields = { name = "bench-${count.index}", type = "key_store", active = true }
}
"""

TERRAFORM_DATA = """
resource "terraform_data" "bench" {
  count = %d
  input = { name = "bench-${count.index}", type = "key_store", active = true }
}
"""


@dataclass(frozen=True)
class Measured:
    seconds: float
    calls: int


def api_calls(sb: Sandbox) -> int:
    return int(sb.stats()["total"])  # type: ignore[arg-type]


def timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def http_floor_seconds(sb: Sandbox, method: str, calls: int) -> float:
    """The same number of calls, 10 at a time, from a plain pooled client: the HTTP part of the floor."""
    with httpx.Client(base_url=sb.url, auth=("admin", "admin"), timeout=60) as http:
        existing = http.get("/api/now/table/sys_certificate", params={"sysparm_limit": "1"}).json()["result"]
        sys_id = existing[0]["sys_id"] if existing else ""

        def one(i: int) -> None:
            if method == "POST":
                http.post("/api/now/table/jwt_provider", json={"name": f"floor-{i}"}).raise_for_status()
            else:
                http.get(f"/api/now/table/sys_certificate/{sys_id}").raise_for_status()

        with ThreadPoolExecutor(PARALLELISM) as pool:
            return timed(lambda: list(pool.map(one, range(calls))))


def apply_then_plan(tf: Terraform, sb: Sandbox | None) -> tuple[Measured, Measured]:
    """Time `apply` then `plan` (counting the sandbox's HTTP calls when there is one), then destroy."""
    results = []
    for action in (tf.apply, tf.plan):
        before = api_calls(sb) if sb else 0
        seconds = timed(action)
        results.append(Measured(seconds, api_calls(sb) - before if sb else 0))
    tf.destroy()
    return results[0], results[1]


def bench_apply_plan(records: int, latency_ms: int, rounds: int, work: Path, plugin_dir: Path) -> None:
    """`rounds` interleaved rounds of: our provider, terraform_data, the plain-client HTTP floor; the
    medians are compared, so a machine whose load drifts during the run skews all three alike."""
    ours: dict[str, list[Measured]] = {"apply": [], "plan": []}
    own: dict[str, list[float]] = {"apply": [], "plan": []}
    http: dict[str, list[float]] = {"apply": [], "plan": []}
    with Sandbox() as sb:
        tf = Terraform(work / "tf", plugin_dir, env=sandbox_env(sb))
        tf.write(provider_hcl() + RECORDS % records)
        tf.init()
        data = Terraform(work / "tf-data", plugin_dir)
        data.write(TERRAFORM_DATA % records)
        data.init()
        sb.faults.add(FaultRule(latency_ms=latency_ms, count=-1))
        for _ in range(rounds):
            apply, plan = apply_then_plan(tf, sb)
            ours["apply"].append(apply)
            ours["plan"].append(plan)
            own_apply, own_plan = apply_then_plan(data, None)
            own["apply"].append(own_apply.seconds)
            own["plan"].append(own_plan.seconds)
            http["apply"].append(http_floor_seconds(sb, "POST", apply.calls))
            http["plan"].append(http_floor_seconds(sb, "GET", plan.calls))

    print(
        f"{records} records, {latency_ms} ms latency per request, parallelism {PARALLELISM}, "
        f"medians of {rounds} rounds"
    )
    for name in ("apply", "plan"):
        seconds = statistics.median(m.seconds for m in ours[name])
        calls = max(m.calls for m in ours[name])
        own_s, http_s = statistics.median(own[name]), statistics.median(http[name])
        floor = own_s + http_s
        ratio = seconds / floor
        verdict = "ok" if ratio <= TARGETS[name] else "OVER"
        print(
            f"  terraform {name:<5} {seconds:6.2f} s  ({calls} HTTP calls)   floor "
            f"{floor:5.2f} s = terraform_data {own_s:4.2f} s + HTTP {http_s:4.2f} s   "
            f"ratio {ratio:4.2f}x  (target <= {TARGETS[name]}x: {verdict})"
        )


def cold_start(argv: list[str], until_line: bool) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the process) from spawn until the handshake line (or exit).
    The CPU figure is what a loaded machine changes least."""
    started = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    if until_line:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        elapsed = time.perf_counter() - started
        if not line.startswith("1|6|"):
            raise RuntimeError(f"unexpected handshake line {line!r}")
        proc.kill()
    _, _, usage = os.wait4(proc.pid, 0)
    if not until_line:
        elapsed = time.perf_counter() - started
    proc.returncode = 0  # reaped above
    return elapsed, usage.ru_utime + usage.ru_stime


def bench_cold_start(plugin_dir: Path) -> None:
    executable = next(plugin_dir.rglob("terraform-provider-servicenow_v*"))
    cold_start([str(executable)], until_line=True)  # warm the file cache, not measured
    provider = [cold_start([str(executable)], until_line=True) for _ in range(COLD_START_RUNS)]
    python = [cold_start([sys.executable, "-c", "pass"], until_line=False) for _ in range(COLD_START_RUNS)]
    p = statistics.median(wall for wall, _ in provider)
    p_cpu = statistics.median(cpu for _, cpu in provider)
    b = statistics.median(wall for wall, _ in python)
    verdict = "ok" if p <= COLD_START_TARGET_S else "OVER"
    print(
        f"provider cold start (spawn -> handshake) {p * 1000:6.0f} ms, CPU {p_cpu * 1000:4.0f} ms  "
        f"(target <= {COLD_START_TARGET_S * 1000:.0f} ms: {verdict})   python -c pass {b * 1000:5.0f} ms   "
        f"(medians of {COLD_START_RUNS})"
    )


def load_average() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.1f} (1 min), {five:.1f} (5 min) on {os.cpu_count()} CPUs"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--records", type=int, default=200)
    parser.add_argument("--latency-ms", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    os.environ.setdefault("CHECKPOINT_DISABLE", "1")
    with tempfile.TemporaryDirectory(prefix="provider-bench-") as tmp:
        work = Path(tmp)
        print(load_average())
        plugin_dir = install_for_tests(work / "plugins")
        bench_apply_plan(args.records, args.latency_ms, args.rounds, work, plugin_dir)
        bench_cold_start(plugin_dir)
        print(load_average())


if __name__ == "__main__":
    main()
