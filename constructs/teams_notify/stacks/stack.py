"""The two stacks per tenant: `<tenant>-entra` (azuread) and `<tenant>-servicenow` (our provider).

They share no CDK references: the ServiceNow stack takes the Entra values as plain Terraform
variables (defaults from tenant config) or reads them from the Entra stack's remote state,
as `entra.handoff` says (see docs/constructs.md, "How the two stacks exchange values").
"""

from __future__ import annotations

from pathlib import Path

from constructs import Construct
from teams_notify.config import TenantConfig
from teams_notify.stacks.backend import add_backend, entra_remote_state
from teams_notify.stacks.certificates import CheckedCertificate
from teams_notify.stacks.compat import Fn, TerraformOutput, TerraformStack, Token
from teams_notify.stacks.entra.application import GraphApplication
from teams_notify.stacks.entra.azuread import AzureadProvider
from teams_notify.stacks.entra.bot import AzureBot
from teams_notify.stacks.entra.certificate import CertificateCredential
from teams_notify.stacks.entra.service_user import ServiceUser
from teams_notify.stacks.servicenow.credential import CredentialAlias, CredentialAliasProps
from teams_notify.stacks.servicenow.fields import InstanceNames
from teams_notify.stacks.servicenow.jwt import JwtProvider, JwtProviderProps
from teams_notify.stacks.servicenow.keystore import JwtKey, JwtKeyProps, Keystore, KeystoreProps
from teams_notify.stacks.servicenow.oidc import OidcRegistry, OidcRegistryProps
from teams_notify.stacks.servicenow.record import ServicenowProvider
from teams_notify.stacks.servicenow.registry import ApplicationRegistry, ApplicationRegistryProps
from teams_notify.stacks.servicenow.selector import ProviderSelector, ProviderSelectorProps
from teams_notify.stacks.servicenow.teams_config import TeamsConfiguration, TeamsConfigurationProps
from teams_notify.stacks.variable_names import key_password_variable, keystore_password_variable
from teams_notify.stacks.variables import secret_variable, string_variable

OUTPUT_CLIENT_ID = "client_id"
OUTPUT_TENANT_ID = "tenant_id"
OUTPUT_SERVICE_PRINCIPAL_ID = "service_principal_id"
OUTPUT_SERVICE_USER_OBJECT_ID = "service_user_object_id"
VAR_CLIENT_ID = "entra_client_id"
VAR_SERVICE_USER_OBJECT_ID = "entra_service_user_object_id"


def names_for(tenant: TenantConfig, tables: tuple[str, ...]) -> InstanceNames:
    """The tenant's names (catalog defaults plus `[overrides]`) of the catalog tables `tables`."""
    return InstanceNames.resolve(tables, tenant.table, tenant.column, tenant.choice)


class TeamsNotifyStack(TerraformStack):
    """Base: remembers its tenant and side for aspects and the post-synth hook."""

    side = ""
    policy_checks = True  # the post-synth step runs the policy rules on this stack's JSON

    def __init__(self, scope: Construct, id_: str, *, tenant: TenantConfig) -> None:
        super().__init__(scope, id_)
        self.tenant = tenant
        self.stack_name = id_
        self.step_path = id_  # construct path of the stack: its steps register under it
        self.step_paths: dict[str, str] = {}  # {construct path of a Step: article step}
        add_backend(self, tenant, id_)


class EntraStack(TeamsNotifyStack):
    """App registration with the 5 Graph grants, certificate credential(s), service user, bot."""

    side = "entra"

    def __init__(
        self, scope: Construct, tenant: TenantConfig, *, certificates: list[CheckedCertificate]
    ) -> None:
        super().__init__(scope, tenant.entra_stack, tenant=tenant)
        AzureadProvider(self, "azuread", tenant_id=tenant.tenant_id)
        self.app = GraphApplication(self, "app", display_name=tenant.app_display_name)
        self.certificates = [
            CertificateCredential(
                self,
                f"certificate_{checked.config.key}",
                application_id=self.app.application.id,
                pem=checked.pem,
                not_before=checked.thumbprints.not_before,
                not_after=checked.thumbprints.not_after,
            )
            for checked in certificates
        ]
        self.service_user = ServiceUser(self, "service_user", config=tenant.service_user)
        if tenant.bot.enabled:
            AzureBot(
                self,
                "bot",
                config=tenant.bot,
                client_id=self.app.application.client_id,
                tenant_id=tenant.tenant_id,
            )
        outputs = {
            OUTPUT_CLIENT_ID: self.app.application.client_id,
            OUTPUT_TENANT_ID: tenant.tenant_id,
            OUTPUT_SERVICE_PRINCIPAL_ID: self.app.service_principal.object_id,
            OUTPUT_SERVICE_USER_OBJECT_ID: self.service_user.object_id,
        }
        for name, value in outputs.items():
            TerraformOutput(self, name, value=value)


class ServiceNowStack(TeamsNotifyStack):
    """Every ServiceNow record of the article, one construct per step."""

    side = "servicenow"

    def __init__(self, scope: Construct, tenant: TenantConfig, *, stack_dir: Path) -> None:
        super().__init__(scope, tenant.servicenow_stack, tenant=tenant)
        sn = tenant.servicenow
        ServicenowProvider(
            self,
            "servicenow",
            instance_url=sn.instance_url,
            source=sn.provider_source,
            version=sn.provider_version,
        )
        client_id, service_user_id = self._entra_inputs(tenant)
        prefix = sn.name_prefix
        keys: dict[str, JwtKey] = {}
        for cert in tenant.certificates:
            store_password = secret_variable(
                self, keystore_password_variable(cert.key), f"store password of {cert.jks.name}"
            )
            key_password = secret_variable(
                self,
                key_password_variable(cert.key),
                f"key password in {cert.jks.name} (empty: same as store password)",
                default="",
            )
            keystore = Keystore(
                self,
                f"keystore_{cert.key}",
                KeystoreProps(
                    cert_key=cert.key,
                    jks=cert.jks,
                    store_password=store_password,
                    stack_dir=stack_dir,
                    jks_upload=cert.jks_upload,
                    name_prefix=prefix,
                    names=names_for(tenant, KeystoreProps.TABLES),
                ),
            )
            keys[cert.key] = JwtKey(
                self,
                f"jwt_key_{cert.key}",
                JwtKeyProps(
                    cert_key=cert.key,
                    keystore=keystore,
                    key_password=Token.as_string(Fn.coalesce([key_password, store_password])),
                    name_prefix=prefix,
                    names=names_for(tenant, JwtKeyProps.TABLES),
                ),
            )
        self.jwt = JwtProvider(
            self,
            "jwt_provider",
            JwtProviderProps(
                active_key=keys[tenant.active_certificate.key],
                client_id=client_id,
                tenant_id=tenant.tenant_id,
                expiry_seconds=sn.jwt_expiry_seconds,
                name_prefix=prefix,
                names=names_for(tenant, JwtProviderProps.TABLES),
            ),
        )
        self.registry = ApplicationRegistry(
            self,
            "app_registry",
            ApplicationRegistryProps(
                jwt=self.jwt,
                client_id=client_id,
                tenant_id=tenant.tenant_id,
                name_prefix=prefix,
                names=names_for(tenant, ApplicationRegistryProps.TABLES),
            ),
        )
        self.credential = CredentialAlias(
            self,
            "credential",
            CredentialAliasProps(
                registry=self.registry,
                connection_url=sn.connection_url,
                name_prefix=prefix,
                names=names_for(tenant, CredentialAliasProps.TABLES),
            ),
        )
        self.teams_config = TeamsConfiguration(
            self,
            "teams_config",
            TeamsConfigurationProps(
                registry=self.registry,
                credential=self.credential,
                service_user_object_id=service_user_id,
                tenant_id=tenant.tenant_id,
                enable_online_meetings=tenant.enable_online_meetings,
                config_query=sn.teams_config_query,
                requester=sn.requester,
                names=names_for(tenant, TeamsConfigurationProps.TABLES),
            ),
        )
        self.oidc = OidcRegistry(
            self,
            "oidc",
            OidcRegistryProps(
                client_id=client_id,
                tenant_id=tenant.tenant_id,
                name_prefix=prefix,
                names=names_for(tenant, OidcRegistryProps.TABLES),
            ),
        )
        self.oidc.after(self.teams_config.record)  # the instance creates the OIDC registry then
        sel = sn.selector
        self.selector = ProviderSelector(
            self,
            "selector",
            ProviderSelectorProps(
                name=sel.name,
                order=sel.order,
                source_table=sel.table,
                condition=sel.condition,
                catch_all=sel.catch_all,
                manual_selection=sel.manual_selection,
                conference_provider=sel.conference_provider,
                names=names_for(tenant, ProviderSelectorProps.TABLES),
            ),
        )

    def _entra_inputs(self, tenant: TenantConfig) -> tuple[str, str]:
        """(client id, service user object id) from variables or from the Entra stack's state."""
        if tenant.entra.handoff == "remote_state":
            state = entra_remote_state(self, tenant)
            return state.get_string(OUTPUT_CLIENT_ID), state.get_string(OUTPUT_SERVICE_USER_OBJECT_ID)
        client_id = string_variable(
            self,
            VAR_CLIENT_ID,
            "client id of the Entra app (output client_id of the Entra stack)",
            tenant.entra.client_id,
        )
        user_id = string_variable(
            self,
            VAR_SERVICE_USER_OBJECT_ID,
            "object id of the service user (output service_user_object_id of the Entra stack)",
            tenant.entra.service_user_object_id,
        )
        return client_id, user_id
