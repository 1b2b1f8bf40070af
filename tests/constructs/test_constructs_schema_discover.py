"""`teams-notify schema discover` against the sandbox, whose own dictionary names the unpublished
tables, columns and choice values differently from our defaults: discovery finds each one by what
is known about it (scope and label, label and type, reference target, choice label), writes them
into the tenant file keeping its comments and order, and then `schema check` passes. Two
candidates that fit equally (same label, or two references to the same table) are reported, never
guessed."""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass
from pathlib import Path

import pytest
from helpers.constructs import BundleFactory, tenant_toml
from helpers.sandbox import SANDBOX_OVERRIDES
from helpers.terraform import AdminApi
from teams_notify.cli import main
from teams_notify.config import load_tenant
from teams_notify.sandbox import Sandbox

HEADER = "# Acme's tenant: keep this comment\n"


@dataclass
class Discover:
    """Runs `teams-notify schema discover|check` on a tenant file pointing at the sandbox, as admin."""

    path: Path
    sandbox: Sandbox
    capsys: pytest.CaptureFixture[str]

    @property
    def api(self) -> AdminApi:
        return AdminApi(self.sandbox)

    def run(self, *args: str) -> tuple[int, str, str]:
        code = main(["schema", *args[:1], "--tenant", str(self.path), *args[1:]])
        out, err = self.capsys.readouterr()
        return code, out, err


@pytest.fixture
def discover(
    tmp_path: Path,
    constructs_bundles: BundleFactory,
    provider_sandbox: Sandbox,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> Discover:
    for name in ("SERVICENOW_TOKEN", "SERVICENOW_CLIENT_ID", "SERVICENOW_CLIENT_SECRET"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SERVICENOW_USERNAME", "admin")
    monkeypatch.setenv("SERVICENOW_PASSWORD", "admin")
    certs = [("current", constructs_bundles.make("discover-cert"), True)]
    text = tenant_toml("acme", certs, servicenow={"instance_url": provider_sandbox.url})
    # A hand-written file: a comment, and an override of its own that is right for this instance.
    text = HEADER + text + '\n[overrides.tables]\n# ours\nselector = "notify_group_selector"\n'
    path = tmp_path / "acme.toml"
    path.write_text(text)
    return Discover(path, provider_sandbox, capsys)


def unresolved_lines(out: str) -> list[str]:
    return [line for line in out.splitlines() if line.startswith(("# ambiguous", "# not found"))]


def test_discover_write_then_check_passes(discover: Discover) -> None:
    before = discover.path.read_text()
    code, _out, _err = discover.run("check")
    assert code == 1

    code, out, err = discover.run("discover", "--write")
    assert code == 0, out + err
    printed = tomllib.loads(out)["overrides"]
    assert printed == SANDBOX_OVERRIDES
    assert "# added 12 override(s) to" in err

    text = discover.path.read_text()
    assert text.startswith(before)  # comments, order and everything else kept; overrides added at the end
    assert load_tenant(discover.path).overrides.model_dump() == {
        **SANDBOX_OVERRIDES,
        "tables": {"selector": "notify_group_selector", **SANDBOX_OVERRIDES["tables"]},
    }
    code, out, err = discover.run("check")
    assert code == 0, out + err
    # Nothing left to find: a second run changes nothing.
    code, out, _err = discover.run("discover", "--write")
    assert code == 0 and "nothing found to override" in out
    assert discover.path.read_text() == text


def test_how_each_name_was_found(discover: Discover) -> None:
    code, out, _err = discover.run("discover", "--json")
    assert code == 0
    report = json.loads(out)
    assert report["ok"] is True and report["written"] is False and report["unresolved"] == []
    how = {f["config_key"]: (f["value"], f["how"]) for f in report["found"]}
    assert how["overrides.tables.teams_config"] == (
        "sn_notify_msteams_config",
        "in scope sn_notify_msteams, label 'Teams Configuration'",
    )
    # Label and type; a reference with no matching label by its target; a choice value by its label.
    assert how["overrides.columns.teams_config.tenant_id"] == (
        "azure_tenant_id",
        "label 'Tenant ID', type string",
    )
    assert how["overrides.columns.jwt_claim.jwt_provider"] == (
        "provider",
        "the only reference to jwt_provider",
    )
    assert how["overrides.choices.oauth_entity.send_client_credentials_as.private_key_jwt"] == (
        "jwt_client_assertion",
        "choice label 'As Private Key JWT'",
    )
    assert discover.path.read_text().count("[overrides") == 1  # no --write: file untouched


def test_two_columns_with_the_same_label_are_reported_not_guessed(discover: Discover) -> None:
    api = discover.api
    api.create(
        "sys_dictionary",
        {
            "name": "sn_notify_msteams_config",
            "element": "tenant_copy",
            "column_label": "Tenant ID",
            "internal_type": "string",
            "active": "true",
        },
    )
    # A second reference from a claim to the provider: the back-reference has no label to go by.
    api.create(
        "sys_dictionary",
        {
            "name": "jwt_claim_validation",
            "element": "issuer_provider",
            "column_label": "Issuer",
            "internal_type": "reference",
            "reference": "jwt_provider",
            "active": "true",
        },
    )
    code, out, err = discover.run("discover", "--write")
    assert code == 1
    assert unresolved_lines(out) == [
        "# ambiguous: overrides.columns.jwt_claim.jwt_provider (column jwt_claim_validation.jwt_provider): "
        "no column labelled 'JWT Provider'; 2 references to jwt_provider: issuer_provider, provider; "
        "set it by hand",
        "# ambiguous: overrides.columns.teams_config.tenant_id (column sn_notify_msteams_config.tenant_id): "
        "2 columns labelled 'Tenant ID': azure_tenant_id, tenant_copy; set it by hand",
    ]
    assert "error: 2 name(s) missing on" in err and "could not be settled" in err
    written = load_tenant(discover.path).overrides
    assert "tenant_id" not in written.columns["teams_config"]  # never guessed
    assert "jwt_provider" not in written.columns.get("jwt_claim", {})
    assert written.columns["teams_config"]["service_user_azure_id"] == "service_user_id"  # the rest written

    code, out, _err = discover.run("discover", "--json")
    report = json.loads(out)
    assert code == 1 and report["ok"] is False
    by_key = {u["config_key"]: u for u in report["unresolved"]}
    assert by_key["overrides.columns.teams_config.tenant_id"]["ambiguous"] is True
    assert by_key["overrides.columns.teams_config.tenant_id"]["candidates"] == [
        "azure_tenant_id",
        "tenant_copy",
    ]


def test_a_choice_label_the_instance_does_not_have_is_not_found(discover: Discover) -> None:
    api = discover.api
    (row,) = api.rows(
        "sys_choice", "name=oauth_entity^element=send_client_credentials_as^value=jwt_client_assertion"
    )
    api.delete("sys_choice", row["sys_id"])
    code, out, _err = discover.run("discover")
    assert code == 1
    assert unresolved_lines(out) == [
        "# not found: overrides.choices.oauth_entity.send_client_credentials_as.private_key_jwt "
        "(choice oauth_entity.send_client_credentials_as = private_key_jwt): no choice labelled "
        "'As Private Key JWT' (labels there: 'As Request Body Parameter', 'As Basic Authorization Header'); "
        "set it by hand",
    ]


def test_a_missing_tenant_file_is_bad_input(discover: Discover, tmp_path: Path) -> None:
    discover.path = tmp_path / "nope.toml"
    code, _out, err = discover.run("discover")
    assert code == 2 and "nope.toml does not exist" in err


def test_a_reference_target_given_as_a_sys_id_is_mapped_to_its_table(discover: Discover) -> None:
    # An instance may return sys_dictionary.reference as the sys_db_object sys_id of the target.
    api = discover.api
    (target,) = api.rows("sys_db_object", "name=jwt_provider")
    (back_ref,) = api.rows("sys_dictionary", "name=jwt_claim_validation^element=provider")
    api.patch("sys_dictionary", back_ref["sys_id"], {"reference": target["sys_id"]})
    code, out, _err = discover.run("discover", "--json")
    assert code == 0
    how = {f["config_key"]: (f["value"], f["how"]) for f in json.loads(out)["found"]}
    assert how["overrides.columns.jwt_claim.jwt_provider"] == (
        "provider",
        "the only reference to jwt_provider",
    )
