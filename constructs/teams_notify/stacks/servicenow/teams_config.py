"""Article step 6: the Microsoft Teams configuration record (exists on the instance: adopt, update)."""

from __future__ import annotations

from terraform_provider_servicenow.normalize import exact_query

from constructs import Construct
from teams_notify.catalog import TEAMS_SPOKE_ALIAS_ID
from teams_notify.config import TenantConfig
from teams_notify.stacks.servicenow.credential import CredentialAlias
from teams_notify.stacks.servicenow.fields import row
from teams_notify.stacks.servicenow.record import DataServicenowRecord, ServicenowRecord
from teams_notify.stacks.servicenow.registry import ApplicationRegistry
from teams_notify.stacks.steps import STEP_TEAMS_CONFIG, Step

SYS_ID = "sys_id"


class TeamsConfiguration(Step):
    """Find the singleton config record, adopt it by sys_id, point it at what we manage.

    `on_destroy = "restore"` puts back the values it had before we adopted it.
    """

    step = STEP_TEAMS_CONFIG

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        tenant: TenantConfig,
        registry: ApplicationRegistry,
        credential: CredentialAlias,
        service_user_object_id: str,
    ) -> None:
        super().__init__(scope, id_)
        table = tenant.table("teams_config")
        existing = DataServicenowRecord(
            self, "existing", table=table, query=tenant.servicenow.teams_config_query
        )
        requester = credential.credential.sys_id
        if tenant.servicenow.requester:
            requester = DataServicenowRecord(
                self,
                "requester",
                table=tenant.table("credential"),
                # Exact, with the provider's rules (config already refused `^` and line breaks).
                query=exact_query({tenant.column("credential", "name"): tenant.servicenow.requester}),
            ).attr(SYS_ID)
        fields = {
            SYS_ID: existing.attr(SYS_ID),
            **row(
                tenant,
                "teams_config",
                credential_alias=TEAMS_SPOKE_ALIAS_ID,
                application_registry=registry.entity.sys_id,
                tenant_id=tenant.tenant_id,
                requester=requester,
                service_user_azure_id=service_user_object_id,
                enable_create_online_meeting=tenant.enable_online_meetings,
                active=True,
            ),
        }
        self.record = ServicenowRecord(
            self, "record", table=table, fields=fields, match_on=[SYS_ID], on_destroy="restore"
        )
