"""Article step 4: the application registry (client credentials, private-key JWT) with its profile."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

from constructs import Construct
from teams_notify.entra_endpoints import token_url
from teams_notify.stacks.servicenow.fields import DEFAULT_NAME_PREFIX, InstanceNames
from teams_notify.stacks.servicenow.jwt import JwtProvider
from teams_notify.stacks.servicenow.record import catalog_record
from teams_notify.stacks.steps import STEP_APP_REGISTRY, Step

DEFAULT_SCOPE_NAME = "Default"
DEFAULT_SCOPE_VALUE = ".default"


@dataclass(frozen=True)
class ApplicationRegistryProps:
    """What `ApplicationRegistry` writes.

    - `jwt`: the `JwtProvider` the registry and its default profile sign with.
    - `client_id`: the Entra app's client id: a value or a reference.
    - `tenant_id`: the Entra tenant id (the token URL is its v2 token endpoint).
    - `name_prefix`: starts the registry's name; default "Teams Notify".
    - `names`: the instance's names of `oauth_entity`, `oauth_entity_profile`,
      `oauth_entity_scope` and `oauth_entity_profile_scope`; default: the catalog's.
    """

    TABLES: ClassVar[tuple[str, ...]] = (
        "oauth_entity",
        "oauth_profile",
        "oauth_scope",
        "oauth_profile_scope",
    )

    jwt: JwtProvider
    client_id: str
    tenant_id: str
    name_prefix: str = DEFAULT_NAME_PREFIX
    names: InstanceNames = field(
        default_factory=lambda: InstanceNames.catalog(*ApplicationRegistryProps.TABLES)
    )


class ApplicationRegistry(Step):
    """`oauth_entity` + the instance-created default profile (adopted) + scope `.default`."""

    step = STEP_APP_REGISTRY

    def __init__(self, scope: Construct, id_: str, props: ApplicationRegistryProps) -> None:
        super().__init__(scope, id_)
        names, jwt = props.names, props.jwt
        self.entity = catalog_record(
            self,
            "entity",
            names,
            "oauth_entity",
            name=f"{props.name_prefix} Microsoft Teams",
            type="consumer",
            client_id=props.client_id,
            default_grant_type="client_credentials",
            token_url=token_url(props.tenant_id),
            send_client_credentials_as="private_key_jwt",
            jwt_provider=jwt.record.sys_id,
            active=True,
        )
        # The instance creates `<name>_default_profile` when the registry is inserted: adopt it.
        self.profile = catalog_record(
            self,
            "default_profile",
            names,
            "oauth_profile",
            adopt_on=("oauth_entity", "default"),
            oauth_entity=self.entity.sys_id,
            default=True,
            jwt_provider=jwt.record.sys_id,
            grant_type="client_credentials",
        )
        self.scope = catalog_record(
            self,
            "scope",
            names,
            "oauth_scope",
            name=DEFAULT_SCOPE_NAME,
            oauth_entity=self.entity.sys_id,
            oauth_entity_scope=DEFAULT_SCOPE_VALUE,
        )
        self.profile_scope = catalog_record(
            self,
            "profile_scope",
            names,
            "oauth_profile_scope",
            oauth_entity_profile=self.profile.sys_id,
            oauth_entity_scope=self.scope.sys_id,
        )
