"""The public construct API: the integration's two stacks for a CDKTF app of your own.

    app = App()
    tenant = load_tenant(Path("tenants/contoso.toml"))  # or TenantConfig(...) built in Python
    EntraIntegration(app, tenant)        # the <tenant>-entra stack
    ServiceNowIntegration(app, tenant)   # the <tenant>-servicenow stack
    app.synth()
    run_post_synth(app)                  # x5t filled in, summaries and Teams artifacts written

They are the stacks `teams-notify synth` builds, plus what its synth does around them: the
tenant's certificates are checked once, before the stacks are built (shared by the tenant's two
stacks), and the policy rules run on each stack's JSON in `run_post_synth`.
docs/constructs.md, "Your own app".
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from constructs import Construct
from teams_notify.config import TenantConfig
from teams_notify.stacks.app import ensure_poc_bundles
from teams_notify.stacks.certificates import CheckedCertificate, check_certificates
from teams_notify.stacks.compat import App
from teams_notify.stacks.postsynth import StackSummary, run_hook
from teams_notify.stacks.stack import EntraStack, ServiceNowStack
from teams_notify.stacks.synth_cache import STACKS_DIR


def _app_outdir(scope: Construct) -> Path:
    return Path(App.of(scope).outdir)


def _integrations(nodes: Iterable[Any]) -> list[Integration]:
    """The integration stacks among `nodes`."""
    return [node for node in nodes if isinstance(node, (EntraIntegration, ServiceNowIntegration))]


def _checked(
    scope: Construct, tenant: TenantConfig, certificates: list[CheckedCertificate] | None
) -> list[CheckedCertificate]:
    """The tenant's checked certificates: given, else those its other stack in this app already
    checked, else checked now (so a tenant's files are read once per synth), after generating any
    missing `poc = true` bundle as `teams-notify synth` does."""
    if certificates is not None:
        return certificates
    for stack in _integrations(App.of(scope).node.children):
        if stack.tenant == tenant:
            return list(stack.checked_certificates)
    ensure_poc_bundles(tenant)
    return check_certificates(tenant, datetime.now(UTC))


class EntraIntegration(EntraStack):
    """The `<tenant>-entra` stack (hashicorp/azuread): app registration with the five Graph
    application permissions granted, certificate credential(s), service user, optional bot.

    - `tenant`: the tenant's settings, from a file (`load_tenant`) or built in Python.
    - `certificates`: the tenant's certificates as `check_certificates` returns them; default:
      checked when the stack is built (or taken from the tenant's ServiceNow stack in this app).
    - `policy_checks`: run the policy rules on the stack in `run_post_synth` (a failed rule fails
      it with one line naming the rule); default True.
    """

    def __init__(
        self,
        scope: Construct,
        tenant: TenantConfig,
        *,
        certificates: list[CheckedCertificate] | None = None,
        policy_checks: bool = True,
    ) -> None:
        checked = _checked(scope, tenant, certificates)
        super().__init__(scope, tenant, certificates=checked)
        self.checked_certificates: tuple[CheckedCertificate, ...] = tuple(checked)
        self.policy_checks = policy_checks


class ServiceNowIntegration(ServiceNowStack):
    """The `<tenant>-servicenow` stack (our `servicenow` provider): keystore and JWT key per
    certificate, JWT provider, application registry, credential, Teams configuration, OIDC
    registry and provider selector.

    - `tenant`: the tenant's settings, from a file (`load_tenant`) or built in Python.
    - `certificates`: as for `EntraIntegration`; the x5t placeholders are filled from them.
    - `stack_dir`: the folder this stack is synthesized into (the `.jks` path is written
      relative to it); default `<app outdir>/stacks/<tenant>-servicenow`, where cdktf writes it.
    - `policy_checks`: as for `EntraIntegration`; default True.
    """

    def __init__(
        self,
        scope: Construct,
        tenant: TenantConfig,
        *,
        certificates: list[CheckedCertificate] | None = None,
        stack_dir: Path | None = None,
        policy_checks: bool = True,
    ) -> None:
        checked = _checked(scope, tenant, certificates)
        folder = stack_dir or _app_outdir(scope) / STACKS_DIR / tenant.servicenow_stack
        super().__init__(scope, tenant, stack_dir=folder)
        self.checked_certificates: tuple[CheckedCertificate, ...] = tuple(checked)
        self.policy_checks = policy_checks


def run_post_synth(app_or_stacks: Any, outdir: Path | str | None = None) -> list[StackSummary]:
    """The post-synth hook for an app of your own: call it after `app.synth()`.

    `app_or_stacks`: the App (every integration stack in it) or some of its integration stacks;
    other stacks are left alone. `outdir`: the app's output folder; default the app's `outdir`.
    Fills the x5t placeholders in each stack's `cdk.tf.json`, writes its `teams-notify.json`
    summary and, for Entra stacks, the Teams artifacts. Returns the summaries, in stack order.
    """
    nodes = app_or_stacks if isinstance(app_or_stacks, Iterable) else app_or_stacks.node.children
    stacks = _integrations(nodes)
    if not stacks:
        return []
    folder = Path(outdir) if outdir is not None else _app_outdir(stacks[0])
    checked = {stack.tenant.name: list(stack.checked_certificates) for stack in stacks}
    return run_hook(list(stacks), folder.resolve(), checked)


Integration = EntraIntegration | ServiceNowIntegration
