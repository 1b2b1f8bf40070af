"""The ServiceNow tables, columns and choice values this project writes, with the evidence for each name.

One source of truth for the ServiceNow stack (default names, overridable per tenant), the schema
check (compares our names with a real instance before anything is written) and the schema
discovery (finds the instance's names for the ones no public source shows, by label and type).
The sandbox does NOT read this: it carries its own dictionary (teams_notify.sandbox.dictionary),
so a wrong name here is caught by the tests instead of being copied into the sandbox.

Every table, column and choice value carries its `Evidence`: which public source shows the name
and how sure that makes us (`confirmed`, `label only`: the form label is documented, the name is
not; `not found`). docs/config.md shows the table (`names_markdown()`); tenant config may override
every name (DESIGN.md "ServiceNow tables").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

ColumnType = Literal[
    "string", "boolean", "integer", "reference", "password2", "choice", "glide_date_time", "glide_list"
]
Confidence = Literal["confirmed", "label only", "not found"]

# Short source keys -> what they are (DESIGN.md "ServiceNow tables" lists the same).
SOURCES: dict[str, str] = {
    "docs": "ServiceNow documentation (public GitHub repository ServiceNow/ServiceNowDocs)",
    "templates": "connection-template JSON examples in ServiceNow's documentation",
    "ms-zurich": "microsoft/copilot-servicenow-connector-setup-scripts (names checked on a Zurich instance)",
    "typings": "older published table typings",
}


@dataclass(frozen=True)
class Evidence:
    """How sure we are of one name, and where that comes from."""

    confidence: Confidence
    sources: tuple[str, ...] = ()
    note: str = ""

    @property
    def verify(self) -> bool:
        """Check this name on the instance (schema check / discover) before trusting it."""
        return self.confidence != "confirmed"


def confirmed(*sources: str, note: str = "") -> Evidence:
    return Evidence("confirmed", sources, note)


def label_only(*sources: str, note: str = "") -> Evidence:
    return Evidence("label only", sources, note)


def not_found(note: str = "") -> Evidence:
    return Evidence("not found", (), note)


DOCS = confirmed("docs")
DOCS_TYPINGS = confirmed("docs", "typings")
ZURICH = confirmed("ms-zurich")


@dataclass(frozen=True)
class Choice:
    """One value of a choice column: logical key (what the stacks write), stored value, form label."""

    key: str
    value: str
    label: str
    evidence: Evidence


@dataclass(frozen=True)
class Column:
    """One column: default name, internal type, target of a reference (logical table key),
    form label (what discovery looks for when the name is not known) and evidence."""

    name: str
    type: ColumnType = "string"
    reference: str | None = None
    label: str = ""
    evidence: Evidence = DOCS
    choices: tuple[Choice, ...] = ()

    @property
    def verify(self) -> bool:
        return self.evidence.verify

    def choice(self, key: str) -> Choice:
        return next(c for c in self.choices if c.key == key)

    def choice_keys(self) -> list[str]:
        return [c.key for c in self.choices]


@dataclass(frozen=True)
class Table:
    """One table: default name, label, scope (where discovery looks), columns by logical key."""

    name: str
    label: str
    columns: dict[str, Column] = field(default_factory=dict)
    evidence: Evidence = DOCS
    scope: str = "global"

    @property
    def verify(self) -> bool:
        return self.evidence.verify


def _c(
    name: str, type: ColumnType = "string", label: str = "", evidence: Evidence = DOCS, **kw: object
) -> Column:
    return Column(name, type, label=label or name.replace("_", " ").capitalize(), evidence=evidence, **kw)  # type: ignore[arg-type]


def _choices(evidence: Evidence, *values: tuple[str, str] | tuple[str, str, str]) -> tuple[Choice, ...]:
    """Choices whose key is their stored value: (value, label) or (key, value, label)."""
    out = []
    for item in values:
        key, value, label = item if len(item) == 3 else (item[0], *item)
        out.append(Choice(key, value, label, evidence))
    return tuple(out)


# Logical table key -> table. Logical keys are what tenant-config overrides name.
TABLES: dict[str, Table] = {
    "certificate": Table(
        "sys_certificate",
        "X.509 Certificate",
        {
            "name": _c("name"),
            "type": _c(
                "type",
                "choice",
                choices=_choices(
                    label_only("docs", note="labels documented; stored values assumed"),
                    ("trust_store", "Trust Store Cert"),
                    ("key_store", "Java Key Store"),
                    ("pkcs12_key_store", "PKCS12 Key Store"),
                ),
            ),
            "format": _c(
                "format",
                "choice",
                choices=_choices(not_found("values assumed"), ("pem", "PEM"), ("der", "DER")),
            ),
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
            "signing_algorithm": _c(
                "signing_algorithm", "choice", choices=_choices(DOCS, ("rsa_256", "RSA 256"))
            ),
            "kid": _c("kid"),
            "active": _c("active", "boolean"),
            "certificate_thumbprint": _c("certificate_thumbprint"),
            # "X.509 Certificate SHA-1 Thumbprint (x5t)" = true puts x5t in the JWT header; the
            # field is added to the form by hand, its column name is nowhere public.
            "include_x5t": _c(
                "x509_sha1_thumbprint",
                "boolean",
                "X.509 Certificate SHA-1 Thumbprint (x5t)",
                label_only("docs", note="form label only"),
            ),
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
            "data_type": _c("data_type", "choice", choices=_choices(DOCS, ("string", "String"))),
            # The reference back to the provider: found by its target (jwt_provider), not its name.
            "jwt_provider": _c(
                "jwt_provider",
                "reference",
                "JWT Provider",
                not_found("back-reference"),
                reference="jwt_provider",
            ),
        },
    ),
    "oauth_entity": Table(
        "oauth_entity",
        "Application Registry",
        {
            "name": _c("name"),
            "type": _c(
                "type",
                "choice",
                choices=_choices(not_found("DESIGN.md: consumer = outbound"), ("consumer", "Consumer")),
            ),
            "client_id": _c("client_id"),
            "client_secret": _c("client_secret", "password2"),
            "default_grant_type": _c(
                "default_grant_type",
                "choice",
                choices=_choices(
                    confirmed("templates"),
                    ("client_credentials", "Client Credentials"),
                    ("jwt_bearer", "urn:ietf:params:oauth:grant-type:jwt-bearer", "JWT Bearer"),
                ),
            ),
            "token_url": _c("token_url"),
            "send_client_credentials_as": _c(
                "send_client_credentials_as",
                "choice",
                "Send Credentials",
                choices=(
                    *_choices(
                        confirmed("ms-zurich", "templates"),
                        ("body", "request_body_parameter", "As Request Body Parameter"),
                        ("basic_auth", "basic_authorization_header", "As Basic Authorization Header"),
                    ),
                    Choice(
                        "private_key_jwt",
                        "private_key_jwt",
                        "As Private Key JWT",
                        not_found("form label only"),
                    ),
                ),
            ),
            "jwt_provider": _c(
                "jwt_provider", "reference", "JWT Provider", label_only("docs"), reference="jwt_provider"
            ),
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
                "grant_type", "choice", choices=_choices(DOCS, ("client_credentials", "Client Credentials"))
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
            "oauth_entity_profile": _c(
                "oauth_entity_profile", "reference", "OAuth Entity Profile", reference="oauth_profile"
            ),
            "active": _c("active", "boolean"),
            "order": _c("order", "integer"),
            # The multi-value "Credential alias" field: a list of sys_alias sys_ids.
            "credential_alias": _c(
                "tag", "glide_list", "Credential alias", label_only("docs"), reference="alias"
            ),
        },
    ),
    "alias": Table(
        "sys_alias",
        "Connection & Credential Alias",
        {
            "id": _c("id"),
            "name": _c("name"),
            "type": _c(
                "type",
                "choice",
                choices=_choices(DOCS, ("connection", "Connection"), ("credential", "Credential")),
            ),
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
    # Inside scope sn_notify_msteams; neither the table nor its column names are public: discover.
    "teams_config": Table(
        "sn_notify_msteams_configuration",
        "Microsoft Teams Configuration",
        {
            "credential_alias": _c("credential_alias", label="Credential Alias", evidence=label_only("docs")),
            "application_registry": _c(
                "application_registry",
                "reference",
                "Application registry",
                label_only("docs"),
                reference="oauth_entity",
            ),
            "tenant_id": _c("tenant_id", label="Tenant ID", evidence=label_only("docs")),
            "requester": _c(
                "requester", "reference", "Requester", label_only("docs"), reference="credential"
            ),
            "service_user_azure_id": _c(
                "service_user_azure_id", label="Service user Azure ID", evidence=label_only("docs")
            ),
            "enable_create_online_meeting": _c(
                "enable_create_online_meeting", "boolean", "Enable create online meeting", label_only("docs")
            ),
            "active": _c("active", "boolean", evidence=not_found()),
        },
        evidence=not_found("only the scope sn_notify_msteams is public"),
        scope="sn_notify_msteams",
    ),
    "oidc_entity": Table(
        "oauth_oidc_entity",
        "OIDC Application Registry",
        {
            "name": _c("name", evidence=ZURICH),
            "client_id": _c("client_id", evidence=ZURICH),
            "oidc_provider_configuration": _c(
                "oidc_provider_configuration",
                "reference",
                "OAuth OIDC Provider Configuration",
                ZURICH,
                reference="oidc_config",
            ),
            "default_grant_type": _c(
                "default_grant_type",
                "choice",
                choices=_choices(confirmed("templates"), ("client_credentials", "Client Credentials")),
            ),
            "active": _c("active", "boolean", evidence=ZURICH),
        },
        evidence=ZURICH,
    ),
    "oidc_config": Table(
        "oidc_provider_configuration",
        "OIDC Provider Configuration",
        {
            "name": _c("name", evidence=ZURICH),
            "metadata_url": _c("oidc_url", label="OIDC Metadata URL", evidence=ZURICH),
        },
        evidence=ZURICH,
    ),
    "selector": Table(
        "notify_group_selector",
        "Notify Provider Selector",
        {
            "name": _c("name", label="Name", evidence=label_only("docs")),
            "order": _c("order", "integer", "Order", label_only("docs")),
            "table": _c("table", label="Source table", evidence=label_only("docs")),
            "condition": _c("condition", label="Condition", evidence=label_only("docs")),
            "active": _c("active", "boolean", "Active", label_only("docs")),
            "catch_all": _c("default", "boolean", "Catch-all", label_only("docs")),
            "manual_selection": _c("manual_selection", "boolean", "Manual selection", label_only("docs")),
        },
    ),
    "selector_choice": Table(
        "notify_group_selector_choice",
        "Notify Provider Selector Choice",
        {
            "selector": _c(
                "notify_group_selector",
                "reference",
                "Notify group selector",
                not_found(),
                reference="selector",
            ),
            "conference_provider": _c("conference_provider", evidence=not_found()),
            "notify_group": _c("notify_group", label="Notify number group", evidence=not_found()),
            "order": _c("order", "integer", evidence=not_found()),
        },
    ),
}

# Records every instance with the Teams spoke / Notify plugin already has: adopt, never create.
TEAMS_SPOKE_ALIAS_ID = "sn_msteams_com_spk.MSTeamsCommunicationsSpoke"
# Created by the instance when the app registry is set on the Teams configuration (DESIGN.md).
OIDC_CONFIG_NAME = "Notify Teams OIDC Config"
BOT_FRAMEWORK_SCOPE = "https://api.botframework.com/.default"


def _evidence_cell(evidence: Evidence) -> str:
    sources = ", ".join(evidence.sources)
    text = evidence.confidence + (f" ({sources})" if sources else "")
    return text + (f"; {evidence.note}" if evidence.note else "")


def names_markdown() -> str:
    """The catalog as a Markdown table (docs/config.md "Names and their evidence" is this text)."""
    lines = [
        "| key | name on the instance (default) | type | label | evidence |",
        "|---|---|---|---|---|",
    ]
    for key, table in TABLES.items():
        scope = "" if table.scope == "global" else f" (scope `{table.scope}`)"
        lines.append(
            f"| `{key}` | `{table.name}`{scope} | table | {table.label} | {_evidence_cell(table.evidence)} |"
        )
        for col_key, col in table.columns.items():
            target = f" → `{TABLES[col.reference].name}`" if col.reference else ""
            evidence = _evidence_cell(col.evidence)
            lines.append(
                f"| `{key}.{col_key}` | `{col.name}` | {col.type}{target} | {col.label} | {evidence} |"
            )
            for choice in col.choices:
                lines.append(
                    f"| `{key}.{col_key}.{choice.key}` | `{choice.value}` | choice value | {choice.label} "
                    f"| {_evidence_cell(choice.evidence)} |"
                )
    legend = "; ".join(f"`{k}`: {v}" for k, v in SOURCES.items())
    note = (
        "Labels are the documented form labels where a name is `label only` or `not found` (what "
        "`schema discover` looks for); for the other columns they are derived from the name."
    )
    return "\n".join(lines) + f"\n\nSources: {legend}.\n\n{note}\n"
