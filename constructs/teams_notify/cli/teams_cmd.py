"""`teams-notify teams package|policy|runbook`: the Microsoft Teams side artifacts for one tenant.

The ids come from the tenant file and the Entra stack's outputs: `--outputs FILE` (saved
with `terraform output -json`), else `terraform output -json` in the synthesized Entra stack
folder. The library is imported inside the commands so `teams-notify --help` stays fast.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from teams_notify.errors import BadInputError

if TYPE_CHECKING:
    from teams_notify.config import TenantConfig
    from teams_notify.teams import TeamsValues


@click.group(name="teams")
def group() -> None:
    """Microsoft Teams side: app package, access-policy script, runbook."""


def _path_option(flag: str, dest: str, default: Path | None, help_text: str) -> Any:
    return click.option(
        flag,
        dest,
        type=click.Path(path_type=Path),
        default=default,
        show_default=default is not None,
        help=help_text,
    )


def _options(func: Any) -> Any:
    options = [
        click.option(
            "--tenant", "tenant_name", required=True, help="Tenant name (tenants/NAME.toml) or a .toml path."
        ),
        _path_option("--tenants-dir", "tenants_dir", Path("tenants"), "Folder of tenant files."),
        _path_option(
            "--outputs",
            "outputs_file",
            None,
            "The Entra stack's outputs as saved by `terraform output -json` "
            "(default: run that in the synthesized stack folder).",
        ),
        _path_option(
            "--cdktf-out",
            "cdktf_out",
            Path("cdktf.out"),
            "Synth output folder holding stacks/<tenant>-entra.",
        ),
        _path_option(
            "--out", "out_dir", None, "Where to write (default: <cdktf-out>/stacks/<tenant>-entra/artifacts)."
        ),
        click.option("--json", "as_json", is_flag=True, help="Print JSON for machines."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _load_tenant(name: str, tenants_dir: Path) -> TenantConfig:
    from teams_notify.config import load_tenant

    path = Path(name) if name.endswith(".toml") else tenants_dir / f"{name}.toml"
    return load_tenant(path)


def _certificate_x5t(tenant: TenantConfig) -> str | None:
    """x5t of the active certificate for the runbook, when its file exists (optional)."""
    from teams_notify.certs import Thumbprints, load_certificate

    crt = tenant.active_certificate.crt
    return Thumbprints.of(load_certificate(crt)).x5t if crt.is_file() else None


def _values(
    tenant_name: str, tenants_dir: Path, outputs_file: Path | None, cdktf_out: Path
) -> tuple[TeamsValues, str | None]:
    """The tenant's TeamsValues and, when outputs could not be read, why not."""
    from teams_notify.teams import values_from_tenant
    from teams_notify.teams.outputs import read_outputs_file, workspace_outputs

    tenant = _load_tenant(tenant_name, tenants_dir)
    outputs: dict[str, str] | None = None
    why_not: str | None = None
    if outputs_file is not None:
        outputs = read_outputs_file(outputs_file)
    else:
        try:
            outputs = workspace_outputs(cdktf_out / "stacks" / tenant.entra_stack)
        except BadInputError as err:
            why_not = err.cause
    return values_from_tenant(tenant, outputs, _certificate_x5t(tenant)), why_not


def _run(
    kind: str,
    tenant_name: str,
    tenants_dir: Path,
    outputs_file: Path | None,
    cdktf_out: Path,
    out_dir: Path | None,
    as_json: bool,
) -> None:
    from teams_notify.teams import missing_for_artifacts, write_package, write_policy_script, write_runbook

    values, why_not = _values(tenant_name, tenants_dir, outputs_file, cdktf_out)
    target = out_dir or cdktf_out / "stacks" / values.entra_stack_name / "artifacts"
    missing = missing_for_artifacts(values)
    if kind != "runbook" and missing:
        where = "; ".join(f"{name}: {source}" for name, source in missing.items())
        cause = f"{values.tenant}: cannot write the {kind} yet: unknown {', '.join(missing)}"
        if why_not:
            cause += f" (Entra stack outputs not read: {why_not})"
        if outputs_file is not None:
            cause += f" (neither in {outputs_file} nor in the tenant file)"
            raise BadInputError(cause, f"give the outputs of the deployed Entra stack, or set them ({where})")
        raise BadInputError(cause, f"pass --outputs FILE or set them ({where})")
    writer = {"package": write_package, "policy": write_policy_script, "runbook": write_runbook}[kind]
    path = writer(values, target)
    if as_json:
        report = {"written": str(path), "unknown": sorted(missing), "outputs_error": why_not}
        click.echo(json.dumps(report, indent=2))
        return
    click.echo(f"wrote {path}")
    if missing:
        click.echo(f"  placeholders for: {', '.join(missing)} (known once the Entra stack is deployed)")


@group.command(name="package")
@_options
def package(**kwargs: Any) -> None:
    """Write <tenant>-teams-app.zip: the Teams app for the calling bot (article step 1)."""
    _run("package", **kwargs)


@group.command(name="policy")
@_options
def policy(**kwargs: Any) -> None:
    """Write <tenant>-access-policy.ps1: the Teams application access policy (step 3)."""
    _run("policy", **kwargs)


@group.command(name="runbook")
@_options
def runbook(**kwargs: Any) -> None:
    """Write <tenant>-runbook.md: the 3 prerequisites and 8 steps, who does each, exact values."""
    _run("runbook", **kwargs)
