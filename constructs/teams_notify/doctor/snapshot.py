"""What the instance actually holds: the Teams configuration and every record it leads to.

Reading starts where ServiceNow starts when Notify places a call, the Teams configuration, and
follows its references (app registry -> JWT provider -> JWT key -> keystore + JKS; requester
credential -> profile; credential alias), then looks up the OIDC registry and the provider
selector. Table and column names come from the tenant config (`TenantConfig.table/.column`),
so overrides for another release are followed. Nothing here judges; the checks do.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from terraform_provider_servicenow.exceptions import UnknownTableError

from teams_notify.catalog import OIDC_CONFIG_NAME
from teams_notify.config import TenantConfig

if TYPE_CHECKING:
    from terraform_provider_servicenow.client import ServiceNowClient

JKS_SUFFIX = ".jks"
MAX_ROWS = 200

# Every (table key, column key) the doctor reads; the names check looks each up on the instance.
READS: dict[str, tuple[str, ...]] = {
    "teams_config": (
        "credential_alias",
        "application_registry",
        "tenant_id",
        "requester",
        "service_user_azure_id",
        "active",
    ),
    "oauth_entity": (
        "name",
        "type",
        "client_id",
        "default_grant_type",
        "send_client_credentials_as",
        "jwt_provider",
        "active",
    ),
    "credential": ("name", "oauth_entity_profile", "active", "credential_alias"),
    "oauth_profile": ("oauth_entity", "jwt_provider"),
    "alias": ("id",),
    "jwt_provider": ("name", "jwt_keystore_alias", "expiry_interval"),
    "jwt_claim": ("name", "value", "jwt_provider"),
    "jwt_key": ("name", "signing_keystore", "signing_algorithm", "kid", "active", "include_x5t"),
    "certificate": ("name", "type", "active"),
    "oidc_config": ("name",),
    "oidc_entity": ("client_id", "oidc_provider_configuration", "active"),
    "selector": ("name", "active"),
    "selector_choice": ("selector", "conference_provider"),
}


@dataclass(frozen=True)
class Row:
    """One record, read by logical column key under the instance's column names."""

    tenant: TenantConfig
    table_key: str
    data: dict[str, Any]

    def __getitem__(self, column_key: str) -> str:
        value = self.data.get(self.tenant.column(self.table_key, column_key), "")
        if isinstance(value, dict):  # a reference with its link, when links were not excluded
            value = value.get("value", "")
        return str(value)

    @property
    def sys_id(self) -> str:
        return str(self.data.get("sys_id", ""))

    @property
    def table(self) -> str:
        return self.tenant.table(self.table_key)

    def label(self, column_key: str) -> str:
        """`table.column` under the instance's names, for messages."""
        return f"{self.table}.{self.tenant.column(self.table_key, column_key)}"

    def describe(self) -> str:
        name = self.data.get("name") or self.data.get("id") or self.sys_id
        return f"{self.table} '{name}'"


@dataclass(frozen=True)
class JksFile:
    file_name: str
    content: bytes


@dataclass
class Snapshot:
    """The records as found; None / empty where a link led nowhere."""

    instance_url: str
    teams_configs: list[Row] = field(default_factory=list)
    registry: Row | None = None
    credential: Row | None = None
    profile: Row | None = None
    alias: Row | None = None
    provider: Row | None = None
    claims: dict[str, Row] = field(default_factory=dict)
    jwt_key: Row | None = None
    keystore: Row | None = None
    jks_files: list[JksFile] = field(default_factory=list)
    oidc_configs: list[Row] = field(default_factory=list)
    oidc_entities: list[Row] = field(default_factory=list)
    selectors: list[Row] = field(default_factory=list)
    selector_choices: list[Row] = field(default_factory=list)

    @property
    def teams_config(self) -> Row | None:
        """The Teams configuration, when there is exactly one."""
        return self.teams_configs[0] if len(self.teams_configs) == 1 else None

    @property
    def jks(self) -> JksFile | None:
        return self.jks_files[0] if len(self.jks_files) == 1 else None


class Reader:
    """Table API reads with the tenant's names; lookups match exactly on the client side too."""

    def __init__(self, client: ServiceNowClient, tenant: TenantConfig) -> None:
        self.client = client
        self.tenant = tenant

    def where(self, table_key: str, *, query: str = "", **equal: str) -> list[Row]:
        """Records whose logical columns equal the given values (and that match `query`)."""
        wanted = {self.tenant.column(table_key, key): value for key, value in equal.items()}
        # A value holding `^` would end its term early and change the query (DESIGN pitfall 5):
        # such terms are left to the exact client-side comparison below.
        terms = [f"{column}={value}" for column, value in wanted.items() if "^" not in value]
        full_query = "^".join([query, *terms] if query else terms)
        try:
            rows = self.client.query(self.tenant.table(table_key), full_query, None, MAX_ROWS)
        except UnknownTableError:
            return []  # the names check reports the missing table with its override
        return [
            Row(self.tenant, table_key, row)
            for row in rows
            if all(_plain(row.get(column)) == value for column, value in wanted.items())
        ]

    def follow(self, row: Row | None, column_key: str, target_key: str) -> Row | None:
        """The record a reference column of `row` points at; None when empty or dangling."""
        if row is None or not row[column_key]:
            return None
        try:
            found = self.client.get_record(self.tenant.table(target_key), row[column_key])
        except UnknownTableError:
            return None
        return None if found is None else Row(self.tenant, target_key, found)

    def jks_files(self, keystore: Row | None) -> list[JksFile]:
        if keystore is None:
            return []
        query = f"table_name={keystore.table}^table_sys_id={keystore.sys_id}"
        files = []
        for meta in self.client.query("sys_attachment", query, None, MAX_ROWS):
            name = str(meta.get("file_name", ""))
            if name.lower().endswith(JKS_SUFFIX) and meta.get("table_sys_id") == keystore.sys_id:
                content = self.client.download_attachment(str(meta["sys_id"]))
                if content is not None:
                    files.append(JksFile(name, content))
        return files


def _plain(value: Any) -> str:
    return str(value.get("value", "")) if isinstance(value, dict) else str(value or "")


def read_snapshot(client: ServiceNowClient, tenant: TenantConfig, instance_url: str) -> Snapshot:
    """Read the Teams configuration and everything it leads to."""
    r = Reader(client, tenant)
    snap = Snapshot(instance_url)
    snap.teams_configs = r.where("teams_config", query=tenant.servicenow.teams_config_query)
    config = snap.teams_config
    snap.registry = r.follow(config, "application_registry", "oauth_entity")
    snap.credential = r.follow(config, "requester", "credential")
    if config is not None and config["credential_alias"]:
        snap.alias = next(iter(r.where("alias", id=config["credential_alias"])), None)
    snap.profile = r.follow(snap.credential, "oauth_entity_profile", "oauth_profile")
    snap.provider = r.follow(snap.registry, "jwt_provider", "jwt_provider") or r.follow(
        snap.profile, "jwt_provider", "jwt_provider"
    )
    if snap.provider is not None:
        snap.claims = {c["name"]: c for c in r.where("jwt_claim", jwt_provider=snap.provider.sys_id)}
    snap.jwt_key = r.follow(snap.provider, "jwt_keystore_alias", "jwt_key")
    snap.keystore = r.follow(snap.jwt_key, "signing_keystore", "certificate")
    snap.jks_files = r.jks_files(snap.keystore)
    snap.oidc_configs = r.where("oidc_config", name=OIDC_CONFIG_NAME)
    if snap.registry is not None and snap.registry["client_id"]:
        snap.oidc_entities = r.where("oidc_entity", client_id=snap.registry["client_id"])
    snap.selectors = r.where("selector", name=tenant.servicenow.selector.name)
    for selector in snap.selectors:
        snap.selector_choices += r.where("selector_choice", selector=selector.sys_id)
    return snap
