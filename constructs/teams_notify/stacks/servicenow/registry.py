"""Article step 4: the application registry (client credentials, private-key JWT) with its profile."""

from __future__ import annotations

from constructs import Construct
from teams_notify.config import TenantConfig
from teams_notify.entra_endpoints import token_url
from teams_notify.stacks.servicenow.jwt import JwtProvider
from teams_notify.stacks.servicenow.record import catalog_record
from teams_notify.stacks.steps import STEP_APP_REGISTRY, Step

DEFAULT_SCOPE_NAME = "Default"
DEFAULT_SCOPE_VALUE = ".default"


class ApplicationRegistry(Step):
    """`oauth_entity` + the instance-created default profile (adopted) + scope `.default`."""

    step = STEP_APP_REGISTRY

    def __init__(
        self, scope: Construct, id_: str, *, tenant: TenantConfig, jwt: JwtProvider, client_id: str
    ) -> None:
        super().__init__(scope, id_)
        self.entity = catalog_record(
            self,
            "entity",
            tenant,
            "oauth_entity",
            name=f"{tenant.servicenow.name_prefix} Microsoft Teams",
            type="consumer",
            client_id=client_id,
            default_grant_type="client_credentials",
            token_url=token_url(tenant.tenant_id),
            send_client_credentials_as="private_key_jwt",
            jwt_provider=jwt.record.sys_id,
            active=True,
        )
        # The instance creates `<name>_default_profile` when the registry is inserted: adopt it.
        self.profile = catalog_record(
            self,
            "default_profile",
            tenant,
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
            tenant,
            "oauth_scope",
            name=DEFAULT_SCOPE_NAME,
            oauth_entity=self.entity.sys_id,
            oauth_entity_scope=DEFAULT_SCOPE_VALUE,
        )
        self.profile_scope = catalog_record(
            self,
            "profile_scope",
            tenant,
            "oauth_profile_scope",
            oauth_entity_profile=self.profile.sys_id,
            oauth_entity_scope=self.scope.sys_id,
        )
