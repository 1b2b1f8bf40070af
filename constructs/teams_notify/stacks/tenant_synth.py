"""Synthesize tenants, in this process or across several.

A tenant's two stacks share nothing with other tenants' stacks (no cross-stack references),
so what a stack synthesizes does not depend on which other tenants are in the same app: that
is what lets the incremental synth reuse a tenant and the parallel synth split the tenants
over processes and still write exactly what a serial full synth writes (the tests compare the
bytes). Tenants are synthesized in apps of up to APP_BATCH tenants: one app per tenant costs a
synth call per tenant, one app for hundreds grows a large construct tree.

Each process synthesizes into its own work folder inside the staging folder (the engine
writes a manifest.json there per app) and moves every finished stack folder into the staging
folder's `stacks/`. Parallel workers are spawned, not forked: each starts its own jsii
runtime (a Node process), which a fork would share. This process's share is built by the
program's engine process when it started one (`engine_process`: forked before any engine ran).
"""

from __future__ import annotations

import json
import multiprocessing
import os
import queue as queue_module
import shutil
import tempfile
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from teams_notify.errors import BadInputError
from teams_notify.stacks.synth_cache import MANIFEST_FILE, STACKS_DIR

if TYPE_CHECKING:  # the synth command reads TENANTS_PER_JOB before the config is imported
    from teams_notify.config import TenantConfig
    from teams_notify.stacks.certificates import CheckedCertificate
    from teams_notify.stacks.postsynth import StackSummary

JOBS_ENV = "TEAMS_NOTIFY_SYNTH_JOBS"
# Starting a worker (Python, the engine's jsii runtime) costs about as much as synthesizing
# this many tenants; fewer per worker and the start-up eats the gain.
TENANTS_PER_JOB = 12
APP_BATCH = 25
# A spawned worker starts building about 0.5 s after this process's builder (this process or
# its engine process, both started early), about this many tenants' worth: the builder takes
# them (0.91x in an A/B).
HEAD_START = 6

Progress = Callable[[str], None]


@dataclass(frozen=True)
class BuiltTenant:
    """One tenant synthesized: its stacks' manifest entries, the engine's manifest version and
    the post-synth summaries (Entra first)."""

    name: str
    manifest: dict[str, Any]
    version: str
    summaries: list[StackSummary]


@dataclass(frozen=True)
class Share:
    """The tenants one process builds: into `staging` (final place: `target`), with each
    tenant's checked certificates by tenant name (sent as is to a worker or the engine
    process)."""

    tenants: list[TenantConfig]
    staging: Path
    target: Path
    checked: dict[str, list[CheckedCertificate]]
    teams: bool = True  # False: the Teams artifacts are written by the program (`_local`)

    @classmethod
    def of(
        cls,
        tenants: list[TenantConfig],
        staging: Path,
        target: Path,
        checked: dict[str, list[CheckedCertificate]],
    ) -> Share:
        """The share of `tenants`, with only their own certificates."""
        return cls(tenants, staging, target, {t.name: checked[t.name] for t in tenants})


def build_tenants(
    tenants: list[TenantConfig],
    staging: Path,
    target: Path,
    checked: dict[str, list[CheckedCertificate]],
    jobs: int | None = None,
    progress: Progress | None = None,
) -> dict[str, BuiltTenant]:
    """Synthesize `tenants` into `staging` (final place: `target`), serially or in parallel."""
    count = choose_jobs(len(tenants), jobs)
    if count <= 1:
        return {b.name: b for b in _local(Share.of(tenants, staging, target, checked), progress)}
    chunks = [Share.of(chunk, staging, target, checked) for chunk in split(tenants, count, HEAD_START)]
    context = multiprocessing.get_context("spawn")
    ticks: Any = context.Queue()
    built: dict[str, BuiltTenant] = {}
    pool = ProcessPoolExecutor(
        max_workers=count - 1, mp_context=context, initializer=_init_worker, initargs=(ticks,)
    )
    try:
        futures = [pool.submit(_work, chunk) for chunk in chunks[1:]]

        def tick(name: str) -> None:
            _drain(ticks, progress)
            if progress:
                progress(name)

        built.update((b.name, b) for b in _local(chunks[0], tick))
        for future in futures:
            _wait(future, ticks, progress)
            built.update((b.name, b) for b in future.result())
        _drain(ticks, progress)
    finally:
        # On a failure, no worker may write into staging after this.
        pool.shutdown(wait=True, cancel_futures=True)
        ticks.close()  # its semaphore and feeder thread, released here, not at interpreter exit
        ticks.join_thread()
    return built


def split(tenants: list[Any], count: int, head_start: int) -> list[list[Any]]:
    """`count` chunks, the first (this process's share: its engine is already warm) larger by
    up to `head_start` tenants: a spawned worker starts building later by about that many."""
    extra = min(head_start, len(tenants) // count)
    rest = tenants[extra:]
    chunks = [rest[i::count] for i in range(count)]
    chunks[0] = tenants[:extra] + chunks[0]
    return chunks


def choose_jobs(tenants: int, jobs: int | None) -> int:
    """Processes to use: `jobs`, else TEAMS_NOTIFY_SYNTH_JOBS, else one per TENANTS_PER_JOB
    tenants, at most one per core this process may run on. (The load average is not asked: it
    trails the machine by a minute, so a synth right after another one went serial.)"""
    wanted = jobs if jobs is not None else _jobs_from_env()
    if wanted is not None:
        return max(1, min(wanted, tenants))
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return max(1, min(cores, tenants // TENANTS_PER_JOB))


def _jobs_from_env() -> int | None:
    text = os.environ.get(JOBS_ENV, "").strip()
    if not text:
        return None
    if not text.isdigit() or not 1 <= int(text) <= 256:
        raise BadInputError(f"{JOBS_ENV}={text!r} is not a number of processes", "use 1 to 256, or unset it")
    return int(text)


def _local(share: Share, progress: Progress | None) -> list[BuiltTenant]:
    """This process's share: built by the engine process when the program started one
    (`engine_process`), else here. Beside an engine process this one writes the share's Teams
    artifacts (they need only the tenant and its certificate's x5t), so the build waits
    neither for them nor for their first use (jinja2, the manifest's schema, Pillow)."""
    from teams_notify.stacks import engine_process

    engine = engine_process.running()
    if engine is None:
        return serial_builds(share, progress)
    with ThreadPoolExecutor(1, thread_name_prefix="teams-artifacts") as writer:
        written = writer.submit(_write_teams, share)
        built = engine.build(replace(share, teams=False), progress)
        written.result()
    _place_teams(share)
    return built


def _teams_folder(share: Share, tenant: TenantConfig) -> Path:
    """Where the program writes a tenant's Teams artifacts until its stack folder is built."""
    return share.staging / f".teams-{tenant.name}"


def _write_teams(share: Share) -> None:
    from teams_notify.stacks.certificates import active_certificate
    from teams_notify.teams.hook import ARTIFACTS_DIR, write_tenant_artifacts

    for tenant in share.tenants:
        x5t = active_certificate(share.checked[tenant.name]).thumbprints.x5t
        write_tenant_artifacts(tenant, x5t, _teams_folder(share, tenant) / ARTIFACTS_DIR)


def _place_teams(share: Share) -> None:
    """Each tenant's Teams artifacts into its built Entra stack folder, where the hook puts them."""
    from teams_notify.teams.hook import ARTIFACTS_DIR

    for tenant in share.tenants:
        folder = _teams_folder(share, tenant)
        os.rename(folder / ARTIFACTS_DIR, share.staging / STACKS_DIR / tenant.entra_stack / ARTIFACTS_DIR)
        folder.rmdir()


def serial_builds(share: Share, progress: Progress | None) -> list[BuiltTenant]:
    """`share` built one app batch after another, in this process."""
    results: list[BuiltTenant] = []
    for start in range(0, len(share.tenants), APP_BATCH):
        batch = share.tenants[start : start + APP_BATCH]
        work = Path(tempfile.mkdtemp(dir=share.staging, prefix=".work-"))
        try:
            mine = {t.name: share.checked[t.name] for t in batch}
            results += synth_batch(
                batch, mine, work, share.staging, share.target, progress, teams=share.teams
            )
        finally:
            shutil.rmtree(work, ignore_errors=True)
    return results


def synth_batch(
    tenants: list[TenantConfig],
    checked: dict[str, list[CheckedCertificate]],
    work: Path,
    staging: Path,
    target: Path,
    progress: Progress | None = None,
    *,
    teams: bool = True,
) -> list[BuiltTenant]:
    """One app for `tenants`: build, synthesize into `work`, run the post-synth hook (policy
    rules, x5t, summaries, Teams artifacts unless `teams` is False), then move the stack
    folders into `staging/stacks/`."""
    from teams_notify.stacks.app import build_app
    from teams_notify.stacks.postsynth import run_hook

    app, stacks = build_app(tenants, work, checked=checked, final_outdir=target)
    app.synth()
    (staging / STACKS_DIR).mkdir(exist_ok=True)
    pairs = list(zip(stacks[0::2], stacks[1::2], strict=True))
    hooked = []
    for tenant, pair in zip(tenants, pairs, strict=True):
        hooked.append(run_hook(list(pair), work, checked, teams=teams))
        for stack in pair:
            os.rename(work / STACKS_DIR / stack.stack_name, staging / STACKS_DIR / stack.stack_name)
        if progress:
            progress(tenant.name)
    # Read after the hooks: they add the provider warnings to the manifest's annotations.
    manifest = json.loads((work / MANIFEST_FILE).read_text(encoding="utf-8"))
    return [
        BuiltTenant(
            tenant.name,
            {s.stack_name: manifest["stacks"][s.stack_name] for s in pair},
            manifest["version"],
            summaries,
        )
        for tenant, pair, summaries in zip(tenants, pairs, hooked, strict=True)
    ]


_ticks: Any = None


def _init_worker(ticks: Any) -> None:
    global _ticks
    _ticks = ticks


def _work(share: Share) -> list[BuiltTenant]:
    """A worker process's share: its tenants, serially, a tick per tenant to the parent."""
    return serial_builds(share, _ticks.put if _ticks else None)


def _wait(future: Future[list[BuiltTenant]], ticks: Any, progress: Progress | None) -> None:
    while not future.done():
        try:
            name = ticks.get(timeout=0.1)
        except queue_module.Empty:
            continue
        if progress:
            progress(name)


def _drain(ticks: Any, progress: Progress | None) -> None:
    while True:
        try:
            name = ticks.get_nowait()
        except queue_module.Empty:
            return
        if progress:
            progress(name)
