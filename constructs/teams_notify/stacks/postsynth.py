"""The post-synth hook: runs after `app.synth()` (so for `python main.py`, `cdktf synth` and
`cdktf deploy`, which all run main.py).

For every stack it first runs the policy rules (`stacks.aspects`) on the synthesized JSON,
then fills the computed `x5t` of the tenant's certificates (checked before the
stacks were built, `stacks.certificates`) into the JSON where the constructs left a
placeholder, writes the `teams-notify.json` summary next to `cdk.tf.json`, the lock entries of
locally installed providers (`stacks.provider_lock`), and the Teams artifacts for the Entra stack.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from teams_notify.config import TenantConfig
from teams_notify.stacks.backend import cloud_workspace
from teams_notify.stacks.certificates import CheckedCertificate, active_certificate
from teams_notify.stacks.provider_lock import annotate_manifest, lock_local_providers
from teams_notify.stacks.servicenow.fields import X5T_PLACEHOLDER_PREFIX, x5t_placeholder
from teams_notify.stacks.synth_cache import STACKS_DIR

SUMMARY_FILE = "teams-notify.json"
STACK_JSON = "cdk.tf.json"


@dataclass(frozen=True)
class StackSummary:
    """What `teams-notify.json` says about one synthesized stack (field order = file order)."""

    tenant: str
    stack: str
    side: str
    tenant_config: str | None
    certificate_path: str
    x5t: str
    sha1_hex: str
    not_after: str
    active_certificate: str
    certificates: list[dict[str, Any]]
    warnings: list[str]
    resources: dict[str, str]
    # Providers the stack needs that are not installed (`stacks.provider_lock`); also annotations
    # in manifest.json, which the CDK CLIs print.
    provider_warnings: list[str] = field(default_factory=list)
    # The stack's Terraform Cloud workspace (name, project, tags: tags are applied through the
    # API from here, since Terraform allows no tags beside a workspace name); None: no cloud.
    terraform_cloud: dict[str, Any] | None = None

    def to_json(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if not (k == "terraform_cloud" and v is None)}


def fill_placeholders(stack_json: dict[str, Any], x5t_by_key: dict[str, str]) -> int:
    """Replace every x5t placeholder in string values; returns how many were replaced."""
    count = 0

    def walk(node: Any) -> Any:
        nonlocal count
        if isinstance(node, dict):
            return {k: walk(v) for k, v in node.items()}
        if isinstance(node, list):
            return [walk(v) for v in node]
        if isinstance(node, str) and node.startswith(X5T_PLACEHOLDER_PREFIX):
            key = node.removeprefix(X5T_PLACEHOLDER_PREFIX)
            count += 1
            return x5t_by_key[key]
        return node

    stack_json.update(walk(stack_json))
    return count


def resource_steps(stack: Any, stack_json: dict[str, Any]) -> dict[str, str]:
    """`{<type>.<name>: article step}` for every resource and data source of a synthesized stack,
    in the order of the JSON (resources, then data sources).

    The step comes from the construct path cdktf writes into each block's metadata, matched
    against the paths the stack's steps registered: no Node round trip at all.
    """
    from teams_notify.stacks.steps import STACK_INPUTS, step_of_path

    steps: dict[str, str] = {}
    for section, prefix in (("resource", ""), ("data", "data.")):
        for type_, group in stack_json.get(section, {}).items():
            for name, block in group.items():
                path = block.get("//", {}).get("metadata", {}).get("path")
                step = step_of_path(path, stack.step_paths) if path else STACK_INPUTS
                steps[f"{prefix}{type_}.{name}"] = step
    return steps


def run_hook(
    stacks: list[Any], outdir: Path, checked: dict[str, list[CheckedCertificate]], *, teams: bool = True
) -> list[StackSummary]:
    """Run the policy rules on every stack's JSON (CheckFailedError before anything is written),
    then fill x5t, write summaries and (unless `teams` is False: someone else writes them)
    Teams artifacts for every stack (`checked`: the certificates of each tenant, by tenant
    name, as `check_certificates` returned them)."""
    from teams_notify.stacks.aspects import policy_findings, raise_on_findings
    from teams_notify.teams.hook import write_teams_artifacts  # jinja2, the schema, Pillow: on use

    documents = {s.stack_name: _read_json(outdir / STACKS_DIR / s.stack_name / STACK_JSON) for s in stacks}
    checked_stacks = [s for s in stacks if s.policy_checks]
    raise_on_findings([f for s in checked_stacks for f in policy_findings(s, documents[s.stack_name])])
    summaries = []
    for stack in stacks:
        tenant: TenantConfig = stack.tenant
        stack_dir = outdir / STACKS_DIR / stack.stack_name
        summary = _process_stack(stack, stack_dir, documents[stack.stack_name], tenant, checked[tenant.name])
        if teams:
            write_teams_artifacts(tenant, stack_dir, summary)
        summaries.append(summary)
    return summaries


def _read_json(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def _process_stack(
    stack: Any, stack_dir: Path, data: dict[str, Any], tenant: TenantConfig, checked: list[CheckedCertificate]
) -> StackSummary:
    json_path = stack_dir / STACK_JSON
    x5t_by_key = {c.config.key: c.thumbprints.x5t for c in checked}
    if fill_placeholders(data, x5t_by_key):
        json_path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    lock_warnings = lock_local_providers(stack_dir, data)
    annotate_manifest(stack_dir.parent.parent, stack.stack_name, lock_warnings)  # <out>/stacks/<stack>
    active = active_certificate(checked)
    summary = StackSummary(
        tenant=tenant.name,
        stack=stack.stack_name,
        side=stack.side,
        tenant_config=str(tenant.source) if tenant.source else None,
        certificate_path=str(active.config.crt),
        x5t=active.thumbprints.x5t,
        sha1_hex=active.thumbprints.sha1_hex,
        not_after=active.thumbprints.to_json()["not_after"],
        active_certificate=active.config.key,
        certificates=[c.to_json() for c in checked],
        warnings=[w for c in checked for w in c.warnings],
        resources=resource_steps(stack, data),
        provider_warnings=lock_warnings,
        terraform_cloud=cloud_workspace(tenant, stack.stack_name),
    )
    text = json.dumps(summary.to_json(), indent=2) + "\n"
    (stack_dir / SUMMARY_FILE).write_text(text, encoding="utf-8")
    return summary


__all__ = ["StackSummary", "fill_placeholders", "run_hook", "x5t_placeholder"]
