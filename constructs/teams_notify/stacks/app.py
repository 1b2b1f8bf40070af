"""Synthesize every tenant: checks first, then each tenant's two stacks (reused from the
previous output when nothing they depend on changed), into a staging folder that replaces the
output only when everything passed (`staging`, `synth_cache`, `tenant_synth`)."""

from __future__ import annotations

import json
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from teams_notify.config import CertificateConfig, TenantConfig, check_one_tenant_per_instance
from teams_notify.stacks import engine_process
from teams_notify.stacks.backend import ensure_local_state_dir, uses_local_state
from teams_notify.stacks.certificates import CheckedCertificate, check_certificates
from teams_notify.stacks.engine import finish_warm_up, warm_up, warming_up
from teams_notify.stacks.postsynth import SUMMARY_FILE, StackSummary
from teams_notify.stacks.staging import Staging, carry_stack, folders_of, output_error, synth_lock
from teams_notify.stacks.synth_cache import (
    STACKS_DIR,
    Index,
    TenantOutput,
    copy_files,
    files_of,
    load_index,
    probably_changed,
    provider_fingerprints,
    still_intact,
    tenant_key,
    write_index,
    write_manifest,
)

if TYPE_CHECKING:
    from teams_notify.stacks.stack import TeamsNotifyStack

POC_DAYS = 90


@dataclass
class SynthResult:
    """What one synth produced: the output folder, every stack's summary (tenant order, Entra
    first), and which tenants were synthesized and which reused from the previous output."""

    outdir: Path
    summaries: list[StackSummary]
    built: list[str]
    reused: list[str]

    @property
    def stack_names(self) -> list[str]:
        return [s.stack for s in self.summaries]


def poc_password_file(cert: CertificateConfig) -> Path:
    """Where a generated PoC bundle's store password lives (mode 0600, next to the bundle)."""
    return cert.dir / f"{cert.name}.password"


def ensure_poc_bundles(tenant: TenantConfig) -> list[Path]:
    """Generate a throwaway self-signed bundle for every `poc = true` certificate that is missing."""
    from teams_notify.certs import new_self_signed
    from teams_notify.certs.secrets import generate_password, password_file

    created = []
    for cert in tenant.certificates:
        if not cert.poc or (cert.crt.is_file() and cert.jks.is_file()):
            continue
        cert.dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        password = generate_password()
        # The password file is written with the bundle, all or nothing: never one without the other.
        new_self_signed(
            cert.name,
            cert.dir,
            cn=f"{tenant.name} teams-notify PoC",
            days=POC_DAYS,
            alias=cert.jks_alias,
            store_password=password,
            overwrite=True,
            extra_files=(password_file(poc_password_file(cert), password, replace=True),),
        )
        created.append(cert.dir)
    return created


def check_all(tenants: list[TenantConfig], now: datetime) -> dict[str, list[CheckedCertificate]]:
    """Every tenant's certificates, checked, by tenant name."""
    return {tenant.name: check_certificates(tenant, now) for tenant in tenants}


def build_app(
    tenants: list[TenantConfig],
    outdir: Path,
    aspects: list[Any] | None = None,
    *,
    checked: dict[str, list[CheckedCertificate]] | None = None,
    final_outdir: Path | None = None,
) -> tuple[Any, list[TeamsNotifyStack]]:
    """The CDK app with `<tenant>-entra` and `<tenant>-servicenow` for every tenant (`checked`:
    each tenant's certificates by tenant name, from `check_certificates`; checked now if None;
    `final_outdir`: where the output will be read from, if not `outdir`)."""
    from teams_notify.stacks.compat import App, Aspects
    from teams_notify.stacks.stack import EntraStack, ServiceNowStack

    if checked is None:
        checked = check_all(tenants, datetime.now(UTC))
    final = final_outdir or outdir
    app = App(outdir=str(outdir))
    stacks: list[TeamsNotifyStack] = []
    for tenant in tenants:
        stacks.append(EntraStack(app, tenant, certificates=checked[tenant.name]))
        stacks.append(ServiceNowStack(app, tenant, stack_dir=final / STACKS_DIR / tenant.servicenow_stack))
    # CDKTF runs aspects per stack, not from the app down. (Our policy rules are not aspects:
    # they run on the synthesized JSON in the post-synth step.)
    for stack in stacks:
        for aspect in aspects or []:
            Aspects.of(stack).add(aspect)
    return app, stacks


def synth(
    tenants: list[TenantConfig],
    outdir: Path,
    now: datetime | None = None,
    *,
    full: bool = False,
    jobs: int | None = None,
    progress: Callable[[str], None] | None = None,
    notify: Callable[[str], None] | None = None,
) -> SynthResult:
    """Check every tenant (one instance each, certificates for `now`), then synthesize into a
    staging folder that replaces `outdir` only when every stack passed the post-synth hook.

    `full`: synthesize every tenant even when the previous output has it unchanged; `jobs`:
    processes (default: by tenant count and cores); `progress(tenant)` after each tenant;
    `notify(message)` when waiting for another synth into the same folder."""
    moment = now or datetime.now(UTC)
    check_one_tenant_per_instance(tenants)
    target = outdir.resolve()
    # Start the engine now if something will likely be built: the checks below overlap with it.
    # (The synth command has started it already when a tenant file changed: no second guess.)
    if _engine_not_started() and (full or probably_changed(target, tenants)):
        warm_up()
    try:
        for tenant in tenants:
            ensure_poc_bundles(tenant)
        checked = check_all(tenants, moment)  # every time: expiry depends on the date
        try:
            return _synth_checked(tenants, checked, target, outdir, full, jobs, progress, notify)
        except OSError as err:  # the previous output is untouched: staging is only ever swapped in
            raise output_error(target, err) from None
    finally:
        finish_warm_up()  # never leave an engine half started behind


def _synth_checked(
    tenants: list[TenantConfig],
    checked: dict[str, list[CheckedCertificate]],
    target: Path,
    outdir: Path,
    full: bool,
    jobs: int | None,
    progress: Callable[[str], None] | None,
    notify: Callable[[str], None] | None,
) -> SynthResult:
    from teams_notify.stacks.tenant_synth import build_tenants

    with synth_lock(target, notify), Staging(target) as staging:
        index = load_index(target)
        previous = None if full else index
        installed = provider_fingerprints(tenants)
        keys = {t.name: tenant_key(t, checked[t.name], target, installed) for t in tenants}
        reused: dict[str, TenantOutput] = {}
        for tenant in tenants:
            old = previous.tenants.get(tenant.name) if previous else None
            if old and old.key == keys[tenant.name] and still_intact(target, old):
                reused[tenant.name] = old
        todo = [t for t in tenants if t.name not in reused]
        if todo and _engine_not_started():
            warm_up()
        reused_stacks = [s for t in tenants if t.name in reused for s in t.stack_names]
        staging.reuse_folders(folders_of(target, reused_stacks))
        # What the previous synth wrote (also with --full): never carried over as a working file.
        generated = frozenset(f for o in (index.tenants.values() if index else ()) for f in o.files)
        # Linking the reused tenants' files is file system calls (no GIL held): done beside the
        # build, which mostly waits for the engine.
        with ThreadPoolExecutor(1, thread_name_prefix="link-reused") as linker:
            linked = linker.submit(
                _link_reused,
                target,
                staging.path,
                [(t, reused[t.name]) for t in tenants if t.name in reused],
                generated,
            )
            built = build_tenants(todo, staging.path, target, checked, jobs, progress)
            reused_summaries = linked.result()
        for name in reused:
            if progress:
                progress(name)
        outputs = {
            t.name: reused.get(t.name)
            or TenantOutput(
                keys[t.name],
                built[t.name].manifest,
                files_of(staging.path, t.stack_names),
            )
            for t in tenants
        }
        version = next(iter(built.values())).version if built else (previous.version if previous else "")
        write_manifest(staging.path, version, {k: v for o in outputs.values() for k, v in o.manifest.items()})
        write_index(staging.path, Index(version, outputs))
        summaries = [
            s
            for t in tenants
            for s in (built[t.name].summaries if t.name in built else reused_summaries[t.name])
        ]
        staging.commit(generated, frozenset(reused_stacks))
    if any(uses_local_state(t) for t in tenants):
        ensure_local_state_dir(target)
    return SynthResult(outdir, summaries, [t.name for t in todo], list(reused))


def _engine_not_started() -> bool:
    """Neither a warm-up here nor the program's engine process (which builds then) started."""
    return not warming_up() and engine_process.running() is None


def _link_reused(
    target: Path, staging: Path, reused: list[tuple[TenantConfig, TenantOutput]], generated: frozenset[str]
) -> dict[str, list[StackSummary]]:
    """The reused tenants' files linked into the staging folder, Terraform's working files
    carried over into their stack folders, and their summaries read back, by tenant name."""
    summaries = {}
    for tenant, output in reused:
        copy_files(target, staging, output)
        for stack in tenant.stack_names:
            carry_stack(target, staging, stack, generated)
        summaries[tenant.name] = _summaries(staging, tenant)
    return summaries


def _summaries(staging: Path, tenant: TenantConfig) -> list[StackSummary]:
    """A reused tenant's summaries, read back from its teams-notify.json files."""
    result = []
    for name in tenant.stack_names:
        data = json.loads((staging / STACKS_DIR / name / SUMMARY_FILE).read_text(encoding="utf-8"))
        result.append(StackSummary(**data))
    return result
