"""Backend blocks (local / Terraform Cloud / azurerm), the remote-state hand-off, existing user, bot."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers.constructs import BundleFactory, Synthesized, synth_tenants, write_tenant

CLOUD = {"type": "cloud", "organization": "acme", "workspace_pattern": "notify-{stack}"}
AZURERM = {
    "type": "azurerm",
    "resource_group_name": "rg-state",
    "storage_account_name": "acmestate",
    "container_name": "tfstate",
}
EXISTING_USER = {
    "upn": "svc@acme.onmicrosoft.com",
    "create": False,
    "object_id": "0f0f0f0f-1111-4222-8333-444444444444",
}
BOT = {
    "enabled": True,
    "name": "acme-notify-bot",
    "resource_group_name": "rg-bot",
    "subscription_id": "12345678-1234-4234-8234-123456789012",
    "calling_web_hook": "https://acme.service-now.com/api/sn_msteams_com_spk/callback",
}


@pytest.fixture(scope="module")
def variants(tmp_path_factory: pytest.TempPathFactory, constructs_bundles: BundleFactory) -> Synthesized:
    root = tmp_path_factory.mktemp("backends")
    cert = [("current", constructs_bundles.make("backend-cert"), True)]
    write_tenant(
        root / "t",
        "cloudy",
        cert,
        backend=CLOUD,
        entra={"handoff": "remote_state"},
        service_user=EXISTING_USER,
    )
    write_tenant(root / "t", "blob", cert, backend=AZURERM, entra={"handoff": "remote_state"}, bot=BOT)
    write_tenant(root / "t", "disk", cert, entra={"handoff": "remote_state"})
    return synth_tenants(root / "t", root / "out")


def test_cloud_backend_and_remote_state(variants: Synthesized) -> None:
    stack = variants.stack("cloudy-servicenow")
    assert stack["terraform"]["cloud"] == {
        "hostname": "app.terraform.io",
        "organization": "acme",
        "workspaces": {"name": "notify-cloudy-servicenow"},
    }
    (state,) = stack["data"]["terraform_remote_state"].values()
    assert state["backend"] == "remote"
    assert state["config"]["organization"] == "acme"
    assert state["config"]["workspaces"] == {"name": "notify-cloudy-entra"}
    (entity,) = [r for r in stack["resource"]["servicenow_record"].values() if r["table"] == "oauth_entity"]
    assert entity["fields"]["client_id"].startswith("${data.terraform_remote_state.")
    assert entity["fields"]["client_id"].endswith(".outputs.client_id}")
    assert "variable" not in stack or "entra_client_id" not in stack["variable"]
    entra = variants.stack("cloudy-entra")["terraform"]
    assert entra["cloud"]["workspaces"] == {"name": "notify-cloudy-entra"} and "backend" not in entra


def test_azurerm_backend(variants: Synthesized) -> None:
    stack = variants.stack("blob-entra")
    assert stack["terraform"]["backend"]["azurerm"] == {
        "resource_group_name": "rg-state",
        "storage_account_name": "acmestate",
        "container_name": "tfstate",
        "key": "teams-notify/blob-entra.tfstate",
        "use_azuread_auth": True,
    }
    (state,) = variants.stack("blob-servicenow")["data"]["terraform_remote_state"].values()
    assert state["backend"] == "azurerm" and state["config"]["key"] == "teams-notify/blob-entra.tfstate"


def test_local_backend_paths_are_relative(variants: Synthesized) -> None:
    stack = variants.stack("disk-servicenow")
    # Outside the synth output (which is replaced on every synth), in a private folder.
    assert stack["terraform"]["backend"]["local"] == {
        "path": "../../../.teams-notify/state/disk-servicenow.tfstate"
    }
    (state,) = stack["data"]["terraform_remote_state"].values()
    assert state["backend"] == "local"
    assert state["config"]["path"] == "../../../.teams-notify/state/disk-entra.tfstate"
    assert str(Path.cwd()) not in str(stack["terraform"])


def test_existing_service_user_is_looked_up(variants: Synthesized) -> None:
    stack = variants.stack("cloudy-entra")
    assert "azuread_user" not in stack["resource"]
    (user,) = stack["data"]["azuread_user"].values()
    assert user["object_id"] == EXISTING_USER["object_id"]
    assert "service_user_password" not in stack.get("variable", {})


def test_bot_with_teams_calling(variants: Synthesized) -> None:
    stack = variants.stack("blob-entra")
    (bot,) = stack["resource"]["azurerm_bot_service_azure_bot"].values()
    assert bot["microsoft_app_type"] == "SingleTenant" and bot["sku"] == "F0"
    assert bot["microsoft_app_id"].endswith(".client_id}")
    (channel,) = stack["resource"]["azurerm_bot_channel_ms_teams"].values()
    assert channel["calling_enabled"] is True and channel["calling_web_hook"] == BOT["calling_web_hook"]
    assert stack["terraform"]["required_providers"]["azurerm"]["source"] == "hashicorp/azurerm"
    assert {"features": [{}], "subscription_id": BOT["subscription_id"]} in stack["provider"]["azurerm"]
