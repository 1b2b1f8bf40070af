"""The Table API over real HTTP: envelopes, string values, references, masking, codes, ACLs, rules."""

from __future__ import annotations

import re

import httpx
import pytest
from helpers.sandbox import client
from teams_notify.sandbox import Sandbox
from teams_notify.sandbox.dictionary import CLAIM_PROVIDER_COLUMN, TEAMS_CONFIG_TABLE, TEAMS_SPOKE_ALIAS_ID

CERTS = "/api/now/table/sys_certificate"
ALIASES_TABLE = "/api/now/table/sys_alias"


def _create(http: httpx.Client, table: str, **values: object) -> dict[str, object]:
    response = http.post(f"/api/now/table/{table}", json=values)
    assert response.status_code == 201, response.text
    return response.json()["result"]  # type: ignore[no-any-return]


def test_create_returns_every_value_as_a_string_with_system_fields(sandbox_admin: httpx.Client) -> None:
    record = _create(sandbox_admin, "sys_certificate", name="ks", active=True, type="key_store")
    assert re.fullmatch(r"[0-9a-f]{32}", str(record["sys_id"]))
    assert record["active"] == "true"
    assert record["short_description"] == ""  # columns not written come back empty
    assert record["sys_created_by"] == "admin"
    assert record["sys_mod_count"] == "0"
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", str(record["sys_created_on"]))
    assert all(isinstance(value, str) for value in record.values())


def test_integers_and_booleans_are_normalised(sandbox_admin: httpx.Client) -> None:
    record = _create(sandbox_admin, "jwt_provider", name="p", expiry_interval=60)
    assert record["expiry_interval"] == "60"
    again = _create(sandbox_admin, "sys_certificate", name="x", active="false")
    assert again["active"] == "false"


def test_unknown_columns_are_silently_ignored(sandbox_admin: httpx.Client, sandbox: Sandbox) -> None:
    marker = "unknown-column-value-5Tq"
    record = _create(sandbox_admin, "sys_certificate", name="ks", no_such_column=marker, sys_mod_count="9")
    assert "no_such_column" not in record
    stored = sandbox_admin.get(f"{CERTS}/{record['sys_id']}").json()["result"]
    assert "no_such_column" not in stored
    assert stored["sys_mod_count"] == "0"  # system fields are not writable either
    # Asked for by name, the column is still not there: it was never stored, not just unlisted.
    asked = sandbox_admin.get(f"{CERTS}/{record['sys_id']}", params={"sysparm_fields": "no_such_column,name"})
    assert asked.json()["result"] == {"name": "ks"}
    assert marker.encode() not in sandbox.db_path.read_bytes() + _wal_bytes(sandbox)


def test_password_fields_are_stored_but_come_back_masked(
    sandbox_admin: httpx.Client, sandbox: Sandbox
) -> None:
    record = _create(sandbox_admin, "sys_certificate", name="ks", key_store_password="s3cret-pw")
    assert record["key_store_password"] == "********"
    read = sandbox_admin.get(f"{CERTS}/{record['sys_id']}", params={"sysparm_fields": "key_store_password"})
    assert read.json()["result"] == {"key_store_password": "********"}
    assert "s3cret-pw" not in read.text
    unset = _create(sandbox_admin, "sys_certificate", name="no-password")
    assert unset["key_store_password"] == ""
    assert b"s3cret-pw" in sandbox.db_path.read_bytes() + _wal_bytes(sandbox)  # stored, only masked


def _wal_bytes(sandbox: Sandbox) -> bytes:
    wal = sandbox.db_path.with_name(sandbox.db_path.name + "-wal")
    return wal.read_bytes() if wal.exists() else b""


def test_references_come_back_as_link_and_value_unless_excluded(sandbox_admin: httpx.Client) -> None:
    cert = _create(sandbox_admin, "sys_certificate", name="ks")
    key = _create(sandbox_admin, "jwt_keystore_aliases", name="k", signing_keystore=cert["sys_id"])
    link = key["signing_keystore"]
    assert isinstance(link, dict)
    assert link["value"] == cert["sys_id"]
    assert sandbox_admin.get(link["link"]).json()["result"]["name"] == "ks"
    plain = sandbox_admin.get(
        f"/api/now/table/jwt_keystore_aliases/{key['sys_id']}",
        params={"sysparm_exclude_reference_link": "true"},
    ).json()["result"]
    assert plain["signing_keystore"] == cert["sys_id"]
    empty = _create(sandbox_admin, "jwt_keystore_aliases", name="no-ref")
    assert empty["signing_keystore"] == ""


def test_update_put_and_patch_and_mod_count(sandbox_admin: httpx.Client) -> None:
    record = _create(sandbox_admin, "sys_certificate", name="ks")
    url = f"{CERTS}/{record['sys_id']}"
    patched = sandbox_admin.patch(url, json={"name": "renamed"})
    assert patched.status_code == 200
    assert patched.json()["result"]["name"] == "renamed"
    assert patched.json()["result"]["sys_mod_count"] == "1"
    put = sandbox_admin.put(url, json={"name": "renamed"})  # no change: the record is not touched
    assert put.json()["result"]["sys_mod_count"] == "1"
    assert sandbox_admin.patch(f"{CERTS}/{'0' * 32}", json={"name": "x"}).status_code == 404


def test_delete_then_missing_record_404_body(sandbox_admin: httpx.Client) -> None:
    record = _create(sandbox_admin, "sys_certificate", name="ks")
    url = f"{CERTS}/{record['sys_id']}"
    assert sandbox_admin.delete(url).status_code == 204
    missing = sandbox_admin.get(url)
    assert missing.status_code == 404
    assert missing.json() == {
        "error": {
            "message": "No Record found",
            "detail": "Record doesn't exist or ACL restricts the record retrieval",
        },
        "status": "failure",
    }
    assert sandbox_admin.delete(url).status_code == 404


def test_unknown_table_and_malformed_json_are_400(sandbox_admin: httpx.Client) -> None:
    unknown = sandbox_admin.get("/api/now/table/u_nope")
    assert unknown.status_code == 400
    assert unknown.json()["error"]["message"] == "Invalid table u_nope"
    bad = sandbox_admin.post(CERTS, content=b"{not json", headers={"Content-Type": "application/json"})
    assert bad.status_code == 400
    assert bad.json()["status"] == "failure"
    assert sandbox_admin.post(CERTS, json=["a list"]).status_code == 400


def test_readonly_user_reads_but_gets_403_on_writes(sandbox_admin: httpx.Client, sandbox: Sandbox) -> None:
    record = _create(sandbox_admin, "sys_certificate", name="ks")
    url = f"{CERTS}/{record['sys_id']}"
    with client(sandbox, "readonly") as readonly:
        assert readonly.get(url).status_code == 200
        for response, operation in (
            (readonly.post(CERTS, json={"name": "x"}), "Insert"),
            (readonly.patch(url, json={"name": "x"}), "Update"),
            (readonly.delete(url), "Delete"),
        ):
            assert response.status_code == 403
            assert response.json()["error"] == {
                "message": "Operation Failed",
                "detail": f"ACL Exception {operation} Failed due to security constraints",
            }
    assert sandbox_admin.get(url).json()["result"]["name"] == "ks"


def test_bad_credentials_are_401(sandbox: Sandbox) -> None:
    with httpx.Client(base_url=sandbox.url, auth=("admin", "wrong")) as http:
        response = http.get(CERTS)
    assert response.status_code == 401
    assert response.json()["error"]["message"] == "User Not Authenticated"
    assert httpx.get(f"{sandbox.url}{CERTS}").status_code == 401


def test_oauth_client_credentials_and_password_grants(sandbox: Sandbox) -> None:
    def token(**form: str) -> httpx.Response:
        body = {"client_id": "sandbox-client", "client_secret": "sandbox-secret", **form}
        return httpx.post(f"{sandbox.url}/oauth_token.do", data=body)

    issued = token(grant_type="client_credentials")
    assert issued.status_code == 200
    assert issued.json()["token_type"] == "Bearer"
    assert issued.json()["expires_in"] == 1800
    admin = {"Authorization": f"Bearer {issued.json()['access_token']}"}
    assert httpx.post(f"{sandbox.url}{CERTS}", json={"name": "x"}, headers=admin).status_code == 201

    readonly = token(grant_type="password", username="readonly", password="readonly").json()["access_token"]
    as_readonly = {"Authorization": f"Bearer {readonly}"}
    assert httpx.post(f"{sandbox.url}{CERTS}", json={"name": "y"}, headers=as_readonly).status_code == 403

    assert token(grant_type="password", username="admin", password="nope").status_code == 401
    wrong = httpx.post(
        f"{sandbox.url}/oauth_token.do",
        data={"grant_type": "client_credentials", "client_id": "sandbox-client", "client_secret": "x"},
    )
    assert wrong.status_code == 401
    assert wrong.json()["error"] == "access_denied"

    sandbox.expire_tokens()
    assert httpx.get(f"{sandbox.url}{CERTS}", headers=admin).status_code == 401


def test_inserting_an_app_registry_creates_its_default_profile(sandbox_admin: httpx.Client) -> None:
    entity = _create(sandbox_admin, "oauth_entity", name="teams", default_grant_type="client_credentials")
    profiles = sandbox_admin.get(
        "/api/now/table/oauth_entity_profile",
        params={
            "sysparm_query": f"oauth_entity={entity['sys_id']}",
            "sysparm_exclude_reference_link": "true",
        },
    ).json()["result"]
    assert [(p["name"], p["default"], p["oauth_entity"]) for p in profiles] == [
        ("teams_default_profile", "true", entity["sys_id"])
    ]


def test_inserting_a_jwt_provider_creates_standard_claims(sandbox_admin: httpx.Client) -> None:
    provider = _create(sandbox_admin, "jwt_provider", name="p")
    back_ref = CLAIM_PROVIDER_COLUMN
    claims = sandbox_admin.get(
        "/api/now/table/jwt_claim_validation",
        params={"sysparm_query": f"{back_ref}={provider['sys_id']}^ORDERBYname"},
    ).json()["result"]
    assert [(c["name"], c["is_standard"], c["value"]) for c in claims] == [
        ("aud", "true", ""),
        ("iss", "true", ""),
        ("sub", "true", ""),
    ]


def test_new_instance_has_the_spoke_alias_and_a_teams_configuration(sandbox_admin: httpx.Client) -> None:
    aliases = sandbox_admin.get(
        "/api/now/table/sys_alias", params={"sysparm_query": f"id={TEAMS_SPOKE_ALIAS_ID}"}
    ).json()["result"]
    assert [(a["name"], a["type"]) for a in aliases] == [("MSTeamsCommunicationsSpoke", "credential")]
    configs = sandbox_admin.get(f"/api/now/table/{TEAMS_CONFIG_TABLE}").json()["result"]
    assert len(configs) == 1
    assert configs[0]["active"] == "false"
    assert configs[0]["azure_tenant_id"] == ""
    assert sandbox_admin.get("/api/now/table/oidc_provider_configuration").json()["result"] == []


def test_setting_the_app_registry_on_the_teams_configuration_creates_the_oidc_registry_once(
    sandbox_admin: httpx.Client,
) -> None:
    registry = _create(sandbox_admin, "oauth_entity", name="teams", client_id="c1")
    (config,) = sandbox_admin.get(f"/api/now/table/{TEAMS_CONFIG_TABLE}").json()["result"]
    for _ in range(2):
        response = sandbox_admin.patch(
            f"/api/now/table/{TEAMS_CONFIG_TABLE}/{config['sys_id']}",
            json={"app_registry": registry["sys_id"]},
        )
        assert response.status_code == 200
    params = {"sysparm_exclude_reference_link": "true"}
    (oidc_config,) = sandbox_admin.get("/api/now/table/oidc_provider_configuration").json()["result"]
    (entity,) = sandbox_admin.get("/api/now/table/oauth_oidc_entity", params=params).json()["result"]
    assert oidc_config["name"] == entity["name"] == "Notify Teams OIDC Config"
    assert (entity["client_id"], entity["oidc_provider_configuration"]) == ("c1", oidc_config["sys_id"])


def test_insert_takes_a_client_chosen_sys_id_and_refuses_a_taken_one(sandbox_admin: httpx.Client) -> None:
    chosen = "0123456789abcdef0123456789abcdef"
    created = sandbox_admin.post(ALIASES_TABLE, json={"sys_id": chosen, "name": "chosen"})
    assert created.status_code == 201 and created.json()["result"]["sys_id"] == chosen
    again = sandbox_admin.post(ALIASES_TABLE, json={"sys_id": chosen, "name": "twin"})
    assert again.status_code == 403
    assert again.json() == {
        "error": {
            "message": "Operation Failed",
            "detail": f"Error during insert of sys_alias ({chosen}): Unique Key violation detected by "
            f"database (Duplicate entry '{chosen}' for key 'PRIMARY')",
        },
        "status": "failure",
    }
    stored = sandbox_admin.get(f"{ALIASES_TABLE}/{chosen}").json()["result"]
    assert stored["name"] == "chosen"  # the refused insert wrote nothing
    assert sandbox_admin.get(ALIASES_TABLE, params={"sysparm_query": "name=twin"}).json()["result"] == []
    # The same sys_id in another table is another record.
    assert sandbox_admin.post("/api/now/table/sys_certificate", json={"sys_id": chosen}).status_code == 201


@pytest.mark.parametrize("shape", ["0123456789ABCDEF0123456789ABCDEF", "abc", 12345, ""])
def test_insert_ignores_a_sys_id_of_another_shape(sandbox_admin: httpx.Client, shape: object) -> None:
    created = sandbox_admin.post(ALIASES_TABLE, json={"sys_id": shape, "name": "shape"}).json()["result"]
    assert created["sys_id"] != shape and re.fullmatch(r"[0-9a-f]{32}", created["sys_id"])
