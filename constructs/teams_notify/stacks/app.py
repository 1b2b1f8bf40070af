"""Build the CDK app for a list of tenants: two independent stacks each, then synth and the hook."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from teams_notify.config import CertificateConfig, TenantConfig
from teams_notify.stacks.certificates import CheckedCertificate, check_certificates
from teams_notify.stacks.compat import App, Aspects
from teams_notify.stacks.postsynth import StackSummary
from teams_notify.stacks.stack import EntraStack, ServiceNowStack, TeamsNotifyStack

POC_DAYS = 90


@dataclass
class SynthResult:
    """What one synth produced: the output folder, the stacks, and the per-stack summaries."""

    outdir: Path
    stacks: list[TeamsNotifyStack]
    summaries: list[StackSummary]


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
) -> tuple[Any, list[TeamsNotifyStack]]:
    """The CDK app with `<tenant>-entra` and `<tenant>-servicenow` for every tenant (`checked`:
    each tenant's certificates by tenant name, from `check_certificates`; checked now if None)."""
    from teams_notify.stacks.aspects import PolicyChecks, add_policy_checks, default_rules

    if checked is None:
        checked = check_all(tenants, datetime.now(UTC))
    app = App(outdir=str(outdir))
    stacks: list[TeamsNotifyStack] = []
    for tenant in tenants:
        stacks.append(EntraStack(app, tenant, certificates=checked[tenant.name]))
        stacks.append(ServiceNowStack(app, tenant, stack_dir=outdir / "stacks" / tenant.servicenow_stack))
    checks = PolicyChecks(default_rules())
    # CDKTF runs aspects per stack, not from the app down.
    for stack in stacks:
        if aspects is None:
            add_policy_checks(stack, checks)
        for aspect in aspects or []:
            Aspects.of(stack).add(aspect)
    return app, stacks


def synth(
    tenants: list[TenantConfig], outdir: Path, aspects: list[Any] | None = None, now: datetime | None = None
) -> SynthResult:
    """Check every tenant's certificates, synthesize every stack into `outdir`, then run the
    post-synth hook on each (`now`: for expiry)."""
    from teams_notify.stacks.aspects import raise_on_errors
    from teams_notify.stacks.postsynth import run_hook

    moment = now or datetime.now(UTC)
    for tenant in tenants:
        ensure_poc_bundles(tenant)
    checked = check_all(tenants, moment)
    app, stacks = build_app(tenants, outdir.resolve(), aspects, checked=checked)
    try:
        app.synth()
    except RuntimeError:
        raise_on_errors(stacks)  # a policy rule failed: say which, in one line
        raise
    return SynthResult(outdir, stacks, run_hook(stacks, outdir.resolve(), checked))
