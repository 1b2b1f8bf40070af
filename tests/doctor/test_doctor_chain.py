"""The doctor on a real rollout: the tenant's ServiceNow stack applied by the real terraform to the
local ServiceNow, its Entra stack loaded into the local Entra, the token taken by the real msal.

One apply per module (fixture `doctor_stand`); each test breaks one link through the Table API
or the local Entra's state file, checks that the doctor names it (exit 1), and puts it back.
"""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from helpers.constructs import STORE_PASSWORD
from helpers.doctor import DoctorCli, DoctorStand
from teams_notify.catalog import TEAMS_SPOKE_ALIAS_ID
from teams_notify.certs import load_private_key
from teams_notify.certs.generate import self_signed_certificate
from teams_notify.certs.jks import jks_bytes
from teams_notify.graph import GRAPH_APP_ROLES
from teams_notify.sandbox.entra import EntraState
from teams_notify.tenant_overrides import add_overrides

pytestmark = pytest.mark.terraform
ALL_CHECKS = {
    "names",
    "Teams configuration",
    "app registry",
    "credential",
    "JWT provider",
    "JWT key",
    "keystore",
    "OIDC registry",
    "provider selector",
    "x5t claim",
    "aud claim",
    "iss/sub claims",
    "Teams tenant",
    "Teams service user",
    "signing key",
    "assertion",
    "token",
    "roles",
    "Graph service user",
    "expiry (ServiceNow)",
    "expiry (Entra)",
}


def test_healthy_rollout_passes_every_check(doctor: DoctorCli) -> None:
    run = doctor.run()
    assert run.code == 0, run.stdout + run.stderr
    assert set(run.checks) == ALL_CHECKS
    assert {name: c["status"] for name, c in run.checks.items()} == dict.fromkeys(ALL_CHECKS, "pass")
    assert all(role in run.check("roles")["cause"] for role in GRAPH_APP_ROLES)


def test_healthy_rollout_as_a_table(doctor: DoctorCli) -> None:
    run = doctor.run(json_output=False)
    assert run.code == 0, run.stdout + run.stderr
    assert "Graph service user" in run.stdout and "fail" not in run.stdout


def test_key_from_instance_signs_with_the_attached_jks(doctor: DoctorCli) -> None:
    run = doctor.run("--key-from-instance")
    assert run.code == 0, run.stdout + run.stderr
    assert "attachment" in run.check("signing key")["cause"]


def test_kid_only_when_set(doctor: DoctorCli, doctor_stand: DoctorStand) -> None:
    key = doctor_stand.one("jwt_key", active="true")
    with doctor_stand.patched("jwt_key", key["sys_id"], kid=""):
        run = doctor.run()
    assert run.code == 0, run.stdout
    assert '"kid"' not in run.check("assertion")["cause"] and '"x5t"' in run.check("assertion")["cause"]


def _without_role(role: str) -> object:
    def edit(state: EntraState) -> None:
        for tenant in state.tenants.values():
            for app in tenant.apps:
                app.granted_roles.remove(role)

    return edit


def test_one_graph_role_not_granted_is_named(doctor: DoctorCli, doctor_stand: DoctorStand) -> None:
    with doctor_stand.entra_edited(_without_role("Calls.JoinGroupCall.All")):  # type: ignore[arg-type]
        run = doctor.run()
    assert run.code == 1
    assert run.failed() == ["roles"]
    cause = run.check("roles")["cause"]
    assert "Calls.JoinGroupCall.All" in cause and "User.Read.All" not in cause
    assert "admin consent" in run.check("roles")["fix"]


def test_certificate_not_registered_is_aadsts700027_after_a_visible_wait(
    doctor: DoctorCli, doctor_stand: DoctorStand
) -> None:
    def unregister(state: EntraState) -> None:
        for tenant in state.tenants.values():
            for app in tenant.apps:
                app.certificates.clear()

    with doctor_stand.entra_edited(unregister):
        run = doctor.run(wait="1")
    assert run.code == 1
    assert run.failed() == ["token"]
    assert run.check("token")["cause"].startswith("AADSTS700027")
    assert "register the active certificate" in run.check("token")["fix"]
    assert "retrying in" in run.stderr and "replicate" in run.stderr  # the wait is shown


def test_x5t_claim_holding_the_hex_thumbprint(doctor: DoctorCli, doctor_stand: DoctorStand) -> None:
    prints = doctor_stand.thumbprints
    with doctor_stand.patched("jwt_claim", doctor_stand.claim("x5t")["sys_id"], value=prints.sha1_hex):
        run = doctor.run()
    assert run.code == 1
    check = run.check("x5t claim")
    assert check["status"] == "fail" and "hex thumbprint" in check["cause"]
    assert f"the right value is {prints.x5t}" in check["cause"] and prints.x5t in check["fix"]


def test_x5t_claim_in_standard_base64(doctor: DoctorCli, doctor_stand: DoctorStand) -> None:
    prints = doctor_stand.thumbprints
    assert set(prints.sha1_base64) & {"+", "/"}  # the fixture's certificate shows the difference
    with doctor_stand.patched("jwt_claim", doctor_stand.claim("x5t")["sys_id"], value=prints.sha1_base64):
        run = doctor.run()
    assert run.code == 1
    check = run.check("x5t claim")
    assert check["status"] == "fail" and "standard Base64" in check["cause"]
    assert f"the right value is {prints.x5t}" in check["cause"]


def test_wrong_aud(doctor: DoctorCli, doctor_stand: DoctorStand) -> None:
    wrong = "https://login.microsoftonline.com/common/oauth2/v2.0/token"
    with doctor_stand.patched("jwt_claim", doctor_stand.claim("aud")["sys_id"], value=wrong):
        run = doctor.run()
    assert run.code == 1
    assert run.failed() == ["aud claim", "token"]
    tenant_id = doctor_stand.tenant.tenant_id
    assert f"https://login.microsoftonline.com/{tenant_id}/oauth2/v2.0/token" in run.check("aud claim")["fix"]
    assert run.check("token")["cause"].startswith("AADSTS700023")  # what the (local) Entra said


def test_iss_sub_mismatch(doctor: DoctorCli, doctor_stand: DoctorStand) -> None:
    other = str(uuid.uuid4())
    with doctor_stand.patched("jwt_claim", doctor_stand.claim("iss")["sys_id"], value=other):
        run = doctor.run()
    assert run.code == 1
    assert run.failed() == ["iss/sub claims", "token"]
    assert f"iss is '{other}'" in run.check("iss/sub claims")["cause"]
    assert run.check("token")["cause"].startswith("AADSTS700021")


def test_app_unknown_in_the_tenant_is_aadsts700016(doctor: DoctorCli, doctor_stand: DoctorStand) -> None:
    stranger = str(uuid.uuid4())
    registry = doctor_stand.one("oauth_entity", client_id=doctor_stand.tenant.entra.client_id or "")
    with doctor_stand.patched("oauth_entity", registry["sys_id"], client_id=stranger):
        run = doctor.run()
    assert run.code == 1
    token = run.check("token")
    assert token["cause"].startswith(f"AADSTS700016: no app with client id {stranger}")


def test_unknown_tenant_is_aadsts90002(doctor: DoctorCli, doctor_stand: DoctorStand) -> None:
    """Entra refuses the tenant's discovery document; msal raises, the doctor still names the code."""
    other_tenant = str(uuid.uuid4())
    text = doctor_stand.tenant_file.read_text()
    assert doctor_stand.tenant.tenant_id in text
    moved = doctor_stand.tenant_file.with_name("moved.toml")
    moved.write_text(
        text.replace(doctor_stand.tenant.tenant_id, other_tenant).replace(
            'name = "doctortest"', 'name = "moved"'
        )
    )
    try:
        run = doctor.run(tenant_file=moved)
    finally:
        moved.unlink()
    assert run.code == 1
    assert run.check("token")["cause"] == f"AADSTS90002: Entra does not know tenant {other_tenant}"
    assert run.check("Teams tenant")["status"] == "fail"


def test_expired_certificate_on_the_instance(doctor: DoctorCli, doctor_stand: DoctorStand) -> None:
    """The keystore's JKS swapped for one whose certificate (same key) expired last year."""
    key = load_private_key(doctor_stand.bundle.dir / f"{doctor_stand.bundle.name}.key")
    start = dt.datetime.now(dt.UTC) - dt.timedelta(days=400)
    expired = self_signed_certificate(key, "expired doctor test", days=30, valid_from=start)
    with doctor_stand.jks_replaced(jks_bytes(doctor_stand.bundle.name, key, [expired], STORE_PASSWORD)):
        run = doctor.run()
    assert run.code == 1
    check = run.check("expiry (ServiceNow)")
    assert check["status"] == "fail"
    assert f"expired on {expired.not_valid_after_utc:%Y-%m-%d}" in check["cause"]
    assert run.check("expiry (Entra)")["status"] == "pass"  # the .crt Entra registers is still valid


def test_certificate_inside_the_horizon_is_a_warning(doctor: DoctorCli, doctor_stand: DoctorStand) -> None:
    """A tenant whose renewal horizon (400 days) is longer than the certificate has left: warn, exit 0."""
    text = doctor_stand.tenant_file.read_text()
    assert "expiry_horizon_days" not in text
    wary = doctor_stand.tenant_file.with_name("wary.toml")
    wary.write_text("expiry_horizon_days = 400\n" + text.replace('name = "doctortest"', 'name = "wary"'))
    try:
        run = doctor.run(tenant_file=wary)
    finally:
        wary.unlink()
    assert run.code == 0, run.stdout
    for side in ("expiry (ServiceNow)", "expiry (Entra)"):
        assert run.check(side)["status"] == "warn" and "400-day horizon" in run.check(side)["cause"]


def test_service_user_unknown_to_graph(doctor: DoctorCli, doctor_stand: DoctorStand) -> None:
    user_id = doctor_stand.tenant.entra.service_user_object_id
    assert user_id is not None

    def forget_user(state: EntraState) -> None:
        for tenant in state.tenants.values():
            tenant.users = [u for u in tenant.users if u.id != user_id]

    with doctor_stand.entra_edited(forget_user):
        run = doctor.run()
    assert run.code == 1
    assert run.failed() == ["Graph service user"]
    assert f"service user {user_id} is unknown to Graph" in run.check("Graph service user")["cause"]


def test_teams_configuration_on_another_alias(doctor: DoctorCli, doctor_stand: DoctorStand) -> None:
    other = doctor_stand.api.create(
        doctor_stand.table("alias"),
        {
            doctor_stand.column("alias", "id"): "x_acme_other.OtherSpoke",
            doctor_stand.column("alias", "type"): "credential",
        },
    )
    config = doctor_stand.one("teams_config", active="true")
    try:
        with doctor_stand.patched(
            "teams_config", config["sys_id"], credential_alias="x_acme_other.OtherSpoke"
        ):
            run = doctor.run()
    finally:
        doctor_stand.api.delete(doctor_stand.table("alias"), other["sys_id"])
    assert run.code == 1
    check = run.check("Teams configuration")
    assert check["status"] == "fail"
    assert "'x_acme_other.OtherSpoke'" in check["cause"] and TEAMS_SPOKE_ALIAS_ID in check["cause"]
    assert run.check("credential")["status"] == "fail"  # our credential is not on that alias


def test_renamed_column_on_the_instance(doctor: DoctorCli, doctor_stand: DoctorStand) -> None:
    """The instance's release calls `jwt_provider.expiry_interval` something else."""
    table, column = doctor_stand.table("jwt_provider"), doctor_stand.column("jwt_provider", "expiry_interval")
    api = doctor_stand.api
    (row,) = api.rows("sys_dictionary", f"name={table}^element={column}")
    api.delete("sys_dictionary", row["sys_id"])
    renamed = api.create("sys_dictionary", {**_dictionary_values(row), "element": "u_token_lifetime"})
    try:
        run = doctor.run()
    finally:
        api.delete("sys_dictionary", renamed["sys_id"])
        api.create("sys_dictionary", _dictionary_values(row))
    assert run.code == 1
    check = run.check("names")
    assert check["status"] == "fail" and f"column {table}.{column}" in check["cause"]
    assert "[overrides.columns.jwt_provider] expiry_interval" in check["fix"]


def test_table_missing_on_the_instance(doctor: DoctorCli, doctor_stand: DoctorStand) -> None:
    """A tenant file naming a Teams configuration table this instance does not have."""
    other = doctor_stand.tenant_file.with_name("other-release.toml")
    other.write_text(
        doctor_stand.tenant_file.read_text().replace('name = "doctortest"', 'name = "other-release"')
    )
    add_overrides(other, {"tables": {"teams_config": "x_acme_teams_config"}})
    try:
        run = doctor.run(tenant_file=other)
    finally:
        other.unlink()
    assert run.code == 1, run.stderr
    assert "table x_acme_teams_config" in run.check("names")["cause"]
    assert "[overrides.tables] teams_config" in run.check("names")["fix"]
    assert "0 records in x_acme_teams_config" in run.check("Teams configuration")["cause"]


def _dictionary_values(row: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in row.items() if not k.startswith("sys_")}


def test_wrong_keystore_password_is_bad_input(doctor: DoctorCli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TEAMS_NOTIFY_STORE_PASSWORD", "not-the-password")
    run = doctor.run()
    assert run.code == 2
    assert "wrong store password" in run.stderr and "Traceback" not in run.stderr
