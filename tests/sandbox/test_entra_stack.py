"""load_entra_stack on a synthesized example, the `sandbox entra-load` / `sandbox entra` commands,
and the loaded state working end to end with msal and the bundle's own key."""

from __future__ import annotations

import json
import os
import shutil
import ssl
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import msal
import pytest
from helpers.certs import run_cli
from helpers.constructs import BundleFactory, Synthesized, synth_tenants, write_tenant
from teams_notify.certs.load import load_private_key
from teams_notify.errors import BadInputError
from teams_notify.graph import GRAPH_APP_ROLES
from teams_notify.sandbox.entra import EntraSandbox, EntraState, load_entra_stack

# the values helpers.constructs.tenant_toml writes
TENANT_ID = "0a1b2c3d-1111-4222-8333-444455556666"
CLIENT_ID = "c11e47ad-0000-4000-8000-00000000c1d1"
USER_ID = "5e4f1ce0-0000-4000-8000-000000005e4f"
GRAPH_SCOPE = ["https://graph.microsoft.com/.default"]


def entra_stack(example: Synthesized) -> Path:
    return example.outdir / "stacks" / "example-entra"


def test_example_stack_loads_as_the_tenant_app_grants_and_user(
    constructs_example: Synthesized, constructs_bundles: BundleFactory
) -> None:
    state = load_entra_stack(entra_stack(constructs_example))
    assert list(state.tenants) == [TENANT_ID]
    tenant = state.tenants[TENANT_ID]
    assert tenant.domains == ["example.onmicrosoft.com"]
    [app] = tenant.apps
    assert app.client_id == CLIENT_ID  # the tenant file's [entra] client_id
    assert sorted(app.granted_roles) == sorted(GRAPH_APP_ROLES)  # ids mapped back to names
    assert app.certificates == [constructs_bundles.make("example-cert").crt.read_text()]
    [user] = tenant.users
    assert (user.id, user.user_principal_name) == (USER_ID, "sn-notify@example.onmicrosoft.com")


def test_arguments_override_the_tenant_files_ids(constructs_example: Synthesized) -> None:
    state = load_entra_stack(entra_stack(constructs_example), client_id="c1", service_user_object_id="u1")
    tenant = state.tenants[TENANT_ID]
    assert (tenant.apps[0].client_id, tenant.users[0].id) == ("c1", "u1")


def test_without_the_summary_ids_are_derived_and_stable(
    constructs_example: Synthesized, tmp_path: Path
) -> None:
    bare = tmp_path / "example-entra"
    bare.mkdir()
    shutil.copy(entra_stack(constructs_example) / "cdk.tf.json", bare)
    first, second = load_entra_stack(bare), load_entra_stack(bare)
    app = first.tenants[TENANT_ID].apps[0]
    assert app.client_id not in ("", CLIENT_ID)
    assert app.client_id == second.tenants[TENANT_ID].apps[0].client_id
    assert first.tenants[TENANT_ID].users[0].id == second.tenants[TENANT_ID].users[0].id


def test_a_removed_grant_is_a_missing_role(constructs_example: Synthesized, tmp_path: Path) -> None:
    edited = tmp_path / "example-entra"
    shutil.copytree(entra_stack(constructs_example), edited)
    stack = json.loads((edited / "cdk.tf.json").read_text())
    grants = stack["resource"]["azuread_app_role_assignment"]
    dropped = next(
        k for k, v in grants.items() if v["app_role_id"] == GRAPH_APP_ROLES["Calls.JoinGroupCall.All"]
    )
    del grants[dropped]
    (edited / "cdk.tf.json").write_text(json.dumps(stack))
    roles = load_entra_stack(edited).tenants[TENANT_ID].apps[0].granted_roles
    assert sorted(roles) == sorted(set(GRAPH_APP_ROLES) - {"Calls.JoinGroupCall.All"})


@pytest.mark.parametrize("which", ["servicenow", "missing"])
def test_not_an_entra_stack_is_bad_input(constructs_example: Synthesized, tmp_path: Path, which: str) -> None:
    folder = (
        constructs_example.outdir / "stacks" / "example-servicenow" if which == "servicenow" else tmp_path
    )
    with pytest.raises(BadInputError) as caught:
        load_entra_stack(folder)
    assert caught.value.fix


def test_loaded_stack_serves_a_token_for_the_bundles_own_key(
    constructs_example: Synthesized,
    constructs_bundles: BundleFactory,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    bundle = constructs_bundles.make("example-cert")
    summary = constructs_example.summary("example-entra")
    key_pem = (
        load_private_key(bundle.dir / f"{bundle.name}.key").private_bytes(*_pkcs8_unencrypted()).decode()
    )
    with EntraSandbox(state=load_entra_stack(entra_stack(constructs_example)), data_dir=tmp_path) as entra:
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(entra.ca_file))
        app = msal.ConfidentialClientApplication(
            CLIENT_ID,
            client_credential={"private_key": key_pem, "thumbprint": summary["sha1_hex"]},
            authority=f"{entra.url}/{TENANT_ID}",
            instance_discovery=False,
            validate_authority=False,
        )
        result = app.acquire_token_for_client(GRAPH_SCOPE)
        assert "access_token" in result, result
        user = httpx.get(
            f"{entra.url}/v1.0/users/{USER_ID}",
            headers={"Authorization": f"Bearer {result['access_token']}"},
            verify=ssl.create_default_context(cafile=entra.ca_file),
        )
        assert user.json()["userPrincipalName"] == "sn-notify@example.onmicrosoft.com"


def _pkcs8_unencrypted() -> tuple[object, ...]:
    from cryptography.hazmat.primitives import serialization

    return serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()


def test_entra_load_command_writes_and_adds_to_the_state_file(
    constructs_example: Synthesized, tmp_path: Path
) -> None:
    state_file = tmp_path / "entra.json"
    result = run_cli(
        "sandbox",
        "entra-load",
        "--stack",
        entra_stack(constructs_example),
        "--state",
        state_file,
        "--replication-delay",
        "3",
    )
    assert result.code == 0, result.err
    assert CLIENT_ID in result.out and "5 certificate" not in result.out
    state = EntraState.load(state_file)
    assert state.replication_delay_seconds == 3
    assert state.tenants[TENANT_ID].apps[0].client_id == CLIENT_ID
    again = run_cli(
        "sandbox",
        "entra-load",
        "--stack",
        entra_stack(constructs_example),
        "--state",
        state_file,
        "--client-id",
        "other-client",
    )
    assert again.code == 0, again.err
    assert {a.client_id for a in EntraState.load(state_file).tenants[TENANT_ID].apps} == {
        CLIENT_ID,
        "other-client",
    }


def test_entra_load_of_a_servicenow_stack_is_exit_2(constructs_example: Synthesized, tmp_path: Path) -> None:
    stack = constructs_example.outdir / "stacks" / "example-servicenow"
    result = run_cli("sandbox", "entra-load", "--stack", stack, "--state", tmp_path / "s.json")
    assert result.code == 2
    assert "no azuread_application" in result.err and "fix:" in result.err


def test_sandbox_entra_state_file_that_is_not_json_is_exit_2(tmp_path: Path) -> None:
    bad = tmp_path / "state.json"
    bad.write_text("{not json")
    result = run_cli("sandbox", "entra", "--state", bad, "--port", "0")
    assert result.code == 2
    assert "cannot read the Entra state file" in result.err


@pytest.fixture
def entra_process(constructs_example: Synthesized, tmp_path: Path) -> Iterator[tuple[dict[str, str], Path]]:
    """`teams-notify sandbox entra --load-stack ... --port 0 --json` in the foreground, as a user runs it."""
    state_file = tmp_path / "entra.json"
    argv = [
        str(Path(sys.executable).parent / "teams-notify"),
        "sandbox",
        "entra",
        "--state",
        str(state_file),
        "--load-stack",
        str(entra_stack(constructs_example)),
        "--port",
        "0",
        "--json",
    ]
    proc = subprocess.Popen(
        argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=os.environ.copy()
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line, proc.stderr.read() if proc.stderr else ""
        yield json.loads(line), state_file
    finally:
        proc.terminate()
        proc.wait()


def test_sandbox_entra_command_serves_the_loaded_stack(entra_process: tuple[dict[str, str], Path]) -> None:
    info, state_file = entra_process
    assert info["state"] == str(state_file)
    assert EntraState.load(state_file).tenants[TENANT_ID].apps[0].client_id == CLIENT_ID
    discovery = httpx.get(
        f"{info['url']}/example.onmicrosoft.com/v2.0/.well-known/openid-configuration",
        verify=ssl.create_default_context(cafile=info["ca_file"]),
    )
    assert discovery.json()["token_endpoint"] == f"{info['url']}/{TENANT_ID}/oauth2/v2.0/token"


def test_running_server_picks_up_a_changed_state_file(entra_process: tuple[dict[str, str], Path]) -> None:
    info, state_file = entra_process
    url = f"{info['url']}/22222222-0000-4000-8000-000000000000/v2.0/.well-known/openid-configuration"
    assert (
        httpx.get(url, verify=ssl.create_default_context(cafile=info["ca_file"])).status_code == 400
    )  # AADSTS90002
    state = EntraState.load(state_file)
    state.tenants["22222222-0000-4000-8000-000000000000"] = state.tenants.pop(TENANT_ID)
    state.save(state_file)
    assert httpx.get(url, verify=ssl.create_default_context(cafile=info["ca_file"])).status_code == 200


def test_an_existing_service_user_loads_with_its_object_id(
    constructs_bundles: BundleFactory, tmp_path: Path
) -> None:
    existing = "7e57e715-0000-4000-8000-00000000e715"
    bundle = constructs_bundles.make("example-cert")
    service_user = {"upn": "existing@example.onmicrosoft.com", "create": False, "object_id": existing}
    write_tenant(tmp_path / "tenants", "example", [("current", bundle, True)], service_user=service_user)
    synth_tenants(tmp_path / "tenants", tmp_path / "out")
    [user] = load_entra_stack(tmp_path / "out" / "stacks" / "example-entra").tenants[TENANT_ID].users
    assert (user.id, user.user_principal_name) == (existing, "existing@example.onmicrosoft.com")


def test_sandbox_entra_without_a_state_file_says_how_to_make_one(tmp_path: Path) -> None:
    result = run_cli("sandbox", "entra", "--state", tmp_path / "missing.json", "--port", "0")
    assert result.code == 2
    assert "does not exist" in result.err and "entra-load" in result.err
