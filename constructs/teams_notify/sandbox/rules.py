"""What a real instance does by itself: business rules on insert and update, and the records it
already has. Table and column names are the sandbox's own (`teams_notify.sandbox.dictionary`).
"""

from __future__ import annotations

import uuid

from teams_notify.sandbox.accounts import USERS
from teams_notify.sandbox.dictionary import (
    CLAIM_PROVIDER_COLUMN,
    OIDC_REGISTRY_NAME,
    TEAMS_CONFIG_APP_REGISTRY,
    TEAMS_CONFIG_TABLE,
    TEAMS_SCOPE,
    TEAMS_SPOKE_ALIAS_ID,
    instance_tables,
    schema_rows,
)
from teams_notify.sandbox.records import Records, now_text
from teams_notify.sandbox.store import Record

STANDARD_CLAIMS = ("aud", "iss", "sub")
SCOPES = {"global": "Global", TEAMS_SCOPE: "Notify - Microsoft Teams"}


def create_default_profile(records: Records, table: str, record: Record, user: str) -> None:
    """Saving an application registry creates its default profile `<name>_default_profile`."""
    if table != "oauth_entity":
        return
    records.insert(
        "oauth_entity_profile",
        {
            "name": f"{record.get('name', '')}_default_profile",
            "oauth_entity": record["sys_id"],
            "default": "true",
            "grant_type": record.get("default_grant_type", ""),
        },
        user,
    )


def create_standard_claims(records: Records, table: str, record: Record, user: str) -> None:
    """Saving a JWT provider creates its standard claims aud, iss and sub with empty values."""
    if table != "jwt_provider":
        return
    for claim in STANDARD_CLAIMS:
        records.insert(
            "jwt_claim_validation",
            {
                "name": claim,
                "value": "",
                "is_standard": "true",
                "data_type": "string",
                CLAIM_PROVIDER_COLUMN: record["sys_id"],
            },
            user,
        )


def create_oidc_registry(records: Records, table: str, record: Record, user: str) -> None:
    """Setting the app registry on the Teams configuration creates the "Notify Teams OIDC Config"
    OIDC registry (provider configuration + OIDC entity with the registry's client id), once."""
    registry_id = record.get(TEAMS_CONFIG_APP_REGISTRY, "")
    if table != TEAMS_CONFIG_TABLE or not registry_id:
        return
    registry = records.get("oauth_entity", registry_id)
    if registry is None or records.query("oidc_provider_configuration", f"name={OIDC_REGISTRY_NAME}"):
        return
    config = records.insert("oidc_provider_configuration", {"name": OIDC_REGISTRY_NAME}, user)
    values = {
        "name": OIDC_REGISTRY_NAME,
        "client_id": registry.get("client_id", ""),
        "oidc_provider_configuration": config["sys_id"],
        "active": "true",
    }
    records.insert("oauth_oidc_entity", values, user)


AFTER_INSERT = (create_default_profile, create_standard_claims, create_oidc_registry)
AFTER_UPDATE = (create_oidc_registry,)


def sync_schema(records: Records) -> None:
    """Add the schema rows of tables and columns the database does not describe yet.

    Runs on every start, so a dictionary that gained a table or column is served without a new
    database; rows already there (or deleted on purpose by a test) are left alone until then.
    Rows go straight into the store: the schema cannot be used to write its own first rows.
    """
    store = records.store
    with store.transaction():
        scope_ids = {row["scope"]: row["sys_id"] for row in store.all("sys_scope")}
        for scope, name in SCOPES.items():
            if scope not in scope_ids:
                scope_ids[scope] = "global" if scope == "global" else uuid.uuid4().hex
                store.insert("sys_scope", _system_record({"scope": scope, "name": name}, scope_ids[scope]))
        rows = schema_rows(instance_tables(), scope_ids)
        for table, keys in SCHEMA_KEYS.items():
            have = {tuple(row.get(k, "") for k in keys) for row in store.all(table)}
            for row in rows[table]:
                if tuple(row[k] for k in keys) not in have:
                    store.insert(table, _system_record(row, uuid.uuid4().hex))
    records.schema_changed()


SCHEMA_KEYS = {
    "sys_db_object": ("name",),
    "sys_dictionary": ("name", "element"),
    "sys_choice": ("name", "element", "value"),
}


def _system_record(row: dict[str, str], sys_id: str) -> Record:
    when = now_text()
    return {
        **row,
        "sys_id": sys_id,
        "sys_created_on": when,
        "sys_created_by": "system",
        "sys_updated_on": when,
        "sys_updated_by": "system",
        "sys_mod_count": "0",
    }


def seed(records: Records) -> None:
    """Records a new instance with the Teams spoke and Notify plugins already has (once per database)."""
    if records.store.get_meta("seeded"):
        return
    with records.store.transaction():
        for user in USERS.values():
            values = {"user_name": user.name, "name": user.name, "active": "true"}
            records.insert("sys_user", values, "system")
        alias = {
            "id": TEAMS_SPOKE_ALIAS_ID,
            "name": TEAMS_SPOKE_ALIAS_ID.rsplit(".", 1)[1],
            "type": "credential",
        }
        records.insert("sys_alias", alias, "system")
        records.insert(TEAMS_CONFIG_TABLE, {"active": "false"}, "system")
        records.store.set_meta("seeded", "1")
