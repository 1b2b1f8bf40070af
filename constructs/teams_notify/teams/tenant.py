"""From tenant config (and the Entra stack's outputs) to `TeamsValues`.

The only module of this package that knows the config model. Ids come from the Entra
stack's outputs when given, else from config (the Azure team may state them there).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from teams_notify.errors import BadInputError
from teams_notify.teams.outputs import read_outputs_file, workspace_outputs
from teams_notify.teams.settings import TeamsSettings
from teams_notify.teams.values import TeamsValues

if TYPE_CHECKING:
    from teams_notify.config import TenantConfig

# Output names of the `<tenant>-entra` stack (stack.py OUTPUT_*).
OUTPUT_CLIENT_ID = "client_id"
OUTPUT_TENANT_ID = "tenant_id"
OUTPUT_SERVICE_USER_OBJECT_ID = "service_user_object_id"


def teams_settings(tenant: TenantConfig) -> TeamsSettings:
    """The tenant's `[teams]` section, or the defaults while the config model has none."""
    settings = getattr(tenant, "teams", None)
    return settings if isinstance(settings, TeamsSettings) else TeamsSettings()


def values_from_tenant(
    tenant: TenantConfig, outputs: Mapping[str, str] | None = None, cert_x5t: str | None = None
) -> TeamsValues:
    """TeamsValues for `tenant`; `outputs` = the Entra stack's outputs (name -> value) if known."""
    outputs = outputs or {}
    settings = teams_settings(tenant)
    instance_url = tenant.servicenow.instance_url
    # A local sandbox instance (plain http) is no page for the manifest's https-only URLs.
    default_url = instance_url if instance_url.startswith("https://") else None
    object_id = (
        outputs.get(OUTPUT_SERVICE_USER_OBJECT_ID)
        or tenant.service_user.object_id
        or tenant.entra.service_user_object_id
    )
    return TeamsValues(
        tenant=tenant.name,
        instance_url=instance_url,
        tenant_id=outputs.get(OUTPUT_TENANT_ID) or tenant.tenant_id,
        client_id=outputs.get(OUTPUT_CLIENT_ID) or tenant.entra.client_id,
        service_user_object_id=object_id,
        service_user_upn=tenant.service_user.upn,
        app_display_name=tenant.app_display_name,
        app_short_name=settings.app_short_name,
        app_description=settings.app_description or TeamsValues.app_description,
        developer_name=settings.developer_name,
        website_url=settings.website_url or default_url,
        privacy_url=settings.privacy_url or default_url,
        terms_url=settings.terms_url or default_url,
        accent_color=settings.accent_color,
        app_version=settings.app_version,
        teams_app_id=settings.teams_app_id,
        extra_valid_domains=settings.extra_valid_domains,
        policy_name=settings.policy_name,
        grant_global=settings.grant_global,
        service_user_created=tenant.service_user.create,
        bot_enabled=tenant.bot.enabled,
        online_meetings=tenant.enable_online_meetings,
        cert_x5t=cert_x5t,
        tables=dict(tenant.overrides.tables),
        name_prefix=tenant.servicenow.name_prefix,
    )


def active_certificate_x5t(tenant: TenantConfig) -> str | None:
    """x5t of the active certificate for the runbook, when its file exists (optional)."""
    from teams_notify.certs import Thumbprints, load_certificate

    crt = tenant.active_certificate.crt
    return Thumbprints.of(load_certificate(crt)).x5t if crt.is_file() else None


def deployed_values(
    tenant: TenantConfig, outputs_file: Path | None, cdktf_out: Path
) -> tuple[TeamsValues, str | None]:
    """The tenant's TeamsValues after deploy, with the Entra stack's outputs from `outputs_file`
    (saved `terraform output -json`) or else from the stack's folder under `cdktf_out`; and,
    when those outputs could not be read, why not."""
    outputs: dict[str, str] | None = None
    why_not: str | None = None
    if outputs_file is not None:
        outputs = read_outputs_file(outputs_file)
    else:
        try:
            outputs = workspace_outputs(cdktf_out / "stacks" / tenant.entra_stack)
        except BadInputError as err:
            why_not = err.cause
    return values_from_tenant(tenant, outputs, active_certificate_x5t(tenant)), why_not
