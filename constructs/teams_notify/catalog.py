"""The ServiceNow tables and columns this project writes, with how sure we are of each name.

One source of truth for three users: the ServiceNow stack (default names, overridable per
tenant), the sandbox (its schema: `sys_db_object`, `sys_dictionary`, `sys_choice`), and the
schema check that compares our names with a real instance before anything is written.

Names marked `verify=True` vary by release or are not documented (see DESIGN.md); tenant
config may override every one of them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

ColumnType = Literal[
    "string", "boolean", "integer", "reference", "password2", "choice", "glide_date_time", "glide_list"
]


@dataclass(frozen=True)
class Column:
    """One column: its default name, its ServiceNow internal type and, for references, the target."""

    name: str
    type: ColumnType = "string"
    reference: str | None = None  # logical table key of the referenced table
    choices: tuple[str, ...] = ()
    verify: bool = False
    label: str = ""


@dataclass(frozen=True)
class Table:
    """One table: its default name, a label, and its columns keyed by logical name."""

    name: str
    label: str
    columns: dict[str, Column] = field(default_factory=dict)
    verify: bool = False
    scope: str = "global"


def _c(name: str, type: ColumnType = "string", **kw: object) -> Column:
    return Column(name=name, type=type, **kw)  # type: ignore[arg-type]


# Logical table key -> table. Logical keys are what tenant-config overrides name.
TABLES: dict[str, Table] = {
    "certificate": Table(
        "sys_certificate",
        "X.509 Certificate",
        {
            "name": _c("name"),
            "type": _c("type", "choice", choices=("trust_store", "key_store", "pkcs12_key_store")),
            "format": _c("format", "choice", choices=("pem", "der")),
            "key_store_password": _c("key_store_password", "password2"),
            "active": _c("active", "boolean"),
            "short_description": _c("short_description"),
            "expires": _c("expires", "glide_date_time"),
        },
    ),
    "jwt_key": Table(
        "jwt_keystore_aliases",
        "JWT Keys",
        {
            "name": _c("name"),
            "signing_keystore": _c("signing_keystore", "reference", reference="certificate"),
            "signing_key_password": _c("signing_key_password", "password2"),
            "signing_algorithm": _c("signing_algorithm", "choice", choices=("rsa_256", "rsa_384", "rsa_512")),
            "kid": _c("kid"),
            "active": _c("active", "boolean"),
            "certificate_thumbprint": _c("certificate_thumbprint", verify=True),
            # "X.509 Certificate SHA-1 Thumbprint" = true puts x5t in the JWT header.
            "include_x5t": _c("x509_sha1_thumbprint", "boolean", verify=True),
        },
    ),
    "jwt_provider": Table(
        "jwt_provider",
        "JWT Provider",
        {
            "name": _c("name"),
            "jwt_keystore_alias": _c("jwt_keystore_alias", "reference", reference="jwt_key"),
            "expiry_interval": _c("expiry_interval", "integer"),
        },
    ),
    "jwt_claim": Table(
        "jwt_claim_validation",
        "JWT Claim",
        {
            "name": _c("name"),
            "value": _c("value"),
            "is_standard": _c("is_standard", "boolean"),
            "data_type": _c("data_type", "choice", choices=("string", "integer", "boolean")),
            "jwt_provider": _c("jwt_provider", "reference", reference="jwt_provider", verify=True),
        },
    ),
    "oauth_entity": Table(
        "oauth_entity",
        "Application Registry",
        {
            "name": _c("name"),
            "type": _c("type", "choice", choices=("client", "consumer", "oidc_provider")),
            "client_id": _c("client_id"),
            "client_secret": _c("client_secret", "password2"),
            "default_grant_type": _c(
                "default_grant_type",
                "choice",
                choices=("authorization_code", "client_credentials", "password", "jwt_bearer"),
            ),
            "token_url": _c("token_url"),
            "send_client_credentials_as": _c(
                "send_client_credentials_as",
                "choice",
                choices=("body", "basic_auth", "private_key_jwt"),
                verify=True,
            ),
            "jwt_provider": _c("jwt_provider", "reference", reference="jwt_provider", verify=True),
            "active": _c("active", "boolean"),
        },
    ),
    "oauth_profile": Table(
        "oauth_entity_profile",
        "OAuth Entity Profile",
        {
            "name": _c("name"),
            "oauth_entity": _c("oauth_entity", "reference", reference="oauth_entity"),
            "jwt_provider": _c("jwt_provider", "reference", reference="jwt_provider"),
            "grant_type": _c(
                "grant_type", "choice", choices=("authorization_code", "client_credentials", "password")
            ),
            "default": _c("default", "boolean"),
        },
    ),
    "oauth_scope": Table(
        "oauth_entity_scope",
        "OAuth Entity Scope",
        {
            "name": _c("name"),
            "oauth_entity": _c("oauth_entity", "reference", reference="oauth_entity"),
            "oauth_entity_scope": _c("oauth_entity_scope"),
        },
    ),
    "oauth_profile_scope": Table(
        "oauth_entity_profile_scope",
        "OAuth Entity Profile Scope",
        {
            "oauth_entity_profile": _c("oauth_entity_profile", "reference", reference="oauth_profile"),
            "oauth_entity_scope": _c("oauth_entity_scope", "reference", reference="oauth_scope"),
        },
    ),
    "credential": Table(
        "oauth_2_0_credentials",
        "OAuth 2.0 Credentials",
        {
            "name": _c("name"),
            "oauth_entity_profile": _c("oauth_entity_profile", "reference", reference="oauth_profile"),
            "active": _c("active", "boolean"),
            "order": _c("order", "integer"),
            # The multi-value "Credential alias" field: a list of sys_alias sys_ids.
            "credential_alias": _c("tag", "glide_list", reference="alias", verify=True),
        },
    ),
    "alias": Table(
        "sys_alias",
        "Connection & Credential Alias",
        {
            "id": _c("id"),
            "name": _c("name"),
            "type": _c("type", "choice", choices=("connection", "credential")),
        },
    ),
    "connection": Table(
        "http_connection",
        "HTTP(s) Connection",
        {
            "name": _c("name"),
            "connection_alias": _c("connection_alias", "reference", reference="alias"),
            "credential": _c("credential", "reference", reference="credential"),
            "connection_url": _c("connection_url"),
            "active": _c("active", "boolean"),
        },
    ),
    "teams_config": Table(
        "sn_notify_msteams_configuration",
        "Microsoft Teams Configuration",
        {
            "credential_alias": _c("credential_alias", verify=True),
            "application_registry": _c(
                "application_registry", "reference", reference="oauth_entity", verify=True
            ),
            "tenant_id": _c("tenant_id", verify=True),
            "requester": _c("requester", "reference", reference="credential", verify=True),
            "service_user_azure_id": _c("service_user_azure_id", verify=True),
            "enable_create_online_meeting": _c("enable_create_online_meeting", "boolean", verify=True),
            "active": _c("active", "boolean"),
        },
        verify=True,
        scope="sn_notify_msteams",
    ),
    "oidc_entity": Table(
        "oauth_oidc_entity",
        "OIDC Application Registry",
        {
            "name": _c("name"),
            "client_id": _c("client_id"),
            "oidc_provider_configuration": _c(
                "oidc_provider_configuration", "reference", reference="oidc_config"
            ),
            "default_grant_type": _c("default_grant_type", "choice", choices=("client_credentials",)),
            "active": _c("active", "boolean"),
        },
    ),
    "oidc_config": Table(
        "oidc_provider_configuration",
        "OIDC Provider Configuration",
        {
            "name": _c("oidc_provider", verify=True),
            "metadata_url": _c("oidc_metadata_url", verify=True),
        },
    ),
    "selector": Table(
        "notify_group_selector",
        "Notify Provider Selector",
        {
            "name": _c("name"),
            "order": _c("order", "integer"),
            "table": _c("table", verify=True),
            "condition": _c("condition", verify=True),
            "active": _c("active", "boolean"),
            "catch_all": _c("default", "boolean", verify=True),
            "manual_selection": _c("manual_selection", "boolean", verify=True),
        },
        verify=True,
    ),
    "selector_choice": Table(
        "notify_group_selector_choice",
        "Notify Provider Selector Choice",
        {
            "selector": _c("notify_group_selector", "reference", reference="selector", verify=True),
            "conference_provider": _c("conference_provider", verify=True),
            "notify_group": _c("notify_group", verify=True),
            "order": _c("order", "integer"),
        },
        verify=True,
    ),
}

# Records every instance with the Teams spoke / Notify plugin already has: adopt, never create.
TEAMS_SPOKE_ALIAS_ID = "sn_msteams_com_spk.MSTeamsCommunicationsSpoke"
OIDC_CONFIG_NAME = "Notify Teams OIDC Config"
BOT_FRAMEWORK_SCOPE = "https://api.botframework.com/.default"
