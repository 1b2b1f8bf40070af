"""Article step 5: the OAuth 2.0 credential on the (adopted) MSTeamsCommunicationsSpoke alias."""

from __future__ import annotations

from constructs import Construct
from teams_notify.catalog import TEAMS_SPOKE_ALIAS_ID
from teams_notify.config import TenantConfig
from teams_notify.stacks.servicenow.record import catalog_record
from teams_notify.stacks.servicenow.registry import ApplicationRegistry
from teams_notify.stacks.steps import STEP_CREDENTIAL_ALIAS, Step

CREDENTIAL_ORDER = 100


class CredentialAlias(Step):
    """Adopt the spoke's `sys_alias`, create the credential linked to it, and the HTTP connection."""

    step = STEP_CREDENTIAL_ALIAS

    def __init__(
        self, scope: Construct, id_: str, *, tenant: TenantConfig, registry: ApplicationRegistry
    ) -> None:
        super().__init__(scope, id_)
        self.alias = catalog_record(
            self, "alias", tenant, "alias", adopt_on=("id",), id=TEAMS_SPOKE_ALIAS_ID, type="credential"
        )
        self.credential = catalog_record(
            self,
            "credential",
            tenant,
            "credential",
            name=f"{tenant.servicenow.name_prefix} Microsoft Teams credential",
            oauth_entity_profile=registry.profile.sys_id,
            active=True,
            order=CREDENTIAL_ORDER,
            credential_alias=self.alias.sys_id,
        )
        self.connection = catalog_record(
            self,
            "connection",
            tenant,
            "connection",
            name=f"{tenant.servicenow.name_prefix} Microsoft Graph",
            connection_alias=self.alias.sys_id,
            credential=self.credential.sys_id,
            connection_url=tenant.servicenow.connection_url,
            active=True,
        )
