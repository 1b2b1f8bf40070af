"""Article step 5: the OAuth 2.0 credential on the (adopted) MSTeamsCommunicationsSpoke alias."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

from constructs import Construct
from teams_notify.catalog import TEAMS_SPOKE_ALIAS_ID
from teams_notify.stacks.servicenow.fields import DEFAULT_NAME_PREFIX, InstanceNames, servicenow_default
from teams_notify.stacks.servicenow.record import catalog_record
from teams_notify.stacks.servicenow.registry import ApplicationRegistry
from teams_notify.stacks.steps import STEP_CREDENTIAL_ALIAS, Step

CREDENTIAL_ORDER = 100


@dataclass(frozen=True)
class CredentialAliasProps:
    """What `CredentialAlias` writes.

    - `registry`: the `ApplicationRegistry` whose default profile the credential uses.
    - `connection_url`: the HTTP connection's URL; default https://graph.microsoft.com
      (tenant config's default).
    - `name_prefix`: starts the credential's and connection's names; default "Teams Notify".
    - `names`: the instance's names of `sys_alias`, `oauth_2_0_credentials` and
      `http_connection`; default: the catalog's.
    """

    TABLES: ClassVar[tuple[str, ...]] = ("alias", "credential", "connection")

    registry: ApplicationRegistry
    connection_url: str = servicenow_default("connection_url")
    name_prefix: str = DEFAULT_NAME_PREFIX
    names: InstanceNames = field(default_factory=lambda: InstanceNames.catalog(*CredentialAliasProps.TABLES))


class CredentialAlias(Step):
    """Adopt the spoke's `sys_alias`, create the credential linked to it, and the HTTP connection."""

    step = STEP_CREDENTIAL_ALIAS

    def __init__(self, scope: Construct, id_: str, props: CredentialAliasProps) -> None:
        super().__init__(scope, id_)
        names, registry = props.names, props.registry
        self.alias = catalog_record(
            self, "alias", names, "alias", adopt_on=("id",), id=TEAMS_SPOKE_ALIAS_ID, type="credential"
        )
        self.credential = catalog_record(
            self,
            "credential",
            names,
            "credential",
            name=f"{props.name_prefix} Microsoft Teams credential",
            oauth_entity_profile=registry.profile.sys_id,
            active=True,
            order=CREDENTIAL_ORDER,
            credential_alias=self.alias.sys_id,
        )
        self.connection = catalog_record(
            self,
            "connection",
            names,
            "connection",
            name=f"{props.name_prefix} Microsoft Graph",
            connection_alias=self.alias.sys_id,
            credential=self.credential.sys_id,
            connection_url=props.connection_url,
            active=True,
        )
