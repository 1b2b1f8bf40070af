"""`teams-notify provider install` and the provider block's settings (no sandbox needed)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from helpers.terraform import Terraform, provider_hcl
from teams_notify.cli import main
from terraform_provider_servicenow.exceptions import ServiceNowError
from terraform_provider_servicenow.lockfile import package_hash_v1
from terraform_provider_servicenow.provider import settings_from


@pytest.mark.terraform  # builds its own Terraform (no fixture marks it)
def test_install_layout_then_offline_init(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    plugin_dir = tmp_path / "plugins"
    assert main(["provider", "install", "--dir", str(plugin_dir), "--json"]) == 0
    installed = json.loads(capsys.readouterr().out)
    path = Path(installed["path"])
    version = installed["version"]
    assert path == plugin_dir / "terraform.local/teams-notify/servicenow" / version / "linux_amd64" / (
        f"terraform-provider-servicenow_v{version}"
    )
    assert os.access(path, os.X_OK) and "-m terraform_provider_servicenow" in path.read_text()
    assert installed["h1"] == package_hash_v1(path.parent) and installed["h1"].startswith("h1:")

    # A custom source address (private registry host) is honoured too.
    assert (
        main(
            [
                "provider",
                "install",
                "--dir",
                str(plugin_dir),
                "--source",
                "registry.example.com/acme/servicenow",
            ]
        )
        == 0
    )
    printed = capsys.readouterr().out
    assert "installed registry.example.com/acme/servicenow" in printed
    entry = f'servicenow = {{ source = "registry.example.com/acme/servicenow", version = "{version}" }}'
    assert entry in printed
    assert f'path    = "{plugin_dir}"' in printed and "filesystem_mirror" in printed
    assert (plugin_dir / "registry.example.com/acme/servicenow" / version).is_dir()
    assert main(["provider", "install", "--dir", str(plugin_dir), "--source", "servicenow"]) == 2
    assert "invalid provider source 'servicenow'" in capsys.readouterr().err

    tf = Terraform(tmp_path / "tf", plugin_dir)
    tf.write(provider_hcl(instance_url="http://127.0.0.1:9", username="u"))
    tf.init()
    lock = (tf.workdir / ".terraform.lock.hcl").read_text()
    assert 'provider "terraform.local/teams-notify/servicenow"' in lock and f'version = "{version}"' in lock
    assert "Success" in tf.run("validate", "-no-color").output


def test_install_default_dir_and_unwritable_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert main(["provider", "install"]) == 0
    printed = capsys.readouterr().out
    assert str(tmp_path / "home/.terraform.d/plugins/terraform.local/teams-notify/servicenow") in printed
    assert "implied local mirror" in printed and "filesystem_mirror" not in printed

    # The tests run as root, for whom no mode bits block a write: a plain file in the way does.
    blocker = tmp_path / "blocker"
    blocker.write_text("not a directory")
    assert main(["provider", "install", "--dir", str(blocker / "plugins")]) == 2
    captured = capsys.readouterr()
    assert f"error: cannot write to {blocker}/plugins" in captured.err
    assert "Not a directory" in captured.err and "fix: Choose a directory you can write to" in captured.err
    assert "Traceback" not in captured.err and captured.out == ""


@pytest.mark.parametrize(
    ("config", "environ", "message"),
    [
        ({}, {}, "instance_url is not set"),
        ({"instance_url": "http://example.service-now.com"}, {"SERVICENOW_TOKEN": "t"}, "uses plain http"),
        ({"instance_url": "https://x.service-now.com/api/now"}, {"SERVICENOW_TOKEN": "t"}, "has a path"),
        ({"instance_url": "https://x.service-now.com"}, {}, "no ServiceNow credentials configured"),
        (
            {"instance_url": "https://x.service-now.com", "client_id": "c"},
            {},
            "needs both client_id and client_secret",
        ),
    ],
)
def test_provider_settings_errors(config: dict, environ: dict, message: str) -> None:
    with pytest.raises(ServiceNowError, match=message):
        settings_from(config, environ)


def test_provider_settings_env_fallbacks_and_auth_kind() -> None:
    environ = {
        "SERVICENOW_INSTANCE_URL": "https://x.service-now.com/",
        "SERVICENOW_CLIENT_ID": "id",
        "SERVICENOW_CLIENT_SECRET": "secret",
        "SERVICENOW_USERNAME": "env-user",
        "SERVICENOW_PASSWORD": "pw",
    }
    settings = settings_from({"timeout_seconds": 5, "max_retries": 2}, environ)
    assert settings.instance_url == "https://x.service-now.com"
    assert settings.credentials.kind == "oauth_password"
    assert (settings.timeout_seconds, settings.max_retries) == (5.0, 2)
    assert "secret" not in repr(settings) and "pw" not in repr(settings.credentials)
    block_wins = settings_from({"username": "block-user", "client_id": "", "client_secret": ""}, environ)
    assert block_wins.credentials.username == "block-user"
    assert (
        settings_from(
            {}, {"SERVICENOW_INSTANCE_URL": "http://localhost:8080", "SERVICENOW_TOKEN": "t"}
        ).credentials.kind
        == "bearer"
    )
