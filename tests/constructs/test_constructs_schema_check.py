"""`teams-notify schema check` against the sandbox, whose own dictionary differs from our defaults
where no public source shows a name: our defaults fail with each wrong name and its config key;
with the sandbox's overrides everything is present; wrong overrides, columns or choice values an
instance lacks are reported with the config key to override."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest
from helpers.constructs import BundleFactory, write_tenant
from helpers.sandbox import sandbox_overrides
from helpers.terraform import AdminApi
from teams_notify.cli import main
from teams_notify.sandbox import Sandbox


@dataclass
class SchemaCheck:
    """Runs `teams-notify schema check` on a tenant file pointing at the sandbox, as admin."""

    folder: Path
    bundles: BundleFactory
    sandbox: Sandbox
    capsys: pytest.CaptureFixture[str]

    @property
    def api(self) -> AdminApi:
        return AdminApi(self.sandbox)

    def tenant(self, **sections: object) -> Path:
        """A tenant file for the sandbox, with the sandbox's name overrides unless `overrides=` is given."""
        sections.setdefault("overrides", sandbox_overrides())
        certs = [("current", self.bundles.make("schema-cert"), True)]
        return write_tenant(
            self.folder, "sch", certs, servicenow={"instance_url": self.sandbox.url}, **sections
        )

    def run(self, path: Path, *extra: str) -> tuple[int, str, str]:
        code = main(["schema", "check", "--tenant", str(path), *extra])
        out, err = self.capsys.readouterr()
        return code, out, err


@pytest.fixture
def schema(
    tmp_path: Path,
    constructs_bundles: BundleFactory,
    provider_sandbox: Sandbox,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> SchemaCheck:
    for name in ("SERVICENOW_TOKEN", "SERVICENOW_CLIENT_ID", "SERVICENOW_CLIENT_SECRET"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SERVICENOW_USERNAME", "admin")
    monkeypatch.setenv("SERVICENOW_PASSWORD", "admin")
    return SchemaCheck(tmp_path, constructs_bundles, provider_sandbox, capsys)


def missing_lines(out: str) -> list[str]:
    return [line for line in out.splitlines() if line.startswith("missing ")]


def test_our_defaults_fail_on_the_sandbox_and_each_wrong_name_is_named(schema: SchemaCheck) -> None:
    code, out, err = schema.run(schema.tenant(overrides={}))
    assert code == 1
    assert missing_lines(out) == [
        "missing column jwt_keystore_aliases.x509_sha1_thumbprint "
        "(config key overrides.columns.jwt_key.include_x5t)",
        "missing column jwt_claim_validation.jwt_provider "
        "(config key overrides.columns.jwt_claim.jwt_provider)",
        "missing choice oauth_entity.send_client_credentials_as = private_key_jwt "
        "(config key overrides.choices.oauth_entity.send_client_credentials_as.private_key_jwt)",
        "missing column oauth_entity.jwt_provider (config key overrides.columns.oauth_entity.jwt_provider)",
        "missing column oauth_2_0_credentials.tag (config key overrides.columns.credential.credential_alias)",
        # The table is one problem; its six columns (also named differently there) come after discovery.
        "missing table sn_notify_msteams_configuration (config key overrides.tables.teams_config)",
    ]
    assert "error: 6 table/column/choice name(s) missing on" in err


def test_with_the_sandbox_overrides_everything_is_present(schema: SchemaCheck) -> None:
    code, out, err = schema.run(schema.tenant(), "--json")
    assert code == 0, err
    report = json.loads(out)
    assert report["ok"] is True and report["instance_url"] == schema.sandbox.url
    items = {(i["kind"], i["table"], i["column"], i["choice"]) for i in report["items"]}
    assert all(i["present"] for i in report["items"])
    # What the stack writes, including overridden columns, choice values and the adopted config table.
    assert ("column", "oauth_2_0_credentials", "credential_aliases", None) in items
    assert ("choice", "sys_certificate", "type", "key_store") in items
    assert ("choice", "oauth_entity", "send_client_credentials_as", "jwt_client_assertion") in items
    assert ("table", "sn_notify_msteams_config", None, None) in items
    assert ("column", "sn_notify_msteams_config", "azure_tenant_id", None) in items
    assert ("column", "oidc_provider_configuration", "oidc_url", None) in items
    assert ("column", "sys_certificate", "expires", None) not in items  # in the catalog, never written


def test_wrong_column_override_is_reported_with_the_key_to_fix(schema: SchemaCheck) -> None:
    overrides = sandbox_overrides()
    overrides["columns"]["credential"]["credential_alias"] = "credential_alias"
    path = schema.tenant(overrides=overrides)
    code, out, err = schema.run(path)
    assert code == 1
    assert missing_lines(out) == [
        "missing column oauth_2_0_credentials.credential_alias "
        "(config key overrides.columns.credential.credential_alias)"
    ]
    assert (
        f'fix: set [overrides.columns.credential] credential_alias = "<column on this instance>" in {path}'
        in out
    )
    assert "error: 1 table/column/choice name(s) missing on" in err


def test_instance_of_another_release(schema: SchemaCheck) -> None:
    api = schema.api
    (thumbprint,) = api.rows("sys_dictionary", "name=jwt_keystore_aliases^element=certificate_thumbprint")
    api.delete("sys_dictionary", thumbprint["sys_id"])
    (pkjwt,) = api.rows(
        "sys_choice", "name=oauth_entity^element=send_client_credentials_as^value=jwt_client_assertion"
    )
    api.delete("sys_choice", pkjwt["sys_id"])
    overrides = sandbox_overrides()
    overrides["tables"]["selector"] = "x_acme_selector"
    path = schema.tenant(overrides=overrides)
    code, out, _err = schema.run(path)
    assert code == 1
    assert missing_lines(out) == [
        "missing column jwt_keystore_aliases.certificate_thumbprint "
        "(config key overrides.columns.jwt_key.certificate_thumbprint)",
        "missing choice oauth_entity.send_client_credentials_as = jwt_client_assertion "
        "(config key overrides.choices.oauth_entity.send_client_credentials_as.private_key_jwt)",
        # A missing table is one problem; its columns are not listed again.
        "missing table x_acme_selector (config key overrides.tables.selector)",
    ]
    assert "install the plugin that provides x_acme_selector" in out
    assert "[overrides.choices.oauth_entity.send_client_credentials_as] private_key_jwt = " in out


def test_columns_inherited_from_a_parent_table_count_as_present(schema: SchemaCheck) -> None:
    # Play a real instance: sys_db_object.super_class, and `name` defined on a parent of sys_certificate.
    api = schema.api
    api.create(
        "sys_dictionary",
        {"name": "sys_db_object", "element": "super_class", "internal_type": "reference", "active": "true"},
    )
    parent = api.create("sys_db_object", {"name": "x_parent", "label": "Parent"})
    (cert_table,) = api.rows("sys_db_object", "name=sys_certificate")
    api.patch("sys_db_object", cert_table["sys_id"], {"super_class": parent["sys_id"]})
    (name_col,) = api.rows("sys_dictionary", "name=sys_certificate^element=name")
    api.patch("sys_dictionary", name_col["sys_id"], {"name": "x_parent"})

    code, out, err = schema.run(schema.tenant())
    assert code == 0, out + err
    api.patch("sys_dictionary", name_col["sys_id"], {"name": "x_other"})
    code, out, _err = schema.run(schema.tenant())
    assert code == 1 and missing_lines(out) == [
        "missing column sys_certificate.name (config key overrides.columns.certificate.name)"
    ]


def test_credentials_only_from_the_environment(schema: SchemaCheck, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("USERNAME", "PASSWORD", "TOKEN", "CLIENT_ID", "CLIENT_SECRET"):
        monkeypatch.delenv(f"SERVICENOW_{name}", raising=False)
    code, _out, err = schema.run(schema.tenant())
    assert code == 2 and "no ServiceNow credentials configured" in err
    monkeypatch.setenv("SERVICENOW_USERNAME", "admin")
    monkeypatch.setenv("SERVICENOW_PASSWORD", "wrong")
    code, _out, err = schema.run(schema.tenant())
    assert code == 2 and "rejected" in err and "wrong" not in err
