"""What a real instance does by itself: business rules on insert, and the records it already has.

Table and column names come from the catalog, so a rename there moves the sandbox with it.
"""

from __future__ import annotations

import uuid

from teams_notify.catalog import TABLES, TEAMS_SPOKE_ALIAS_ID
from teams_notify.sandbox.accounts import USERS
from teams_notify.sandbox.dictionary import catalog_tables, schema_rows
from teams_notify.sandbox.records import Records, now_text
from teams_notify.sandbox.store import Record

STANDARD_CLAIMS = ("aud", "iss", "sub")
SCOPES = {"global": "Global", "sn_notify_msteams": "Notify - Microsoft Teams"}


def _col(table_key: str, column_key: str) -> str:
    return TABLES[table_key].columns[column_key].name


def create_default_profile(records: Records, table: str, record: Record, user: str) -> None:
    """Saving an application registry creates its default profile `<name>_default_profile`."""
    if table != TABLES["oauth_entity"].name:
        return
    records.insert(
        TABLES["oauth_profile"].name,
        {
            _col("oauth_profile", "name"): f"{record.get(_col('oauth_entity', 'name'), '')}_default_profile",
            _col("oauth_profile", "oauth_entity"): record["sys_id"],
            _col("oauth_profile", "default"): "true",
            _col("oauth_profile", "grant_type"): record.get(_col("oauth_entity", "default_grant_type"), ""),
        },
        user,
    )


def create_standard_claims(records: Records, table: str, record: Record, user: str) -> None:
    """Saving a JWT provider creates its standard claims aud, iss and sub with empty values."""
    if table != TABLES["jwt_provider"].name:
        return
    for claim in STANDARD_CLAIMS:
        records.insert(
            TABLES["jwt_claim"].name,
            {
                _col("jwt_claim", "name"): claim,
                _col("jwt_claim", "value"): "",
                _col("jwt_claim", "is_standard"): "true",
                _col("jwt_claim", "data_type"): "string",
                _col("jwt_claim", "jwt_provider"): record["sys_id"],
            },
            user,
        )


AFTER_INSERT = (create_default_profile, create_standard_claims)


def sync_schema(records: Records) -> None:
    """Add the schema rows of catalog tables and columns the database does not describe yet.

    Runs on every start, so a catalog that gained a table or column is served without a new
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
        rows = schema_rows(catalog_tables(), scope_ids)
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
        records.insert(
            TABLES["alias"].name,
            {
                _col("alias", "id"): TEAMS_SPOKE_ALIAS_ID,
                _col("alias", "name"): TEAMS_SPOKE_ALIAS_ID.rsplit(".", 1)[1],
                _col("alias", "type"): "credential",
            },
            "system",
        )
        records.insert(TABLES["teams_config"].name, {_col("teams_config", "active"): "false"}, "system")
        records.store.set_meta("seeded", "1")
