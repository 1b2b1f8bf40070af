"""The sandbox's own dictionary (not the product's catalog): sys_db_object / sys_dictionary /
sys_choice rows for every table, with labels and types; names that no public source shows differ
from the product's defaults; and a schema tests can change."""

from __future__ import annotations

import ast
from pathlib import Path

import httpx
import teams_notify.sandbox
from teams_notify.catalog import TABLES
from teams_notify.sandbox.dictionary import INSTANCE_TABLES, TEAMS_CONFIG_TABLE, UNPUBLISHED_NAMES

SYSTEM_TABLES = {"sys_user", "sys_db_object", "sys_dictionary", "sys_choice", "sys_attachment"}
SANDBOX_DIR = Path(teams_notify.sandbox.__file__).parent


def _rows(http: httpx.Client, table: str, query: str = "") -> list[dict[str, str]]:
    params = {"sysparm_query": query, "sysparm_exclude_reference_link": "true"}
    response = http.get(f"/api/now/table/{table}", params=params)
    assert response.status_code == 200, response.text
    return response.json()["result"]  # type: ignore[no-any-return]


def test_every_instance_and_system_table_has_a_sys_db_object_row(sandbox_admin: httpx.Client) -> None:
    names = {row["name"] for row in _rows(sandbox_admin, "sys_db_object")}
    assert {table.name for table in INSTANCE_TABLES} | SYSTEM_TABLES <= names


def test_every_column_has_a_dictionary_row_with_label_type_and_reference(sandbox_admin: httpx.Client) -> None:
    for table in INSTANCE_TABLES:
        rows = {row["element"]: row for row in _rows(sandbox_admin, "sys_dictionary", f"name={table.name}")}
        for column in table.columns.values():
            row = rows[column.name]
            assert (row["internal_type"], row["reference"]) == (column.type, column.reference), column
            assert row["column_label"] == column.label and column.label, column


def test_choice_columns_have_choice_rows_with_labels(sandbox_admin: httpx.Client) -> None:
    query = "name=oauth_entity^element=send_client_credentials_as^ORDERBYsequence"
    rows = _rows(sandbox_admin, "sys_choice", query)
    assert [(row["value"], row["label"]) for row in rows] == [
        ("request_body_parameter", "As Request Body Parameter"),
        ("basic_authorization_header", "As Basic Authorization Header"),
        ("jwt_client_assertion", "As Private Key JWT"),
    ]


def test_tables_can_be_found_by_scope_with_a_dot_walked_query(sandbox_admin: httpx.Client) -> None:
    rows = _rows(sandbox_admin, "sys_db_object", "sys_scope.scope=sn_notify_msteams")
    assert sorted(row["name"] for row in rows) == [TEAMS_CONFIG_TABLE, "sn_notify_msteams_meeting"]
    global_row = _rows(sandbox_admin, "sys_db_object", "name=sys_certificate")[0]
    assert global_row["sys_scope"] == "global"  # like an instance: the global scope's sys_id is "global"


def test_unpublished_names_differ_from_the_product_defaults() -> None:
    # The point of the sandbox's own dictionary: a wrong guess in the catalog cannot pass the tests.
    defaults = {t.name for t in TABLES.values()}
    defaults |= {f"{t.name}.{c.name}" for t in TABLES.values() for c in t.columns.values()}
    defaults |= {
        f"{t.name}.{c.name} = {choice.value}"
        for t in TABLES.values()
        for c in t.columns.values()
        for choice in c.choices
    }
    assert len(UNPUBLISHED_NAMES) == 12
    assert not set(UNPUBLISHED_NAMES) & defaults
    # ... while every confirmed name is spelled the same on both sides.
    sandbox = {t.name: t for t in INSTANCE_TABLES}
    for table in TABLES.values():
        if table.evidence.confidence == "confirmed":
            confirmed = [c.name for c in table.columns.values() if c.evidence.confidence == "confirmed"]
            assert set(confirmed) <= set(sandbox[table.name].columns), table.name


def test_the_sandbox_imports_nothing_of_the_product() -> None:
    allowed = ("teams_notify.sandbox", "teams_notify.errors")  # errors: the CLI's exit-code convention
    for module in sorted(SANDBOX_DIR.glob("*.py")):
        tree = ast.parse(module.read_text())
        for node in ast.walk(tree):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            for name in names:
                if name.startswith("teams_notify"):
                    assert name.startswith(allowed), f"{module.name} imports {name}"


def test_deleting_a_dictionary_row_makes_writes_to_that_column_ignored(sandbox_admin: httpx.Client) -> None:
    # How a test plays an instance of a release where a column has another name.
    (row,) = _rows(sandbox_admin, "sys_dictionary", "name=oauth_entity^element=send_client_credentials_as")
    assert sandbox_admin.delete(f"/api/now/table/sys_dictionary/{row['sys_id']}").status_code == 204
    created = sandbox_admin.post(
        "/api/now/table/oauth_entity",
        json={"name": "a", "send_client_credentials_as": "request_body_parameter"},
    ).json()["result"]
    assert "send_client_credentials_as" not in created
    assert created["name"] == "a"
