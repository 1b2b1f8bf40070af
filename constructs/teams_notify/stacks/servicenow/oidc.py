"""Article step 7: the OIDC application registry for the self-configured app (verified or created)."""

from __future__ import annotations

from constructs import Construct
from teams_notify.catalog import BOT_FRAMEWORK_SCOPE, OIDC_CONFIG_NAME
from teams_notify.config import TenantConfig
from teams_notify.entra_endpoints import metadata_url
from teams_notify.stacks.servicenow.record import catalog_record
from teams_notify.stacks.steps import STEP_OIDC, Step


class OidcRegistry(Step):
    """`oidc_provider_configuration` + `oauth_oidc_entity` + the Bot Framework scope.

    Each is matched first (the instance may have created it during plugin setup) and restored on
    destroy; when nothing matches it is created.
    """

    step = STEP_OIDC

    def __init__(self, scope: Construct, id_: str, *, tenant: TenantConfig, client_id: str) -> None:
        super().__init__(scope, id_)
        self.config = catalog_record(
            self,
            "config",
            tenant,
            "oidc_config",
            adopt_on=("name",),
            name=OIDC_CONFIG_NAME,
            metadata_url=metadata_url(tenant.tenant_id),
        )
        self.entity = catalog_record(
            self,
            "entity",
            tenant,
            "oidc_entity",
            adopt_on=("client_id",),
            name=f"{tenant.servicenow.name_prefix} Teams OIDC",
            client_id=client_id,
            oidc_provider_configuration=self.config.sys_id,
            default_grant_type="client_credentials",
            active=True,
        )
        self.scope = catalog_record(
            self,
            "scope",
            tenant,
            "oauth_scope",
            adopt_on=("oauth_entity", "oauth_entity_scope"),
            name="Bot Framework",
            oauth_entity=self.entity.sys_id,
            oauth_entity_scope=BOT_FRAMEWORK_SCOPE,
        )
