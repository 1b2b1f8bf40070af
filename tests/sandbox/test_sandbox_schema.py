"""sys_db_object / sys_dictionary / sys_choice rows for every catalog table, and a schema tests can change."""

from __future__ import annotations

import httpx
from teams_notify.catalog import TABLES

SYSTEM_TABLES = {"sys_user", "sys_db_object", "sys_dictionary", "sys_choice", "sys_attachment"}


def _rows(http: httpx.Client, table: str, query: str = "") -> list[dict[str, str]]:
    params = {"sysparm_query": query, "sysparm_exclude_reference_link": "true"}
    response = http.get(f"/api/now/table/{table}", params=params)
    assert response.status_code == 200, response.text
    return response.json()["result"]  # type: ignore[no-any-return]


def test_every_catalog_and_system_table_has_a_sys_db_object_row(sandbox_admin: httpx.Client) -> None:
    names = {row["name"] for row in _rows(sandbox_admin, "sys_db_object")}
    assert {table.name for table in TABLES.values()} | SYSTEM_TABLES <= names


def test_every_catalog_column_has_a_dictionary_row_with_type_and_reference(
    sandbox_admin: httpx.Client,
) -> None:
    for table in TABLES.values():
        rows = {row["element"]: row for row in _rows(sandbox_admin, "sys_dictionary", f"name={table.name}")}
        for column in table.columns.values():
            row = rows[column.name]
            assert row["internal_type"] == column.type, (table.name, column.name)
            expected = TABLES[column.reference].name if column.reference else ""
            assert row["reference"] == expected, (table.name, column.name)


def test_choice_columns_have_choice_rows(sandbox_admin: httpx.Client) -> None:
    rows = _rows(sandbox_admin, "sys_choice", "name=sys_certificate^element=type^ORDERBYsequence")
    assert [row["value"] for row in rows] == list(TABLES["certificate"].columns["type"].choices)


def test_tables_can_be_found_by_scope_with_a_dot_walked_query(sandbox_admin: httpx.Client) -> None:
    rows = _rows(sandbox_admin, "sys_db_object", "sys_scope.scope=sn_notify_msteams")
    assert [row["name"] for row in rows] == [TABLES["teams_config"].name]
    global_row = _rows(sandbox_admin, "sys_db_object", "name=sys_certificate")[0]
    assert global_row["sys_scope"] == "global"  # like an instance: the global scope's sys_id is "global"


def test_deleting_a_dictionary_row_makes_writes_to_that_column_ignored(sandbox_admin: httpx.Client) -> None:
    # How a test plays an instance of a release where a "verify" column has another name.
    (row,) = _rows(sandbox_admin, "sys_dictionary", "name=oauth_entity^element=send_client_credentials_as")
    assert sandbox_admin.delete(f"/api/now/table/sys_dictionary/{row['sys_id']}").status_code == 204
    created = sandbox_admin.post(
        "/api/now/table/oauth_entity", json={"name": "a", "send_client_credentials_as": "private_key_jwt"}
    ).json()["result"]
    assert "send_client_credentials_as" not in created
    assert created["name"] == "a"
