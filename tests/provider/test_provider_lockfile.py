"""Lock files for a locally installed provider: our `h1:` hash is Terraform's, for an unpacked
package and a packed zip (checked against `terraform providers lock -fs-mirror`); finding the
package Terraform would install (CLI config mirrors, include/exclude, implied mirrors, version
constraints); a lock file we write is one `terraform init` accepts offline."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
from helpers.terraform import Terraform, provider_hcl
from terraform_provider_servicenow import __version__
from terraform_provider_servicenow.exceptions import ConfigError
from terraform_provider_servicenow.install import DEFAULT_SOURCE, cli_config_text, install, os_arch
from terraform_provider_servicenow.installed import configured_mirrors, find_installed
from terraform_provider_servicenow.lockfile import (
    LOCK_FILE,
    LockedProvider,
    lock_file_text,
    package_hash_v1,
    write_lock_file,
)
from terraform_provider_servicenow.version_constraints import allows, check_constraint, newest_allowed

H1_RE = re.compile(r'"(h1:[A-Za-z0-9+/=]+)"')


def terraform_lock_hashes(tmp_path: Path, mirror: Path, source: str, version: str) -> list[str]:
    """The h1: hashes `terraform providers lock -fs-mirror=<mirror> -platform=<this>` records."""
    workdir = tmp_path / "lock-check"
    tf = Terraform(workdir, mirror)
    (workdir / LOCK_FILE).unlink(missing_ok=True)
    tf.write(
        "terraform {\n  required_providers {\n"
        f'    servicenow = {{ source = "{source}", version = "{version}" }}\n  }}\n}}\n'
    )
    tf.run("providers", "lock", f"-fs-mirror={mirror}", f"-platform={os_arch()}", "-no-color")
    return H1_RE.findall((workdir / LOCK_FILE).read_text())


@pytest.mark.terraform
def test_h1_of_an_unpacked_package_is_terraforms(tmp_path: Path) -> None:
    mirror = tmp_path / "mirror"
    executable = install(mirror)
    # Extra files in nested folders, as a real provider build has: sorted, relative, with "/".
    (executable.parent / "lib" / "sub").mkdir(parents=True)
    (executable.parent / "lib" / "sub" / "data.bin").write_bytes(bytes(range(256)))
    (executable.parent / "README.md").write_text("a provider\n")
    ours = package_hash_v1(executable.parent)
    assert terraform_lock_hashes(tmp_path, mirror, DEFAULT_SOURCE, __version__) == [ours]
    (executable.parent / "README.md").write_text("changed\n")
    assert package_hash_v1(executable.parent) != ours  # content counts


@pytest.mark.terraform
def test_h1_of_a_packed_zip_is_terraforms(tmp_path: Path) -> None:
    mirror = tmp_path / "mirror"
    folder = mirror / "terraform.local/teams-notify/servicenow"
    folder.mkdir(parents=True)
    archive = folder / f"terraform-provider-servicenow_9.1.0_{os_arch()}.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("terraform-provider-servicenow_v9.1.0", "#!/bin/sh\nexit 1\n")
        zipped.writestr("lib/", "")  # a directory entry: not part of the hash
        zipped.writestr("lib/x.txt", "x")
    hashes = terraform_lock_hashes(tmp_path, mirror, DEFAULT_SOURCE, "9.1.0")
    assert package_hash_v1(archive) in hashes


def versioned_provider_hcl() -> str:
    return provider_hcl(instance_url="http://127.0.0.1:9").replace(
        f'source = "{DEFAULT_SOURCE}"', f'source = "{DEFAULT_SOURCE}", version = "{__version__}"'
    )


@pytest.mark.terraform
def test_our_lock_file_is_accepted_by_terraform_init_offline(tmp_path: Path) -> None:
    mirror = tmp_path / "mirror"
    executable = install(mirror)
    tf = Terraform(tmp_path / "tf", mirror)
    tf.write(versioned_provider_hcl())
    entry = LockedProvider(DEFAULT_SOURCE, __version__, __version__, (package_hash_v1(executable.parent),))
    write_lock_file(tf.workdir, [entry])
    written = (tf.workdir / LOCK_FILE).read_text()
    tf.init()
    assert (tf.workdir / LOCK_FILE).read_text() == written  # Terraform had nothing to add or fix

    # A lock whose hash is not the installed package's is refused: the hash is really checked.
    other = Terraform(tmp_path / "other", mirror)
    other.write(versioned_provider_hcl())
    wrong = LockedProvider(DEFAULT_SOURCE, __version__, __version__, ("h1:" + "A" * 43 + "=",))
    write_lock_file(other.workdir, [wrong])
    refused = other.run("init", "-input=false", "-no-color", check=False)
    assert refused.returncode != 0 and "checksums" in refused.output, refused.output


def test_lock_file_text_keeps_other_providers_and_replaces_ours() -> None:
    existing = (
        "# header\n\n"
        'provider "registry.terraform.io/hashicorp/azuread" {\n  version = "3.7.0"\n  hashes = [\n'
        '    "h1:abc=",\n  ]\n}\n\n'
        f'provider "{DEFAULT_SOURCE}" {{\n  version = "0.0.1"\n  hashes = [\n    "h1:old=",\n  ]\n}}\n'
    )
    text = lock_file_text([LockedProvider(DEFAULT_SOURCE, "0.1.0", "0.1.0", ("h1:new=",))], existing)
    assert '"h1:abc="' in text and '"h1:new="' in text and "h1:old=" not in text
    assert text.index("hashicorp/azuread") < text.index(DEFAULT_SOURCE)  # sorted like Terraform
    assert 'constraints = "0.1.0"' in text and text.startswith("# This file is maintained")


def test_configured_mirrors_read_the_cli_config(tmp_path: Path) -> None:
    commented = '# provider_installation { filesystem_mirror { path = "/x" } }\n'
    text = cli_config_text(tmp_path / "plugins") + commented
    (mirror,) = configured_mirrors(text) or []
    assert mirror.path == tmp_path / "plugins" and mirror.include == ("terraform.local/teams-notify/*",)
    assert configured_mirrors('plugin_cache_dir = "/tmp/x"\n') is None  # implied mirrors then
    two = configured_mirrors(
        "provider_installation {\n"
        '  filesystem_mirror { path = "/a" exclude = ["terraform.local/*/*"] }\n'
        "  /* a comment { with braces } */\n"
        '  filesystem_mirror {\n    path = "/b"\n  }\n'
        "  direct {}\n}\n"
    )
    assert [m.path for m in two or []] == [Path("/a"), Path("/b")]


def test_find_installed_follows_the_cli_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    served, other = tmp_path / "served", tmp_path / "other"
    install(other)  # installed, but in a folder Terraform would not look in
    config = tmp_path / "terraformrc"
    config.write_text(cli_config_text(served))
    monkeypatch.setenv("TF_CLI_CONFIG_FILE", str(config))
    missing = find_installed(DEFAULT_SOURCE, __version__)
    assert missing.package is None and [m.path for m in missing.mirrors] == [served]

    install(served)
    install(served, version="0.2.0")
    found = find_installed(DEFAULT_SOURCE, "~> 0.1")
    assert found.package is not None and found.package.version == "0.2.0"
    assert found.package.path == served / "terraform.local/teams-notify/servicenow/0.2.0" / os_arch()
    exact = find_installed(DEFAULT_SOURCE, __version__)
    assert exact.package is not None and exact.package.version == __version__
    assert find_installed(DEFAULT_SOURCE, ">= 1.0").package is None
    # The include pattern serves terraform.local/teams-notify/* only.
    assert find_installed("example.local/acme/servicenow", None).mirrors == ()


def test_find_installed_without_provider_installation_uses_implied_mirrors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("TF_CLI_CONFIG_FILE", str(tmp_path / "absent.tfrc"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    install(tmp_path / "xdg" / "terraform" / "plugins")
    found = find_installed(DEFAULT_SOURCE, __version__)
    assert found.package is not None
    assert found.mirrors[0].path == tmp_path / ".terraform.d" / "plugins"


@pytest.mark.parametrize(
    ("constraint", "version", "expected"),
    [
        ("0.1.0", "0.1.0", True),
        ("= 0.1.0", "0.1.1", False),
        ("~> 0.1", "0.9.3", True),
        ("~> 0.1", "1.0.0", False),
        ("~> 0.1.2", "0.1.9", True),
        ("~> 0.1.2", "0.2.0", False),
        (">= 0.1, < 0.3", "0.2.5", True),
        (">= 0.1, != 0.2.5", "0.2.5", False),
        ("> 0.1.0", "0.1.0", False),
        ("<= 1", "1.0.0", True),
        ("0.1.0", "0.1.0-rc1", False),
        ("0.1.0-rc1", "0.1.0-rc1", True),
    ],
)
def test_version_constraints(constraint: str, version: str, expected: bool) -> None:
    assert allows(constraint, version) is expected


def test_newest_allowed_and_bad_constraints() -> None:
    assert newest_allowed("~> 0.1", ["0.1.0", "0.3.1", "0.10.0", "1.0.0", "junk"]) == "0.10.0"
    assert newest_allowed(">= 2", ["0.1.0"]) is None
    for bad in ("latest", "~> ", ">= 1.x", "1.2.3.4"):
        with pytest.raises(ConfigError, match="invalid provider version constraint"):
            check_constraint(bad)
