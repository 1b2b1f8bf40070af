"""Tenant config validation: clear one-line errors naming file and key; unknown keys rejected."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers.constructs import BundleFactory, tenant_toml
from teams_notify.config import load_tenant, load_tenants
from teams_notify.errors import BadInputError


@pytest.fixture
def good(tmp_path: Path, constructs_bundles: BundleFactory) -> str:
    return tenant_toml("acme", [("current", constructs_bundles.make("config-cert"), True)])


def load(tmp_path: Path, text: str) -> None:
    path = tmp_path / "acme.toml"
    path.write_text(text)
    load_tenant(path)


@pytest.mark.parametrize(
    ("old", "new", "where", "why"),
    [
        (
            'tenant_id = "0a1b2c3d-1111-4222-8333-444455556666"',
            'tenant_id = "nope"',
            "tenant_id",
            "not a GUID",
        ),
        (
            'instance_url = "https://acme.service-now.com"',
            'instance_url = "http://acme.service-now.com"',
            "servicenow.instance_url",
            "not an https:// URL",
        ),
        (
            'upn = "sn-notify@acme.onmicrosoft.com"',
            'upn = "nobody"',
            "service_user.upn",
            "not a user principal",
        ),
        (
            '[backend]\ntype = "local"',
            '[backend]\ntype = "local"\nbucket = "x"',
            "backend.bucket",
            "unknown key",
        ),
        (
            "[servicenow]\n",
            '[servicenow]\nclient_secret = "x"\n',
            "servicenow.client_secret",
            "looks like a secret",
        ),
        ('name = "config-cert"', 'name = "missing"', "certificates[0].dir", "crt file not found"),
    ],
)
def test_errors_name_file_and_key(
    tmp_path: Path, good: str, old: str, new: str, where: str, why: str
) -> None:
    assert old in good
    with pytest.raises(BadInputError) as err:
        load(tmp_path, good.replace(old, new))
    assert str(tmp_path / "acme.toml") in err.value.cause
    assert where in err.value.cause and why in err.value.cause
    assert "\n" not in err.value.cause


def test_good_file_loads_and_resolves(tmp_path: Path, good: str) -> None:
    load(tmp_path, good)
    (tenant,) = load_tenants(tmp_path)
    assert tenant.entra_stack == "acme-entra" and tenant.active_certificate.key == "current"
    assert tenant.active_certificate.crt.is_file()
    assert tenant.table("teams_config") == "sn_notify_msteams_configuration"


def test_overrides_apply_and_unknown_keys_fail(tmp_path: Path, good: str) -> None:
    load(tmp_path, good + '[overrides.columns.credential]\ncredential_alias = "credential_alias"\n')
    tenant = load_tenant(tmp_path / "acme.toml")
    assert tenant.column("credential", "credential_alias") == "credential_alias"
    with pytest.raises(BadInputError, match="unknown column key"):
        load(tmp_path, good + '[overrides.columns.credential]\nalias = "x"\n')


def test_choice_overrides_apply_and_are_checked(tmp_path: Path, good: str) -> None:
    section = "[overrides.choices.oauth_entity.send_client_credentials_as]\n"
    load(tmp_path, good + section + 'private_key_jwt = "jwt_client_assertion"\n')
    tenant = load_tenant(tmp_path / "acme.toml")
    assert (
        tenant.choice("oauth_entity", "send_client_credentials_as", "private_key_jwt")
        == "jwt_client_assertion"
    )
    # Defaults are the catalog's stored values (the JWT-bearer grant is a URN, not its key).
    assert tenant.choice("oauth_entity", "default_grant_type", "jwt_bearer") == (
        "urn:ietf:params:oauth:grant-type:jwt-bearer"
    )
    with pytest.raises(BadInputError, match="unknown choice key"):
        load(tmp_path, good + section + 'as_jwt = "x"\n')
    with pytest.raises(BadInputError, match="is not a choice column"):
        load(tmp_path, good + "[overrides.choices.oauth_entity.name]\n" + 'x = "y"\n')
    with pytest.raises(BadInputError, match="not a ServiceNow choice value"):
        load(tmp_path, good + section + 'private_key_jwt = "a^b"\n')
