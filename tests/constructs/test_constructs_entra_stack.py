"""Synth assertions on the Entra stack, and a JSON-level check against the azuread schema the
bindings carry (the azuread provider binary cannot be downloaded offline)."""

from __future__ import annotations

import inspect
import json
from pathlib import Path
from typing import Any

from cryptography import x509
from helpers.constructs import Synthesized
from teams_notify.graph import GRAPH_APP_ID, GRAPH_APP_ROLES
from teams_notify.stacks.compat import ENGINE, azuread_module
from teams_notify.stacks.entra.azuread import AZUREAD_SOURCE, AZUREAD_VERSIONS

STACK = "example-entra"
# The five application roles, written out from DESIGN.md ("Facts"), not read from the code:
# dropping or mistyping one in teams_notify/graph.py must fail here.
PINNED_GRAPH_ROLES = {
    "User.Read.All": "df021288-bdef-4463-88db-98f22de89214",
    "OnlineMeetings.ReadWrite.All": "b8bb2037-6e08-44ac-a4ea-4674e010e2a4",
    "Calls.InitiateGroupCall.All": "4c277553-8a09-487b-8023-29ee378d8324",
    "Calls.JoinGroupCall.All": "f6b49018-60ab-4f81-83bd-22caeabfed2d",
    "Calls.JoinGroupCallAsGuest.All": "fd7ccf6b-3d28-418b-9701-cd10f5cd2fd4",
}
META_KEYS = {"//", "depends_on", "lifecycle", "provider", "count", "for_each"}
BINDINGS = {
    "azuread_application": ("application", "Application"),
    "azuread_service_principal": ("service_principal", "ServicePrincipal"),
    "azuread_app_role_assignment": ("app_role_assignment", "AppRoleAssignment"),
    "azuread_application_certificate": ("application_certificate", "ApplicationCertificate"),
    "azuread_user": ("user", "User"),
    "data.azuread_service_principal": ("data_azuread_service_principal", "DataAzureadServicePrincipal"),
    "data.azuread_user": ("data_azuread_user", "DataAzureadUser"),
    "provider.azuread": ("provider", "AzureadProvider"),
}
NESTED = {
    ("azuread_application", "required_resource_access"): ("application", "ApplicationRequiredResourceAccess"),
    ("azuread_application", "required_resource_access.resource_access"): (
        "application",
        "ApplicationRequiredResourceAccessResourceAccess",
    ),
}


def arguments(module: str, cls: str) -> tuple[set[str], set[str]]:
    """(accepted, required) attribute names of a binding class: its keyword-only arguments (the
    positional ones are the construct's scope and id)."""
    params = inspect.signature(getattr(azuread_module(module), cls).__init__).parameters
    names = {p: v for p, v in params.items() if v.kind is inspect.Parameter.KEYWORD_ONLY}
    required = {p for p, v in names.items() if v.default is inspect.Parameter.empty}
    return set(names) | {"id"}, required


def check_block(type_: str, path: str, attrs: dict[str, Any]) -> list[str]:
    module, cls = BINDINGS[type_] if not path else NESTED[(type_, path)]
    allowed, required = arguments(module, cls)
    errors = [f"{type_} {path or '.'}: {k}" for k in attrs if k not in allowed and k not in META_KEYS]
    errors += [f"{type_} {path or '.'}: missing {k}" for k in sorted(required - set(attrs))]
    for key, value in attrs.items():
        sub = f"{path}.{key}" if path else key
        if isinstance(value, list) and value and isinstance(value[0], dict) and (type_, sub) in NESTED:
            for item in value:
                errors += check_block(type_, sub, item)
    return errors


def test_attributes_match_the_binding_schema(constructs_example: Synthesized) -> None:
    stack = constructs_example.stack(STACK)
    errors: list[str] = []
    for type_, group in stack["resource"].items():
        for attrs in group.values():
            errors += check_block(type_, "", attrs)
    for type_, group in stack["data"].items():
        for attrs in group.values():
            errors += check_block(f"data.{type_}", "", attrs)
    for attrs in stack["provider"]["azuread"]:
        errors += check_block("provider.azuread", "", attrs)
    assert errors == []


def test_schema_check_catches_unknown_attribute() -> None:
    assert check_block("azuread_application", "", {"display_name": "x", "displayname": "y"}) == [
        "azuread_application .: displayname"
    ]


def test_schema_check_catches_missing_required_attribute() -> None:
    grant = {"app_role_id": "x", "principal_object_id": "y"}
    assert check_block("azuread_app_role_assignment", "", grant) == [
        "azuread_app_role_assignment .: missing resource_object_id"
    ]
    access = {"resource_app_id": "z", "resource_access": [{"type": "Role"}]}
    assert check_block(
        "azuread_application", "", {"display_name": "x", "required_resource_access": [access]}
    ) == ["azuread_application required_resource_access.resource_access: missing id"]


def test_graph_roles_are_the_five_of_the_design() -> None:
    assert GRAPH_APP_ROLES == PINNED_GRAPH_ROLES
    assert len(GRAPH_APP_ROLES) == 5


def test_five_roles_requested_and_granted(constructs_example: Synthesized) -> None:
    stack = constructs_example.stack(STACK)
    ((app_name, app),) = stack["resource"]["azuread_application"].items()
    (access,) = app["required_resource_access"]
    assert access["resource_app_id"] == GRAPH_APP_ID
    assert sorted(r["id"] for r in access["resource_access"]) == sorted(PINNED_GRAPH_ROLES.values())
    assert len(access["resource_access"]) == 5
    assert {r["type"] for r in access["resource_access"]} == {"Role"}
    ((graph_name, graph),) = stack["data"]["azuread_service_principal"].items()
    assert graph["client_id"] == GRAPH_APP_ID
    ((sp_name, sp),) = stack["resource"]["azuread_service_principal"].items()
    assert sp["client_id"] == f"${{azuread_application.{app_name}.client_id}}"
    grants = stack["resource"]["azuread_app_role_assignment"].values()
    assert sorted(g["app_role_id"] for g in grants) == sorted(PINNED_GRAPH_ROLES.values())
    assert len(grants) == 5
    for g in grants:
        assert g["principal_object_id"] == f"${{azuread_service_principal.{sp_name}.object_id}}"
        assert g["resource_object_id"] == f"${{data.azuread_service_principal.{graph_name}.object_id}}"


def test_certificate_credential_ends_at_not_after(constructs_example: Synthesized) -> None:
    stack = constructs_example.stack(STACK)
    summary = constructs_example.summary(STACK)
    (cred,) = stack["resource"]["azuread_application_certificate"].values()
    with open(summary["certificate_path"], "rb") as f:
        cert = x509.load_pem_x509_certificate(f.read())
    assert cred["end_date"] == cert.not_valid_after_utc.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert cred["type"] == "AsymmetricX509Cert" and cred["encoding"] == "pem"
    assert cred["value"].startswith("-----BEGIN CERTIFICATE-----")


def test_service_user_and_outputs(constructs_example: Synthesized) -> None:
    stack = constructs_example.stack(STACK)
    (user,) = stack["resource"]["azuread_user"].values()
    assert user["user_principal_name"] == "sn-notify@example.onmicrosoft.com"
    assert user["password"] == "${var.service_user_password}"
    assert stack["variable"]["service_user_password"]["sensitive"] is True
    outputs = stack["output"]
    assert set(outputs) == {"client_id", "tenant_id", "service_principal_id", "service_user_object_id"}
    assert not any(o.get("sensitive") for o in outputs.values())  # pitfall 8: no masking of ids
    assert "azurerm_bot_service_azure_bot" not in stack["resource"]  # bot is off by default


def test_azuread_pin_is_the_bindings(tmp_path: Path) -> None:
    """The raw provider block pins the version the engine's azuread binding was made for."""
    from teams_notify.stacks.compat import App, TerraformStack

    app = App(outdir=str(tmp_path))
    stack = TerraformStack(app, "pin")
    azuread_module("provider").AzureadProvider(stack, "azuread")
    app.synth()
    synthesized = json.loads((tmp_path / "stacks" / "pin" / "cdk.tf.json").read_text())
    binding = synthesized["terraform"]["required_providers"]["azuread"]
    assert binding == {"source": AZUREAD_SOURCE, "version": AZUREAD_VERSIONS[ENGINE]}
