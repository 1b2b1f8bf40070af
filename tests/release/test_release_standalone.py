"""The self-contained provider runs without Python: copied into an empty folder it handshakes, and
installed by Terraform from the release zip (through a filesystem mirror) it applies a record
against the sandbox with no Python on PATH and no PYTHON* variables."""

from __future__ import annotations

import json
import os
import shutil
import sys
import zipfile
from pathlib import Path

import pytest
from helpers.release import BUILD_CACHE, RELEASE_VERSION, handshake, https_server
from helpers.terraform import AdminApi, Terraform, provider_hcl, sandbox_env
from teams_notify.cli import main
from teams_notify.sandbox import Sandbox
from terraform_provider_servicenow import __version__
from terraform_provider_servicenow.build import Build
from terraform_provider_servicenow.lockfile import package_hash_v1
from terraform_provider_servicenow.mirror import cli_config_text, write_mirror
from terraform_provider_servicenow.release import Release, executable_name, write_zip

EXECUTABLE = f"terraform-provider-servicenow_v{RELEASE_VERSION}"


def bare_env(tmp_path: Path, path: str) -> dict[str, str]:
    """No Python anywhere: PATH only what is given, a fresh HOME, nothing inherited."""
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    return {"PATH": path, "HOME": str(home), "LANG": "C.UTF-8"}


def unzip_with_modes(zip_path: Path, folder: Path) -> None:
    """Unpack as Terraform does: the Unix modes stored in the zip are kept (extractall drops them)."""
    with zipfile.ZipFile(zip_path) as archive:
        for info in archive.infolist():
            target = Path(archive.extract(info, folder))
            target.chmod((info.external_attr >> 16) & 0o777)


def test_copied_executable_handshakes_without_python(release_dir: Release, tmp_path: Path) -> None:
    folder = tmp_path / "empty"
    folder.mkdir()
    unzip_with_modes(release_dir.zips["linux_amd64"], folder)
    executable = folder / EXECUTABLE
    _, line, proc = handshake([str(executable)], bare_env(tmp_path, str(folder)))
    try:
        # go-plugin handshake: core protocol 1, plugin protocol 6, unix socket, grpc, server cert.
        fields = line.strip().split("|")
        assert fields[:3] == ["1", "6", "unix"] and fields[4] == "grpc", line
        # The running process is our executable, and the interpreter it loaded is the bundled one.
        assert Path(os.readlink(f"/proc/{proc.pid}/exe")) == executable
        maps = Path(f"/proc/{proc.pid}/maps").read_text()
        assert str(folder / "_internal" / "libpython3") in maps
        assert sys.base_prefix not in maps and sys.prefix not in maps
        environ = Path(f"/proc/{proc.pid}/environ").read_bytes()
        assert b"PYTHONPATH" not in environ and b"PYTHONHOME" not in environ
        assert b"VIRTUAL_ENV" not in environ
    finally:
        proc.kill()
        proc.wait()


@pytest.mark.terraform
def test_terraform_installs_the_zip_and_applies_without_python(
    release_dir: Release, provider_sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    terraform_binary = shutil.which("terraform")
    assert terraform_binary is not None
    monkeypatch.setattr("helpers.terraform.TERRAFORM", terraform_binary)  # PATH below has no terraform
    mirror = write_mirror(release_dir, tmp_path / "mirror", "fs")
    empty = tmp_path / "empty-path"
    empty.mkdir()
    tf = Terraform(
        tmp_path / "tf",
        tmp_path / "unused",
        env=bare_env(tmp_path, str(empty)) | sandbox_env(provider_sandbox),
    )
    tf.cli_config.write_text(cli_config_text(mirror))
    for name in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "TF_PLUGIN_CACHE_DIR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PATH", str(empty))  # Terraform.run starts from os.environ
    tf.write(
        provider_hcl()
        + """
resource "servicenow_record" "cert" {
  table  = "sys_certificate"
  fields = { name = "standalone-provider", type = "key_store", active = "true" }
}
"""
    )
    tf.init()
    installed = next((tf.workdir / ".terraform" / "providers").rglob(EXECUTABLE))
    assert (installed.parent / "_internal").is_dir()  # Terraform unpacked the whole zip
    assert os.access(installed, os.X_OK)  # and kept the executable bit from the zip
    assert installed.read_bytes()[:4] == b"\x7fELF"  # a native executable, not a script
    tf.apply()
    sys_id = tf.resource("servicenow_record.cert")["sys_id"]
    row = AdminApi(provider_sandbox).get("sys_certificate", sys_id)
    assert row is not None and row["name"] == "standalone-provider"
    assert tf.plan().returncode == 0  # the second plan is empty


@pytest.mark.terraform
def test_frozen_provider_verifies_tls(release_dir: Release, tmp_path: Path) -> None:
    """The bundled ssl module works: against an HTTPS server of a private CA the provider gets
    through TLS when SSL_CERT_FILE names that CA (the server answers 404: it is not ServiceNow),
    and does not connect otherwise (its CA store does not know the CA)."""
    mirror = write_mirror(release_dir, tmp_path / "mirror", "fs")
    (tmp_path / "www").mkdir()
    data_source = 'data "servicenow_record" "x" {\n  table = "sys_user"\n  query = "name=a"\n}\n'
    with https_server(tmp_path / "www", tmp_path / "pki") as server:
        outputs = {}
        for trusted in (True, False):
            env = {"SERVICENOW_INSTANCE_URL": server.url.rstrip("/"), "SERVICENOW_TOKEN": "t"}
            if trusted:
                env["SSL_CERT_FILE"] = str(server.ca_file)
            tf = Terraform(tmp_path / f"tf-{trusted}", tmp_path / "unused", env=env)
            tf.cli_config.write_text(cli_config_text(mirror))
            tf.write(provider_hcl(max_retries=0) + data_source)
            tf.init()
            outputs[trusted] = tf.run("plan", "-input=false", "-no-color", check=False).output
    assert "ServiceNow answered HTTP 404" in outputs[True], outputs[True]
    # A refused certificate is named at once (no retry can fix a trust store).
    assert "TLS certificate of https://localhost" in outputs[False], outputs[False]
    assert "is not trusted" in outputs[False] and "SSL_CERT_FILE" in outputs[False]
    assert "HTTP 404" not in outputs[False]


@pytest.mark.terraform
def test_install_standalone_gives_the_same_lock_hash_as_the_release_zip(
    release_build: Build, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`provider install --standalone`: Terraform uses the self-contained executable from the
    unpacked layout, and locks the same h1: as for the release zip (no checkout path inside)."""
    plugin_dir = tmp_path / "plugins"
    code = main(
        [
            "provider",
            "install",
            "--standalone",
            "--cache",
            str(BUILD_CACHE),
            "--dir",
            str(plugin_dir),
            "--json",
        ]
    )
    assert code == 0
    installed = Path(json.loads(capsys.readouterr().out)["path"])
    assert installed.name == f"terraform-provider-servicenow_v{__version__}"
    assert (installed.parent / "_internal").is_dir() and installed.read_bytes()[:4] == b"\x7fELF"
    tf = Terraform(tmp_path / "tf", plugin_dir)
    tf.write(provider_hcl())
    tf.init()
    lock = (tf.workdir / ".terraform.lock.hcl").read_text()
    write_zip(release_build, executable_name(__version__), tmp_path / "p.zip")
    assert f'"{package_hash_v1(tmp_path / "p.zip")}"' in lock
