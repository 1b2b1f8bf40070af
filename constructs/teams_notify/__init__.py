"""teams-notify: the ServiceNow Notify connector for Microsoft Teams, as code.

The public API for a CDKTF app of your own (docs/constructs.md, "Your own app"):

    from teams_notify import EntraIntegration, ServiceNowIntegration, load_tenant, run_post_synth

Names are imported on first use (module `__getattr__`), so `import teams_notify` and the CLI
stay fast and load the CDK engine (Node, jsii) only when a stack is asked for.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_CONFIG = "teams_notify.config"
_INTEGRATION = "teams_notify.stacks.integration"
# Public name -> the module that defines it.
_EXPORTS = {
    "TenantConfig": _CONFIG,
    "CertificateConfig": _CONFIG,
    "ServiceUserConfig": _CONFIG,
    "ServiceNowConfig": _CONFIG,
    "SelectorConfig": _CONFIG,
    "EntraConfig": _CONFIG,
    "BotConfig": _CONFIG,
    "OverridesConfig": _CONFIG,
    "load_tenant": _CONFIG,
    "load_tenants": _CONFIG,
    "EntraIntegration": _INTEGRATION,
    "ServiceNowIntegration": _INTEGRATION,
    "run_post_synth": _INTEGRATION,
    "StackSummary": "teams_notify.stacks.postsynth",
    "check_certificates": "teams_notify.stacks.certificates",
    "CheckedCertificate": "teams_notify.stacks.certificates",
}

__all__ = [  # the keys of _EXPORTS (tests check)
    "BotConfig",
    "CertificateConfig",
    "CheckedCertificate",
    "EntraConfig",
    "EntraIntegration",
    "OverridesConfig",
    "SelectorConfig",
    "ServiceNowConfig",
    "ServiceNowIntegration",
    "ServiceUserConfig",
    "StackSummary",
    "TenantConfig",
    "check_certificates",
    "load_tenant",
    "load_tenants",
    "run_post_synth",
]

if TYPE_CHECKING:
    from teams_notify.config import (
        BotConfig,
        CertificateConfig,
        EntraConfig,
        OverridesConfig,
        SelectorConfig,
        ServiceNowConfig,
        ServiceUserConfig,
        TenantConfig,
        load_tenant,
        load_tenants,
    )
    from teams_notify.stacks.certificates import CheckedCertificate, check_certificates
    from teams_notify.stacks.integration import EntraIntegration, ServiceNowIntegration, run_post_synth
    from teams_notify.stacks.postsynth import StackSummary


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'teams_notify' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value  # the next access skips this function
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_EXPORTS])
