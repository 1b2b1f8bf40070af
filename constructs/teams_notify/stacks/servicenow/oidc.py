"""Article step 7: the OIDC application registry for the self-configured app (verified or adopted)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

from constructs import Construct
from teams_notify.catalog import BOT_FRAMEWORK_SCOPE, OIDC_CONFIG_NAME
from teams_notify.entra_endpoints import metadata_url
from teams_notify.stacks.servicenow.fields import DEFAULT_NAME_PREFIX, InstanceNames
from teams_notify.stacks.servicenow.record import ServicenowRecord, catalog_record
from teams_notify.stacks.steps import STEP_OIDC, Step


@dataclass(frozen=True)
class OidcRegistryProps:
    """What `OidcRegistry` writes.

    - `client_id`: the Entra app's client id: a value or a reference.
    - `tenant_id`: the Entra tenant id (the OIDC metadata URL is its v2 discovery document).
    - `name_prefix`: starts the OIDC registry's name; default "Teams Notify".
    - `names`: the instance's names of `oidc_provider_configuration`, `oauth_oidc_entity` and
      `oauth_entity_scope`; default: the catalog's.
    """

    TABLES: ClassVar[tuple[str, ...]] = ("oidc_config", "oidc_entity", "oauth_scope")

    client_id: str
    tenant_id: str
    name_prefix: str = DEFAULT_NAME_PREFIX
    names: InstanceNames = field(default_factory=lambda: InstanceNames.catalog(*OidcRegistryProps.TABLES))


class OidcRegistry(Step):
    """`oidc_provider_configuration` + `oauth_oidc_entity` + the Bot Framework scope.

    The instance creates the "Notify Teams OIDC Config" registry itself when the app registry is
    set on the Teams configuration: each record is matched first (config by name, entity by client
    id, scope by entity + value), adopted and restored on destroy, so there is never a twin. Call
    `after(teams_configuration_record)` so the lookup runs once the instance has created it; only
    an instance that did not create it gets ours.
    """

    step = STEP_OIDC

    def __init__(self, scope: Construct, id_: str, props: OidcRegistryProps) -> None:
        super().__init__(scope, id_)
        names, client_id = props.names, props.client_id
        self.config = catalog_record(
            self,
            "config",
            names,
            "oidc_config",
            adopt_on=("name",),
            name=OIDC_CONFIG_NAME,
            metadata_url=metadata_url(props.tenant_id),
        )
        self.entity = catalog_record(
            self,
            "entity",
            names,
            "oidc_entity",
            adopt_on=("client_id",),
            name=f"{props.name_prefix} Teams OIDC",
            client_id=client_id,
            oidc_provider_configuration=self.config.sys_id,
            default_grant_type="client_credentials",
            active=True,
        )
        self.scope = catalog_record(
            self,
            "scope",
            names,
            "oauth_scope",
            adopt_on=("oauth_entity", "oauth_entity_scope"),
            name="Bot Framework",
            oauth_entity=self.entity.sys_id,
            oauth_entity_scope=BOT_FRAMEWORK_SCOPE,
        )

    def after(self, record: ServicenowRecord) -> None:
        """Look for the instance-created registry only once `record` (the Teams configuration,
        whose app registry triggers the creation) has been written."""
        # depends_on takes a plain address, not a "${...}" reference
        address = f"{record.terraform_resource_type}.{record.friendly_unique_id}"
        for adopted in (self.config, self.entity):
            adopted.depends_on = [*(adopted.depends_on or []), address]
