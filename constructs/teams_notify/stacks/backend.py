"""Where each stack keeps its state (local / Terraform Cloud / azurerm), and how the ServiceNow
stack reads the Entra stack's outputs from there (`entra.handoff = "remote_state"`).

Written explicitly instead of CDKTF cross-stack references, which would bake the absolute
synth path into the JSON and mark every output sensitive (DESIGN.md pitfall 8).
"""

from __future__ import annotations

from typing import Any

from constructs import Construct
from teams_notify.config import AzurermBackendConfig, CloudBackendConfig, TenantConfig
from teams_notify.stacks.compat import (
    AzurermBackend,
    CloudBackend,
    DataTerraformRemoteState,
    DataTerraformRemoteStateAzurerm,
    DataTerraformRemoteStateLocal,
    LocalBackend,
    NamedCloudWorkspace,
    NamedRemoteWorkspace,
)


def local_state_file(stack: str) -> str:
    """Local state file name, relative to the stack's folder where terraform runs."""
    return f"terraform.{stack}.tfstate"


def add_backend(stack: Construct, tenant: TenantConfig, stack_name: str) -> None:
    backend = tenant.backend
    if isinstance(backend, CloudBackendConfig):
        CloudBackend(
            stack,
            hostname=backend.hostname,
            organization=backend.organization,
            workspaces=NamedCloudWorkspace(
                name=backend.workspace(tenant.name, side_of(tenant, stack_name)),
                project=backend.project_for(tenant.name, side_of(tenant, stack_name)),
            ),
        )
    elif isinstance(backend, AzurermBackendConfig):
        AzurermBackend(stack, **_azurerm(backend, tenant, stack_name))
    else:
        LocalBackend(stack, path=local_state_file(stack_name))


def entra_remote_state(scope: Construct, tenant: TenantConfig) -> Any:
    """A remote-state data source over the Entra stack's state, wherever the backend keeps it."""
    backend = tenant.backend
    entra = tenant.entra_stack
    if isinstance(backend, CloudBackendConfig):
        return DataTerraformRemoteState(
            scope,
            "entra_state",
            hostname=backend.hostname,
            organization=backend.organization,
            workspaces=NamedRemoteWorkspace(backend.workspace(tenant.name, side_of(tenant, entra))),
        )
    if isinstance(backend, AzurermBackendConfig):
        return DataTerraformRemoteStateAzurerm(scope, "entra_state", **_azurerm(backend, tenant, entra))
    return DataTerraformRemoteStateLocal(scope, "entra_state", path=f"../{entra}/{local_state_file(entra)}")


def side_of(tenant: TenantConfig, stack_name: str) -> str:
    """`entra` or `servicenow`: the stack name is `<tenant>-<side>`."""
    return stack_name.removeprefix(f"{tenant.name}-")


def cloud_workspace(tenant: TenantConfig, stack_name: str) -> dict[str, Any] | None:
    """What Terraform Cloud holds for this stack (for the stack summary): organization, workspace,
    project and the tags to apply through the API (the cloud block cannot carry them)."""
    backend = tenant.backend
    if not isinstance(backend, CloudBackendConfig):
        return None
    side = side_of(tenant, stack_name)
    return {
        "hostname": backend.hostname,
        "organization": backend.organization,
        "workspace": backend.workspace(tenant.name, side),
        "project": backend.project_for(tenant.name, side),
        "tags": backend.tags_for(tenant.name, side),
    }


def _azurerm(backend: AzurermBackendConfig, tenant: TenantConfig, stack_name: str) -> dict[str, Any]:
    return {
        "resource_group_name": backend.resource_group_name,
        "storage_account_name": backend.storage_account_name,
        "container_name": backend.container_name,
        "key": backend.key_pattern.format(stack=stack_name, tenant=tenant.name),
        "use_azuread_auth": backend.use_azuread_auth,
    }
