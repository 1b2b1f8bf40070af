"""The sandbox's own dictionary: its tables, columns (labels, types, references) and choices
(values with labels), and the `sys_db_object` / `sys_dictionary` / `sys_choice` rows that
describe them.

Written from the public evidence about a real instance (DESIGN.md "ServiceNow tables"), NOT from
the product's catalog, which it never imports. Where no public source shows a name (the Teams
configuration table and its columns, the credential's alias column, the x5t flag, the app
registry's JWT provider column, the "As Private Key JWT" value, the claim's back-reference), the
sandbox uses a name of its own that differs from the product's default, as a real release might
(`UNPUBLISHED_NAMES`): tests then prove that `schema check` catches the product's guesses and
that `schema discover` finds these names by label and type.

The rows are seeded into the database, and the sandbox reads its schema back from those rows:
deleting a `sys_dictionary` row makes that column unknown (writes to it are ignored), which is how
a test can play an instance of another release.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

SCHEMA_TABLES = ("sys_db_object", "sys_dictionary", "sys_choice")


@dataclass(frozen=True)
class ColumnDef:
    """One column as the sandbox sees it; `reference` is a table name (not a catalog key)."""

    name: str
    type: str = "string"
    reference: str = ""
    label: str = ""


@dataclass(frozen=True)
class ChoiceDef:
    """One entry of a column's choice list: stored value and form label."""

    value: str
    label: str


@dataclass(frozen=True)
class TableDef:
    """One table: name, label, scope name and columns by name."""

    name: str
    label: str
    scope: str = "global"
    columns: dict[str, ColumnDef] = field(default_factory=dict)
    choices: dict[str, tuple[ChoiceDef, ...]] = field(default_factory=dict)


# Every record has these; the sandbox sets them and ignores them in writes.
SYSTEM_COLUMNS: tuple[ColumnDef, ...] = (
    ColumnDef("sys_id", "GUID", label="Sys ID"),
    ColumnDef("sys_created_on", "glide_date_time", label="Created"),
    ColumnDef("sys_created_by", label="Created by"),
    ColumnDef("sys_updated_on", "glide_date_time", label="Updated"),
    ColumnDef("sys_updated_by", label="Updated by"),
    ColumnDef("sys_mod_count", "integer", label="Updates"),
)
SYSTEM_COLUMN_NAMES = frozenset(c.name for c in SYSTEM_COLUMNS)


def _table(
    name: str,
    label: str,
    *columns: ColumnDef,
    scope: str = "global",
    choices: dict[str, tuple[ChoiceDef, ...]] | None = None,
) -> TableDef:
    return TableDef(name, label, scope, {c.name: c for c in columns}, choices or {})


def _col(name: str, type: str = "string", reference: str = "", label: str = "") -> ColumnDef:
    return ColumnDef(name, type, reference, label or name.replace("_", " ").capitalize())


def _choices(*pairs: tuple[str, str]) -> tuple[ChoiceDef, ...]:
    return tuple(ChoiceDef(value, label) for value, label in pairs)


SYSTEM_TABLES: tuple[TableDef, ...] = (
    _table(
        "sys_user",
        "User",
        ColumnDef("user_name"),
        ColumnDef("name"),
        ColumnDef("email"),
        ColumnDef("user_password", "password2"),
        ColumnDef("active", "boolean"),
    ),
    _table("sys_scope", "Application", ColumnDef("scope"), ColumnDef("name"), ColumnDef("version")),
    _table(
        "sys_db_object",
        "Table",
        ColumnDef("name"),
        ColumnDef("label"),
        ColumnDef("sys_scope", "reference", "sys_scope"),
    ),
    _table(
        "sys_dictionary",
        "Dictionary Entry",
        ColumnDef("name"),
        ColumnDef("element"),
        ColumnDef("column_label"),
        ColumnDef("internal_type"),
        ColumnDef("reference"),
        ColumnDef("active", "boolean"),
    ),
    _table(
        "sys_choice",
        "Choices",
        ColumnDef("name"),
        ColumnDef("element"),
        ColumnDef("value"),
        ColumnDef("label"),
        ColumnDef("sequence", "integer"),
        ColumnDef("inactive", "boolean"),
    ),
    _table(
        "sys_attachment",
        "Attachment",
        ColumnDef("file_name"),
        ColumnDef("content_type"),
        ColumnDef("size_bytes", "integer"),
        ColumnDef("hash"),
        ColumnDef("table_name"),
        ColumnDef("table_sys_id"),
    ),
)


TEAMS_SCOPE = "sn_notify_msteams"

# The names no public source shows, as this sandbox spells them (the product must discover them).
TEAMS_CONFIG_TABLE = "sn_notify_msteams_config"
TEAMS_CONFIG_APP_REGISTRY = "app_registry"
CREDENTIAL_ALIAS_COLUMN = "credential_aliases"
X5T_FLAG_COLUMN = "x5t_header"
REGISTRY_JWT_PROVIDER_COLUMN = "oauth_jwt_provider"
PRIVATE_KEY_JWT_VALUE = "jwt_client_assertion"
CLAIM_PROVIDER_COLUMN = "provider"
UNPUBLISHED_NAMES = (
    TEAMS_CONFIG_TABLE,
    *(f"{TEAMS_CONFIG_TABLE}.{c}" for c in ("alias", TEAMS_CONFIG_APP_REGISTRY, "azure_tenant_id")),
    *(
        f"{TEAMS_CONFIG_TABLE}.{c}"
        for c in ("requester_credential", "service_user_id", "create_online_meeting")
    ),
    f"oauth_2_0_credentials.{CREDENTIAL_ALIAS_COLUMN}",
    f"jwt_keystore_aliases.{X5T_FLAG_COLUMN}",
    f"oauth_entity.{REGISTRY_JWT_PROVIDER_COLUMN}",
    f"oauth_entity.send_client_credentials_as = {PRIVATE_KEY_JWT_VALUE}",
    f"jwt_claim_validation.{CLAIM_PROVIDER_COLUMN}",
)

# Created by the instance when the app registry is set on the Teams configuration.
OIDC_REGISTRY_NAME = "Notify Teams OIDC Config"
TEAMS_SPOKE_ALIAS_ID = "sn_msteams_com_spk.MSTeamsCommunicationsSpoke"

_GRANT_TYPES = _choices(
    ("authorization_code", "Authorization Code"),
    ("client_credentials", "Client Credentials"),
    ("password", "Resource Owner Password Credentials"),
    ("urn:ietf:params:oauth:grant-type:jwt-bearer", "JWT Bearer"),
)

INSTANCE_TABLES: tuple[TableDef, ...] = (
    _table(
        "sys_certificate",
        "X.509 Certificate",
        _col("name"),
        _col("type", "choice"),
        _col("format", "choice"),
        _col("key_store_password", "password2"),
        _col("active", "boolean"),
        _col("short_description"),
        _col("expires", "glide_date_time"),
        choices={
            "type": _choices(
                ("trust_store", "Trust Store Cert"),
                ("key_store", "Java Key Store"),
                ("pkcs12_key_store", "PKCS12 Key Store"),
            ),
            "format": _choices(("pem", "PEM"), ("der", "DER")),
        },
    ),
    _table(
        "jwt_keystore_aliases",
        "JWT Keys",
        _col("name"),
        _col("signing_keystore", "reference", "sys_certificate", "Signing Keystore"),
        _col("signing_key_password", "password2"),
        _col("signing_algorithm", "choice"),
        _col("kid", label="Key Id"),
        _col("active", "boolean"),
        _col("certificate_thumbprint"),
        _col(X5T_FLAG_COLUMN, "boolean", label="X.509 Certificate SHA-1 Thumbprint (x5t)"),
        choices={"signing_algorithm": _choices(("rsa_256", "RSA 256"), ("rsa_512", "RSA 512"))},
    ),
    _table(
        "jwt_provider",
        "JWT Provider",
        _col("name"),
        _col("jwt_keystore_alias", "reference", "jwt_keystore_aliases", "Signing Configuration"),
        _col("expiry_interval", "integer", label="Expiry Interval (sec)"),
    ),
    _table(
        "jwt_claim_validation",
        "JWT Claim",
        _col("name"),
        _col("value"),
        _col("is_standard", "boolean", label="Standard"),
        _col("data_type", "choice"),
        _col(CLAIM_PROVIDER_COLUMN, "reference", "jwt_provider", "Provider"),
        choices={"data_type": _choices(("string", "String"), ("integer", "Integer"), ("boolean", "Boolean"))},
    ),
    _table(
        "oauth_entity",
        "Application Registry",
        _col("name"),
        _col("type", "choice"),
        _col("client_id"),
        _col("client_secret", "password2"),
        _col("default_grant_type", "choice"),
        _col("token_url", label="Token URL"),
        _col("send_client_credentials_as", "choice", label="Send Credentials"),
        _col(REGISTRY_JWT_PROVIDER_COLUMN, "reference", "jwt_provider", "JWT Provider"),
        _col("active", "boolean"),
        choices={
            "type": _choices(
                ("client", "Client"), ("consumer", "Consumer"), ("oidc_provider", "OIDC Provider")
            ),
            "default_grant_type": _GRANT_TYPES,
            "send_client_credentials_as": _choices(
                ("request_body_parameter", "As Request Body Parameter"),
                ("basic_authorization_header", "As Basic Authorization Header"),
                (PRIVATE_KEY_JWT_VALUE, "As Private Key JWT"),
            ),
        },
    ),
    _table(
        "oauth_entity_profile",
        "OAuth Entity Profile",
        _col("name"),
        _col("oauth_entity", "reference", "oauth_entity", "OAuth Entity"),
        _col("jwt_provider", "reference", "jwt_provider", "JWT Provider"),
        _col("grant_type", "choice"),
        _col("default", "boolean", label="Is default"),
        choices={"grant_type": _GRANT_TYPES},
    ),
    _table(
        "oauth_entity_scope",
        "OAuth Entity Scope",
        _col("name"),
        _col("oauth_entity", "reference", "oauth_entity", "OAuth Entity"),
        _col("oauth_entity_scope", label="OAuth scope"),
    ),
    _table(
        "oauth_entity_profile_scope",
        "OAuth Entity Profile Scope",
        _col("oauth_entity_profile", "reference", "oauth_entity_profile", "OAuth Entity Profile"),
        _col("oauth_entity_scope", "reference", "oauth_entity_scope", "OAuth Entity Scope"),
    ),
    _table(
        "oauth_2_0_credentials",
        "OAuth 2.0 Credentials",
        _col("name"),
        _col("oauth_entity_profile", "reference", "oauth_entity_profile", "OAuth Entity Profile"),
        _col("active", "boolean"),
        _col("order", "integer"),
        _col(CREDENTIAL_ALIAS_COLUMN, "glide_list", "sys_alias", "Credential alias"),
    ),
    _table(
        "sys_alias",
        "Connection & Credential Alias",
        _col("id"),
        _col("name"),
        _col("type", "choice"),
        choices={"type": _choices(("connection", "Connection"), ("credential", "Credential"))},
    ),
    _table(
        "http_connection",
        "HTTP(s) Connection",
        _col("name"),
        _col("connection_alias", "reference", "sys_alias", "Connection alias"),
        _col("credential", "reference", "oauth_2_0_credentials", "Credential"),
        _col("connection_url", label="Connection URL"),
        _col("active", "boolean"),
    ),
    _table(
        TEAMS_CONFIG_TABLE,
        "Teams Configuration",
        _col("alias", label="Credential Alias"),
        _col(TEAMS_CONFIG_APP_REGISTRY, "reference", "oauth_entity", "Application registry"),
        _col("azure_tenant_id", label="Tenant ID"),
        _col("requester_credential", "reference", "oauth_2_0_credentials", "Requester"),
        _col("service_user_id", label="Service user Azure ID"),
        _col("create_online_meeting", "boolean", label="Enable create online meeting"),
        _col("active", "boolean"),
        scope=TEAMS_SCOPE,
    ),
    # A second table in the scope, so finding the configuration table takes more than "the only one".
    _table(
        "sn_notify_msteams_meeting",
        "Teams Meeting",
        _col("meeting_id", label="Meeting ID"),
        _col("organizer_tenant", label="Tenant ID"),
        _col("join_url", label="Join URL"),
        scope=TEAMS_SCOPE,
    ),
    _table(
        "oauth_oidc_entity",
        "OIDC Application Registry",
        _col("name"),
        _col("client_id"),
        _col(
            "oidc_provider_configuration",
            "reference",
            "oidc_provider_configuration",
            "OAuth OIDC Provider Configuration",
        ),
        _col("default_grant_type", "choice"),
        _col("active", "boolean"),
        choices={"default_grant_type": _GRANT_TYPES},
    ),
    _table(
        "oidc_provider_configuration",
        "OIDC Provider Configuration",
        _col("name"),
        _col("oidc_url", label="OIDC Metadata URL"),
        _col("oidc_config_cache_life_span", "integer", label="OIDC Configuration Cache Lifespan"),
        _col("user_claim"),
        _col("user_field"),
        _col("enable_jti_verification", "boolean", label="Enable JTI claim verification"),
    ),
    # Columns known by label only; the sandbox spells them as the product guesses (not in the brief's
    # list of names a release is known to hide).
    _table(
        "notify_group_selector",
        "Notify Provider Selector",
        _col("name"),
        _col("order", "integer"),
        _col("table", label="Source table"),
        _col("condition"),
        _col("active", "boolean"),
        _col("default", "boolean", label="Catch-all"),
        _col("manual_selection", "boolean"),
    ),
    _table(
        "notify_group_selector_choice",
        "Notify Provider Selector Choice",
        _col("notify_group_selector", "reference", "notify_group_selector", "Notify group selector"),
        _col("conference_provider"),
        _col("notify_group", label="Notify number group"),
        _col("order", "integer"),
    ),
)


def instance_tables() -> list[TableDef]:
    """The system tables plus the tables of the Teams spoke, Notify and OAuth plugins."""
    return [*SYSTEM_TABLES, *INSTANCE_TABLES]


def schema_rows(tables: Iterable[TableDef], scope_ids: dict[str, str]) -> dict[str, list[dict[str, str]]]:
    """The rows describing `tables`, by schema table; `scope_ids` maps scope name to sys_scope sys_id."""
    rows: dict[str, list[dict[str, str]]] = {name: [] for name in SCHEMA_TABLES}
    for table in tables:
        rows["sys_db_object"].append(
            {"name": table.name, "label": table.label, "sys_scope": scope_ids[table.scope]}
        )
        for col in (*SYSTEM_COLUMNS, *table.columns.values()):
            rows["sys_dictionary"].append(
                {
                    "name": table.name,
                    "element": col.name,
                    "column_label": col.label or col.name,
                    "internal_type": col.type,
                    "reference": col.reference,
                    "active": "true",
                }
            )
        for element, choices in table.choices.items():
            for sequence, choice in enumerate(choices):
                rows["sys_choice"].append(
                    {
                        "name": table.name,
                        "element": element,
                        "value": choice.value,
                        "label": choice.label,
                        "sequence": str(sequence),
                        "inactive": "false",
                    }
                )
    return rows


def tables_from_rows(
    db_objects: Iterable[dict[str, str]], dictionary: Iterable[dict[str, str]]
) -> dict[str, TableDef]:
    """Rebuild table definitions from `sys_db_object` and `sys_dictionary` rows."""
    tables = {row["name"]: TableDef(row["name"], row.get("label", "")) for row in db_objects}
    for row in dictionary:
        table = tables.get(row.get("name", ""))
        element = row.get("element", "")
        if table is not None and element and row.get("active", "true") == "true":
            table.columns[element] = ColumnDef(
                element, row.get("internal_type") or "string", row.get("reference", "")
            )
    return tables
