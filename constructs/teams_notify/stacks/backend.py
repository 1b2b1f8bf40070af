"""Where each stack keeps its state (local / Terraform Cloud / azurerm), and how the ServiceNow
stack reads the Entra stack's outputs from there (`entra.handoff = "remote_state"`).

Written explicitly instead of CDKTF cross-stack references, which would bake the absolute
synth path into the JSON and mark every output sensitive (DESIGN.md pitfall 8).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from constructs import Construct
from teams_notify.config import AzurermBackendConfig, CloudBackendConfig, LocalBackendConfig, TenantConfig

# Local state holds the keystore and key passwords (Terraform keeps sensitive values in its
# state), so it lives in a private folder beside the synth output, never inside it: the output
# is replaced as a whole on every synth and is often shared or uploaded.
STATE_DIR = Path(".teams-notify") / "state"
STATE_DIR_MODE = 0o700
# From a stack's folder (<out>/stacks/<stack>, where terraform runs) up to the output's parent.
_STACK_TO_OUTPUT_PARENT = Path("..") / ".." / ".."


def local_state_dir(outdir: Path) -> Path:
    """The private folder of local state files for a synth output folder."""
    return outdir.resolve().parent / STATE_DIR


def local_state_file(stack: str) -> str:
    """A stack's local state file, relative to the stack's folder where terraform runs (so the
    synthesized JSON holds no absolute path)."""
    return (_STACK_TO_OUTPUT_PARENT / STATE_DIR / f"{stack}.tfstate").as_posix()


def ensure_local_state_dir(outdir: Path) -> Path:
    """Create the state folder (mode 0700, also when it already existed more open)."""
    folder = local_state_dir(outdir)
    folder.mkdir(parents=True, exist_ok=True, mode=STATE_DIR_MODE)
    folder.parent.chmod(STATE_DIR_MODE)
    folder.chmod(STATE_DIR_MODE)
    return folder


def uses_local_state(tenant: TenantConfig) -> bool:
    return isinstance(tenant.backend, LocalBackendConfig)


def add_backend(stack: Construct, tenant: TenantConfig, stack_name: str) -> None:
    # The engine is imported here, not at module level: the synth pipeline needs the state
    # folder helpers above without starting the engine (a fully reused synth never does).
    from teams_notify.stacks.compat import AzurermBackend, CloudBackend, LocalBackend, NamedCloudWorkspace

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
    from teams_notify.stacks.compat import (
        DataTerraformRemoteState,
        DataTerraformRemoteStateAzurerm,
        DataTerraformRemoteStateLocal,
        NamedRemoteWorkspace,
    )

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
    return DataTerraformRemoteStateLocal(scope, "entra_state", path=local_state_file(entra))


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
