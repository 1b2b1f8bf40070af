"""Synth assertions on the example's ServiceNow stack: resource types, claims, references, x5t."""

from __future__ import annotations

import base64
import subprocess
from typing import Any

from helpers.constructs import Synthesized
from teams_notify.catalog import BOT_FRAMEWORK_SCOPE, OIDC_CONFIG_NAME, TEAMS_SPOKE_ALIAS_ID

STACK = "example-servicenow"
TENANT_ID = "0a1b2c3d-1111-4222-8333-444455556666"
CLIENT_ID_REF = "${var.entra_client_id}"


def records(stack: dict[str, Any], table: str) -> dict[str, dict[str, Any]]:
    return {k: v for k, v in stack["resource"]["servicenow_record"].items() if v["table"] == table}


def one(stack: dict[str, Any], table: str, **fields: str) -> tuple[str, dict[str, Any]]:
    found = [
        (k, v)
        for k, v in records(stack, table).items()
        if all(v["fields"].get(f) == val for f, val in fields.items())
    ]
    assert len(found) == 1, f"{table} {fields}: {found}"
    return found[0]


def ref(name: str) -> str:
    return f"${{servicenow_record.{name}.sys_id}}"


def openssl_x5t(crt: str) -> str:
    der = subprocess.run(
        ["openssl", "x509", "-in", crt, "-outform", "DER"], capture_output=True, check=True
    ).stdout
    digest = subprocess.run(
        ["openssl", "dgst", "-sha1", "-binary"], input=der, capture_output=True, check=True
    ).stdout
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def test_resource_types_and_provider(constructs_example: Synthesized) -> None:
    stack = constructs_example.stack(STACK)
    assert set(stack["resource"]) == {"servicenow_record", "servicenow_attachment"}
    assert stack["provider"]["servicenow"] == [{"instance_url": "https://example.service-now.com"}]
    assert stack["terraform"]["required_providers"]["servicenow"]["source"] == (
        "terraform.local/teams-notify/servicenow"
    )
    tables = {v["table"] for v in stack["resource"]["servicenow_record"].values()}
    assert tables == {
        "sys_certificate",
        "jwt_keystore_aliases",
        "jwt_provider",
        "jwt_claim_validation",
        "oauth_entity",
        "oauth_entity_profile",
        "oauth_entity_scope",
        "oauth_entity_profile_scope",
        "oauth_2_0_credentials",
        "sys_alias",
        "http_connection",
        "sn_notify_msteams_configuration",
        "oidc_provider_configuration",
        "oauth_oidc_entity",
        "notify_group_selector",
        "notify_group_selector_choice",
    }


def test_x5t_claim_equals_openssl(constructs_example: Synthesized) -> None:
    stack = constructs_example.stack(STACK)
    summary = constructs_example.summary(STACK)
    expected = openssl_x5t(summary["certificate_path"])
    _, claim = one(stack, "jwt_claim_validation", name="x5t")
    assert claim["fields"]["value"] == expected
    assert claim["fields"]["is_standard"] == "false"
    _, key = one(stack, "jwt_keystore_aliases")
    assert key["fields"]["certificate_thumbprint"] == expected
    assert key["fields"]["x509_sha1_thumbprint"] == "true"
    assert key["fields"]["signing_algorithm"] == "rsa_256"
    assert summary["x5t"] == expected


def test_standard_claims_adopted_with_values(constructs_example: Synthesized) -> None:
    stack = constructs_example.stack(STACK)
    provider_name, provider = one(stack, "jwt_provider")
    expected = {
        "aud": f"https://login.microsoftonline.com/{TENANT_ID}/oauth2/v2.0/token",
        "iss": CLIENT_ID_REF,
        "sub": CLIENT_ID_REF,
    }
    for claim, value in expected.items():
        _, rec = one(stack, "jwt_claim_validation", name=claim)
        assert rec["fields"] == {
            "jwt_provider": ref(provider_name),
            "name": claim,
            "value": value,
            "is_standard": "true",
            "data_type": "string",
        }
        assert rec["match_on"] == ["jwt_provider", "name"]
        assert rec["on_destroy"] == "restore"
    key_name, _ = one(stack, "jwt_keystore_aliases")
    assert provider["fields"]["jwt_keystore_alias"] == ref(key_name)


def test_record_references_chain(constructs_example: Synthesized) -> None:
    stack = constructs_example.stack(STACK)
    cert_name, _ = one(stack, "sys_certificate", type="key_store")
    (att,) = stack["resource"]["servicenow_attachment"].values()
    assert att["record_sys_id"] == ref(cert_name) and att["table"] == "sys_certificate"
    assert att["source"].endswith("example-cert.jks") and not att["source"].startswith("/")
    _, key = one(stack, "jwt_keystore_aliases")
    assert key["fields"]["signing_keystore"] == ref(cert_name)
    provider_name, _ = one(stack, "jwt_provider")
    entity_name, entity = one(stack, "oauth_entity")
    assert entity["fields"]["jwt_provider"] == ref(provider_name)
    assert entity["fields"]["client_id"] == CLIENT_ID_REF
    assert entity["fields"]["default_grant_type"] == "client_credentials"
    # Choice keys are written as the stored values (the catalog's defaults here).
    assert entity["fields"]["send_client_credentials_as"] == "private_key_jwt"
    profile_name, profile = one(stack, "oauth_entity_profile")
    assert profile["fields"]["oauth_entity"] == ref(entity_name)
    assert profile["match_on"] == ["oauth_entity", "default"] and profile["on_destroy"] == "restore"
    scope_name, _ = one(stack, "oauth_entity_scope", oauth_entity_scope=".default")
    _, link = one(stack, "oauth_entity_profile_scope")
    assert link["fields"] == {
        "oauth_entity_profile": ref(profile_name),
        "oauth_entity_scope": ref(scope_name),
    }
    alias_name, alias = one(stack, "sys_alias", id=TEAMS_SPOKE_ALIAS_ID)
    assert alias["match_on"] == ["id"] and alias["on_destroy"] == "restore"
    cred_name, cred = one(stack, "oauth_2_0_credentials")
    assert cred["fields"]["oauth_entity_profile"] == ref(profile_name)
    assert cred["fields"]["tag"] == ref(alias_name)
    _, conn = one(stack, "http_connection")
    assert conn["fields"]["credential"] == ref(cred_name) and conn["fields"]["connection_alias"] == ref(
        alias_name
    )


def test_teams_configuration_adopted(constructs_example: Synthesized) -> None:
    stack = constructs_example.stack(STACK)
    entity_name, _ = one(stack, "oauth_entity")
    cred_name, _ = one(stack, "oauth_2_0_credentials")
    _, config = one(stack, "sn_notify_msteams_configuration")
    (data_name,) = stack["data"]["servicenow_record"]
    assert config["fields"] == {
        "sys_id": f"${{data.servicenow_record.{data_name}.sys_id}}",
        "credential_alias": TEAMS_SPOKE_ALIAS_ID,
        "application_registry": ref(entity_name),
        "tenant_id": TENANT_ID,
        "requester": ref(cred_name),
        "service_user_azure_id": "${var.entra_service_user_object_id}",
        "enable_create_online_meeting": "true",
        "active": "true",
    }
    assert config["match_on"] == ["sys_id"] and config["on_destroy"] == "restore"


def test_oidc_and_selector(constructs_example: Synthesized) -> None:
    stack = constructs_example.stack(STACK)
    cfg_name, cfg = one(stack, "oidc_provider_configuration", name=OIDC_CONFIG_NAME)
    assert cfg["fields"]["oidc_url"] == (
        f"https://login.microsoftonline.com/{TENANT_ID}/v2.0/.well-known/openid-configuration"
    )
    oidc_name, oidc = one(stack, "oauth_oidc_entity")
    assert oidc["fields"]["oidc_provider_configuration"] == ref(cfg_name)
    assert oidc["fields"]["client_id"] == CLIENT_ID_REF
    # The instance creates this registry when the Teams configuration gets the app registry: adopt
    # it (match, restore on destroy), and only look for it once that record is written.
    (config_name,) = records(stack, "sn_notify_msteams_configuration")
    for record, match_on in ((cfg, ["name"]), (oidc, ["client_id"])):
        assert record["match_on"] == match_on and record["on_destroy"] == "restore"
        assert record["depends_on"] == [f"servicenow_record.{config_name}"]
    one(stack, "oauth_entity_scope", oauth_entity=ref(oidc_name), oauth_entity_scope=BOT_FRAMEWORK_SCOPE)
    sel_name, _ = one(stack, "notify_group_selector", name="Microsoft Teams")
    _, choice = one(stack, "notify_group_selector_choice")
    assert choice["fields"]["notify_group_selector"] == ref(sel_name)
    assert "notify_group" not in choice["fields"]  # a group or a provider, never both


def test_secrets_are_sensitive_variables(constructs_example: Synthesized) -> None:
    stack = constructs_example.stack(STACK)
    _, cert = one(stack, "sys_certificate")
    assert cert["sensitive_fields"] == {"key_store_password": "${var.keystore_password_current}"}
    _, key = one(stack, "jwt_keystore_aliases")
    assert key["sensitive_fields"] == {
        "signing_key_password": "${coalesce(var.key_password_current, var.keystore_password_current)}"
    }
    variables = stack["variable"]
    assert variables["keystore_password_current"]["sensitive"] is True
    assert "default" not in variables["keystore_password_current"]


def test_summary_maps_every_resource_to_a_step(constructs_example: Synthesized) -> None:
    stack = constructs_example.stack(STACK)
    summary = constructs_example.summary(STACK)
    addresses = {f"{t}.{n}" for t, group in stack["resource"].items() for n in group}
    addresses |= {f"data.{t}.{n}" for t, group in stack["data"].items() for n in group}
    assert set(summary["resources"]) == addresses
    steps = set(summary["resources"].values())
    assert {s.split(":")[0] for s in steps} >= {
        "prerequisite 1",
        "prerequisite 2",
        "prerequisite 3",
        "step 4",
        "step 5",
        "step 6",
        "step 7",
        "step 8",
    }
    assert summary["tenant"] == "example" and summary["not_after"].endswith("Z")
    assert len(summary["sha1_hex"]) == 40
