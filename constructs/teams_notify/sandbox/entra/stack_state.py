"""What a synthesized `<tenant>-entra` stack would create in Entra, as local Entra state.

The azuread provider cannot be downloaded offline, so instead of `terraform apply` we read the
stack's cdk.tf.json (and its teams-notify.json summary, which names the tenant file) and build
the tenant, app registration, certificate credentials, Graph grants and service user from it.
"""

from __future__ import annotations

import base64
import binascii
import json
import tomllib
import uuid
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from teams_notify.errors import BadInputError
from teams_notify.sandbox.entra.directory import EntraApp, EntraState, EntraUser, TenantState

# Microsoft Graph application role ids -> permission names. A duplicate of
# teams_notify.graph.GRAPH_APP_ROLES (inverted): the sandbox imports nothing from
# the product it stands in for, so a wrong id in the product shows up as a missing role here.
GRAPH_ROLE_NAMES: dict[str, str] = {
    "df021288-bdef-4463-88db-98f22de89214": "User.Read.All",
    "b8bb2037-6e08-44ac-a4ea-4674e010e2a4": "OnlineMeetings.ReadWrite.All",
    "4c277553-8a09-487b-8023-29ee378d8324": "Calls.InitiateGroupCall.All",
    "f6b49018-60ab-4f81-83bd-22caeabfed2d": "Calls.JoinGroupCall.All",
    "fd7ccf6b-3d28-418b-9701-cd10f5cd2fd4": "Calls.JoinGroupCallAsGuest.All",
}
STACK_FILE = "cdk.tf.json"
SUMMARY_FILE = "teams-notify.json"


def load_entra_stack(
    stack_dir: Path, *, client_id: str | None = None, service_user_object_id: str | None = None
) -> EntraState:
    """The Entra state the stack in `stack_dir` would create. Ids Entra assigns on creation
    (client id, user object id) come from the arguments, else from the tenant file's `[entra]`
    section (the values the ServiceNow stack is given), else are derived from the tenant id."""
    stack_dir = Path(stack_dir)
    stack = _read_json(stack_dir / STACK_FILE, stack_dir)
    summary_path = stack_dir / SUMMARY_FILE
    summary = _read_json(summary_path, stack_dir) if summary_path.exists() else {}
    tenant_file = _tenant_file(summary, stack_dir)
    entra = tenant_file.get("entra", {})
    resources = stack.get("resource", {})
    app_block = next(iter(resources.get("azuread_application", {}).values()), None)
    if app_block is None:
        raise BadInputError(
            f"{stack_dir / STACK_FILE} has no azuread_application resource",
            fix="pass the `<tenant>-entra` stack folder (cdktf.out/stacks/<tenant>-entra), "
            "not the ServiceNow one",
        )
    tenant_id = _tenant_id(stack, stack_dir)
    display_name = str(app_block.get("display_name", ""))
    app = EntraApp(
        client_id=client_id or entra.get("client_id") or _derived_id(tenant_id, "app", display_name),
        display_name=display_name,
        certificates=[
            _certificate_pem(block, stack_dir)
            for block in _blocks(resources, "azuread_application_certificate")
        ],
        granted_roles=[
            GRAPH_ROLE_NAMES.get(str(block.get("app_role_id")), str(block.get("app_role_id")))
            for block in _blocks(resources, "azuread_app_role_assignment")
        ],
    )
    users = _users(stack, tenant_id, tenant_file, service_user_object_id)
    domains = [tenant_file["domain"]] if isinstance(tenant_file.get("domain"), str) else []
    return EntraState(tenants={tenant_id: TenantState(apps=[app], users=users, domains=domains)})


def _read_json(path: Path, stack_dir: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError:
        raise BadInputError(
            f"{stack_dir} is not a synthesized stack folder: {path.name} is missing",
            fix="run `teams-notify synth` first and pass cdktf.out/stacks/<tenant>-entra",
        ) from None
    except (OSError, ValueError) as err:
        raise BadInputError(f"cannot read {path}: {err}", fix="synthesize the stack again") from None
    if not isinstance(data, dict):
        raise BadInputError(f"{path} is not a JSON object", fix="synthesize the stack again")
    return data


def _tenant_file(summary: dict[str, Any], stack_dir: Path) -> dict[str, Any]:
    """The tenant file the summary names, or {} when there is none (ids are then derived)."""
    path = summary.get("tenant_config")
    if not path:
        return {}
    try:
        return tomllib.loads(Path(path).read_text())
    except (OSError, tomllib.TOMLDecodeError) as err:
        raise BadInputError(
            f"cannot read the tenant file {path} named in {stack_dir / SUMMARY_FILE}: {err}",
            fix="synthesize the stack again from where the tenant file is, or pass --client-id "
            "and --service-user-object-id",
        ) from None


def _blocks(section: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [b for b in section.get(kind, {}).values() if isinstance(b, dict)]


def _tenant_id(stack: dict[str, Any], stack_dir: Path) -> str:
    providers = stack.get("provider", {}).get("azuread", [])
    for block in providers if isinstance(providers, list) else [providers]:
        if isinstance(block, dict) and block.get("tenant_id"):
            return str(block["tenant_id"])
    output = stack.get("output", {}).get("tenant_id", {}).get("value")
    if isinstance(output, str) and "${" not in output:
        return output
    raise BadInputError(
        f"{stack_dir / STACK_FILE} names no tenant id (azuread provider block or tenant_id output)",
        fix="pass a `<tenant>-entra` stack synthesized by teams-notify",
    )


def _derived_id(tenant_id: str, kind: str, name: str) -> str:
    """A stable stand-in for an id Entra would assign (same stack, same id on every load)."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"teams-notify-entra:{tenant_id}:{kind}:{name}"))


def _certificate_pem(block: dict[str, Any], stack_dir: Path) -> str:
    """The credential's certificate as PEM, whatever `encoding` the resource uses."""
    value, encoding = str(block.get("value", "")), str(block.get("encoding", "pem"))
    try:
        if encoding == "pem":
            cert = x509.load_pem_x509_certificate(value.encode())
        elif encoding == "base64":
            cert = x509.load_der_x509_certificate(base64.b64decode(value))
        else:  # "hex"
            cert = x509.load_der_x509_certificate(bytes.fromhex(value))
    except (ValueError, binascii.Error) as err:
        raise BadInputError(
            f"a certificate credential in {stack_dir / STACK_FILE} is not a {encoding} certificate: {err}",
            fix="synthesize the stack again; the credential value must be the literal certificate",
        ) from None
    return cert.public_bytes(serialization.Encoding.PEM).decode()


def _users(
    stack: dict[str, Any], tenant_id: str, tenant_file: dict[str, Any], object_id: str | None
) -> list[EntraUser]:
    configured = tenant_file.get("service_user", {})
    known_id = object_id or tenant_file.get("entra", {}).get("service_user_object_id")
    users = []
    for block in _blocks(stack.get("resource", {}), "azuread_user"):  # a user the stack creates
        upn = str(block.get("user_principal_name", ""))
        users.append(
            EntraUser(
                known_id or _derived_id(tenant_id, "user", upn), upn, str(block.get("display_name", ""))
            )
        )
    for block in _blocks(stack.get("data", {}), "azuread_user"):  # an existing user it looks up
        upn = str(configured.get("upn", ""))
        user_id = object_id or str(block.get("object_id") or configured.get("object_id") or "")
        users.append(
            EntraUser(
                user_id or _derived_id(tenant_id, "user", upn), upn, str(configured.get("display_name", ""))
            )
        )
    return users
