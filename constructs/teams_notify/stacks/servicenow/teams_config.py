"""Article step 6: the Microsoft Teams configuration record (exists on the instance: adopt, update)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

from terraform_provider_servicenow.normalize import exact_query

from constructs import Construct
from teams_notify.catalog import TEAMS_SPOKE_ALIAS_ID
from teams_notify.config import TenantConfig
from teams_notify.stacks.servicenow.credential import CredentialAlias
from teams_notify.stacks.servicenow.fields import InstanceNames, servicenow_default
from teams_notify.stacks.servicenow.record import DataServicenowRecord, ServicenowRecord
from teams_notify.stacks.servicenow.registry import ApplicationRegistry
from teams_notify.stacks.steps import STEP_TEAMS_CONFIG, Step

SYS_ID = "sys_id"


@dataclass(frozen=True)
class TeamsConfigurationProps:
    """What `TeamsConfiguration` writes into the instance's Teams configuration record.

    - `registry`: the `ApplicationRegistry` the configuration points at.
    - `credential`: the `CredentialAlias` whose credential is the requester, unless `requester`.
    - `service_user_object_id`: the service user's Entra object id: a value or a reference.
    - `tenant_id`: the Entra tenant id.
    - `enable_online_meetings`: "Enable create online meeting"; default True (tenant config's).
    - `config_query`: encoded query that finds the (single) configuration record; default
      "active=false^ORactive=true" (tenant config's default: any record).
    - `requester`: name of an existing OAuth 2.0 credential to use instead of ours; default None.
    - `names`: the instance's names of the Teams configuration table and of
      `oauth_2_0_credentials` (to find `requester`); default: the catalog's.
    """

    TABLES: ClassVar[tuple[str, ...]] = ("teams_config", "credential")

    registry: ApplicationRegistry
    credential: CredentialAlias
    service_user_object_id: str
    tenant_id: str
    enable_online_meetings: bool = TenantConfig.model_fields["enable_online_meetings"].default
    config_query: str = servicenow_default("teams_config_query")
    requester: str | None = None
    names: InstanceNames = field(
        default_factory=lambda: InstanceNames.catalog(*TeamsConfigurationProps.TABLES)
    )


class TeamsConfiguration(Step):
    """Find the singleton config record, adopt it by sys_id, point it at what we manage.

    `on_destroy = "restore"` puts back the values it had before we adopted it.
    """

    step = STEP_TEAMS_CONFIG

    def __init__(self, scope: Construct, id_: str, props: TeamsConfigurationProps) -> None:
        super().__init__(scope, id_)
        names = props.names
        table = names.table("teams_config")
        existing = DataServicenowRecord(self, "existing", table=table, query=props.config_query)
        requester = props.credential.credential.sys_id
        if props.requester:
            requester = DataServicenowRecord(
                self,
                "requester",
                table=names.table("credential"),
                # Exact, with the provider's rules (config already refused `^` and line breaks).
                query=exact_query({names.column("credential", "name"): props.requester}),
            ).attr(SYS_ID)
        fields = {
            SYS_ID: existing.attr(SYS_ID),
            **names.row(
                "teams_config",
                credential_alias=TEAMS_SPOKE_ALIAS_ID,
                application_registry=props.registry.entity.sys_id,
                tenant_id=props.tenant_id,
                requester=requester,
                service_user_azure_id=props.service_user_object_id,
                enable_create_online_meeting=props.enable_online_meetings,
                active=True,
            ),
        }
        self.record = ServicenowRecord(
            self, "record", table=table, fields=fields, match_on=[SYS_ID], on_destroy="restore"
        )
