"""Synth pins our provider's version and locks it for the CDK CLIs (`stacks.provider_lock`).

The test session's CLI config (TF_CLI_CONFIG_FILE, tests/helpers/terraform.py) serves the
provider from `terraform_plugin_dir`, so that is the package synth must hash.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from helpers.constructs import BundleFactory, Synthesized, synth_tenants, write_tenant
from teams_notify.cli import main
from terraform_provider_servicenow import __version__
from terraform_provider_servicenow.install import DEFAULT_SOURCE, cli_config_text, install, os_arch
from terraform_provider_servicenow.lockfile import LOCK_FILE, package_hash_v1

INSTALL_HINT = "teams-notify provider install"


def lock_of(out: Synthesized, stack: str) -> str:
    return (out.outdir / "stacks" / stack / LOCK_FILE).read_text()


def test_example_is_pinned_and_locked(constructs_example: Synthesized, terraform_plugin_dir: Path) -> None:
    required = constructs_example.stack("example-servicenow")["terraform"]["required_providers"]
    assert required["servicenow"] == {"source": DEFAULT_SOURCE, "version": __version__}
    package = terraform_plugin_dir / DEFAULT_SOURCE / __version__ / os_arch()
    lock = lock_of(constructs_example, "example-servicenow")
    assert f'provider "{DEFAULT_SOURCE}" {{' in lock
    assert f'version     = "{__version__}"' in lock and f'constraints = "{__version__}"' in lock
    assert f'"{package_hash_v1(package)}",' in lock
    assert constructs_example.summary("example-servicenow")["provider_warnings"] == []
    # The Entra stack's azuread provider is pinned (entra/azuread.py) and left to Terraform to lock.
    entra = constructs_example.stack("example-entra")["terraform"]["required_providers"]["azuread"]
    assert entra["version"] and not (constructs_example.outdir / "stacks/example-entra" / LOCK_FILE).exists()


def test_pinned_version_and_registry_source(tmp_path: Path, constructs_bundles: BundleFactory) -> None:
    bundle = constructs_bundles.make("lock-cert")
    write_tenant(
        tmp_path / "t",
        "pinned",
        [("current", bundle, True)],
        servicenow={"instance_url": "https://pinned.service-now.com", "provider_version": "~> 0.1"},
    )
    write_tenant(
        tmp_path / "t",
        "private",
        [("current", bundle, True)],
        servicenow={
            "instance_url": "https://private.service-now.com",
            "provider_source": "app.terraform.io/acme/servicenow",
        },
    )
    out = synth_tenants(tmp_path / "t", tmp_path / "out")
    pinned = out.stack("pinned-servicenow")["terraform"]["required_providers"]["servicenow"]
    assert pinned["version"] == "~> 0.1"
    lock = lock_of(out, "pinned-servicenow")
    assert 'constraints = "~> 0.1"' in lock and f'version     = "{__version__}"' in lock
    # A registry host (Terraform Cloud private registry): Terraform's own locking downloads it.
    private = out.stack("private-servicenow")["terraform"]["required_providers"]["servicenow"]
    assert private == {"source": "app.terraform.io/acme/servicenow", "version": __version__}
    assert not (out.outdir / "stacks/private-servicenow" / LOCK_FILE).exists()
    assert out.summary("private-servicenow")["provider_warnings"] == []


def test_bad_version_constraint_is_bad_input(
    tmp_path: Path, constructs_bundles: BundleFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    write_tenant(
        tmp_path / "t",
        "bad",
        [("current", constructs_bundles.make("lock-cert"), True)],
        servicenow={"instance_url": "https://bad.service-now.com", "provider_version": "latest"},
    )
    assert main(["synth", "--tenants", str(tmp_path / "t"), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "invalid provider version constraint 'latest'" in err and "Traceback" not in err


def test_not_installed_gives_one_line(
    tmp_path: Path,
    constructs_bundles: BundleFactory,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    empty = tmp_path / "empty-mirror"
    empty.mkdir()
    (tmp_path / "terraformrc").write_text(cli_config_text(empty))
    monkeypatch.setenv("TF_CLI_CONFIG_FILE", str(tmp_path / "terraformrc"))
    for name in ("one", "two"):
        write_tenant(
            tmp_path / "t",
            name,
            [("current", constructs_bundles.make("lock-cert"), True)],
            servicenow={"instance_url": f"https://{name}.service-now.com"},
        )
    out = tmp_path / "out"
    assert main(["synth", "--tenants", str(tmp_path / "t"), "--out", str(out)]) == 0
    lines = [line for line in capsys.readouterr().err.splitlines() if INSTALL_HINT in line]
    assert len(lines) == 1, lines
    assert lines[0].startswith("warning: provider terraform.local/teams-notify/servicenow 0.1.0")
    assert str(empty) in lines[0]
    assert not (out / "stacks/one-servicenow" / LOCK_FILE).exists()
    summary = json.loads((out / "stacks/two-servicenow/teams-notify.json").read_text())
    assert [INSTALL_HINT in w for w in summary["provider_warnings"]] == [True]
    # The CDK CLIs print manifest annotations: the same line, once for the whole app.
    manifest = json.loads((out / "manifest.json").read_text())
    notes = [a for s in manifest["stacks"].values() for a in s["annotations"]]
    assert [(a["level"], INSTALL_HINT in a["message"]) for a in notes] == [("@cdktf/warn", True)]


def test_installing_the_provider_then_synth_again_writes_the_lock(
    tmp_path: Path, constructs_bundles: BundleFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What the warning says to do works: the unchanged tenant is not served from the cache."""
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    (tmp_path / "terraformrc").write_text(cli_config_text(mirror))
    monkeypatch.setenv("TF_CLI_CONFIG_FILE", str(tmp_path / "terraformrc"))
    write_tenant(tmp_path / "t", "late", [("current", constructs_bundles.make("lock-cert"), True)])
    out = tmp_path / "out"
    assert main(["synth", "--tenants", str(tmp_path / "t"), "--out", str(out)]) == 0
    lock = out / "stacks/late-servicenow" / LOCK_FILE
    assert not lock.exists()
    executable = install(mirror, DEFAULT_SOURCE, python=sys.executable)
    assert main(["synth", "--tenants", str(tmp_path / "t"), "--out", str(out)]) == 0
    assert package_hash_v1(executable.parent) in lock.read_text()
    summary = json.loads((out / "stacks/late-servicenow/teams-notify.json").read_text())
    assert summary["provider_warnings"] == []
