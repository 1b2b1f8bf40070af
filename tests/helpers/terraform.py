"""Drive the real terraform binary against our provider, offline.

API (re-exported by tests/conftest.py):

    terraform_plugin_dir   session fixture -> Path: the provider installed (unpacked mirror layout)
                           once per test session, exactly as `teams-notify provider install --dir` does
                           (TEAMS_NOTIFY_TEST_PROVIDER=built: the self-contained build, helpers/release.py).
    terraform_cli_config   autouse session fixture -> Path: TF_CLI_CONFIG_FILE for the whole session,
                           a CLI config whose filesystem_mirror is terraform_plugin_dir, so synth locks
                           (and terraform installs) the test session's provider, never whatever
                           ~/.terraform.d/plugins holds on this machine.
    terraform              fixture -> Terraform working in tmp_path / "tf", ready for `write` + `init`.
    provider_sandbox       fixture -> a running teams_notify.sandbox.Sandbox (fresh database per test).
    sandbox_env(sb, user="admin") -> dict: SERVICENOW_* variables for the provider (basic auth).
    provider_hcl(**attrs) -> str: `terraform { required_providers ... }` + `provider "servicenow" {...}`.
    init_with(tf, sb, resources, user="admin") -> AdminApi: point tf at the sandbox (credentials in
                           env), write provider block + resources to main.tf, terraform init.
    AdminApi(sb)           plain httpx Table/Attachment API calls as admin, for test assertions and
                           out-of-band changes: get, rows, create, patch, delete, attachment_bytes.

    tf = Terraform(workdir, plugin_dir, env={...})   # any directory, e.g. a synthesized cdktf stack
    tf.write(hcl, name="main.tf")                     # put a configuration file in workdir
    tf.init()                                         # terraform init, offline, writes the lock file
    tf.apply(*extra_args)                             # apply -auto-approve
    tf.plan(*extra_args) -> TerraformRun              # plan -detailed-exitcode: returncode 0 / 2
    tf.destroy(*extra_args)
    tf.run(*args, check=True) -> TerraformRun         # anything else (import, state rm, show, ...)
    tf.state() -> dict                                # `terraform show -json` of the state
    tf.resource(address) -> dict                      # one resource's attribute values from state
    TerraformRun: .args .returncode .stdout .stderr .output (stdout + stderr)

Marker: every test that uses the `terraform` or `terraform_plugin_dir` fixture gets the `terraform`
marker at collection (mark_terraform_tests, called from tests/conftest.py), so
`pytest -m "not terraform"` is the quick loop; a test that builds `Terraform(...)` without those
fixtures marks itself.

Every command runs with TF_IN_AUTOMATION=1, -input=false, no colour, checkpoint disabled, and
TF_CLI_CONFIG_FILE pointing at a CLI config whose filesystem_mirror serves our provider, so no
network is needed. Credentials go in `env` (e.g. SERVICENOW_PASSWORD), never in files.
A failing command raises TerraformFailed with the command's output (unless check=False).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from teams_notify.sandbox import Sandbox
from teams_notify.sandbox.accounts import USERS
from terraform_provider_servicenow.install import DEFAULT_SOURCE, cli_config_text, install

TERRAFORM = os.environ.get("TERRAFORM_BINARY", "terraform")

REQUIRED_PROVIDERS = f"""terraform {{
  required_providers {{
    servicenow = {{ source = "{DEFAULT_SOURCE}" }}
  }}
}}
"""


@dataclass(frozen=True)
class TerraformRun:
    """The outcome of one terraform command."""

    args: list[str]
    returncode: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


class TerraformFailed(AssertionError):
    """A terraform command exited non-zero (the message holds its output)."""


class Terraform:
    """One Terraform working directory using our provider from `plugin_dir`."""

    def __init__(self, workdir: Path, plugin_dir: Path, env: dict[str, str] | None = None) -> None:
        self.workdir = workdir
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.cli_config = self.workdir / ".terraformrc"
        self.cli_config.write_text(cli_config_text(plugin_dir))
        self.env = dict(env or {})

    def write(self, hcl: str, name: str = "main.tf") -> Path:
        path = self.workdir / name
        path.write_text(hcl)
        return path

    def run(self, *args: str, check: bool = True, env: dict[str, str] | None = None) -> TerraformRun:
        full_env = os.environ.copy() | {
            "TF_IN_AUTOMATION": "1",
            "TF_INPUT": "0",
            "CHECKPOINT_DISABLE": "1",
            "TF_CLI_CONFIG_FILE": str(self.cli_config),
        }
        full_env.pop("TF_LOG", None)
        full_env |= self.env | (env or {})
        argv = [TERRAFORM, *args]
        proc = subprocess.run(
            argv, cwd=self.workdir, env=full_env, capture_output=True, text=True, check=False
        )
        result = TerraformRun(list(args), proc.returncode, proc.stdout, proc.stderr)
        if check and proc.returncode != 0:
            raise TerraformFailed(f"terraform {' '.join(args)} exited {proc.returncode}:\n{result.output}")
        return result

    def init(self) -> TerraformRun:
        return self.run("init", "-input=false", "-no-color")

    def apply(self, *args: str, check: bool = True, env: dict[str, str] | None = None) -> TerraformRun:
        return self.run("apply", "-auto-approve", "-input=false", "-no-color", *args, check=check, env=env)

    def plan(self, *args: str, env: dict[str, str] | None = None) -> TerraformRun:
        """`plan -detailed-exitcode`: returncode 0 = no changes, 2 = changes; 1 raises."""
        result = self.run(
            "plan", "-detailed-exitcode", "-input=false", "-no-color", *args, check=False, env=env
        )
        if result.returncode not in (0, 2):
            raise TerraformFailed(f"terraform plan exited {result.returncode}:\n{result.output}")
        return result

    def destroy(self, *args: str, check: bool = True) -> TerraformRun:
        return self.run("destroy", "-auto-approve", "-input=false", "-no-color", *args, check=check)

    def state(self) -> dict:
        return json.loads(self.run("show", "-json").stdout)

    def resource(self, address: str) -> dict:
        """Attribute values of one resource (e.g. `servicenow_record.cert`) from the state."""
        resources = self.state().get("values", {}).get("root_module", {}).get("resources", [])
        for item in resources:
            if item["address"] == address:
                return item["values"]
        raise KeyError(f"{address} is not in the state")


def sandbox_env(sb: Sandbox, user: str = "admin") -> dict[str, str]:
    """Provider settings for a sandbox as environment variables (credentials never in .tf files)."""
    password = USERS[user].password
    return {"SERVICENOW_INSTANCE_URL": sb.url, "SERVICENOW_USERNAME": user, "SERVICENOW_PASSWORD": password}


def provider_hcl(**attrs: str | int) -> str:
    """The required_providers block plus a provider block with the given (non-secret) attributes."""
    body = "".join(f"  {k} = {json.dumps(v)}\n" for k, v in attrs.items())
    return REQUIRED_PROVIDERS + f'provider "servicenow" {{\n{body}}}\n'


def init_with(tf: Terraform, sb: Sandbox, resources: str, user: str = "admin") -> AdminApi:
    """The usual start of a provider test: configuration written, `terraform init` done; returns
    an AdminApi on the same sandbox for out-of-band changes and assertions."""
    tf.env |= sandbox_env(sb, user)
    tf.write(provider_hcl() + resources)
    tf.init()
    return AdminApi(sb)


class AdminApi:
    """Out-of-band access to a sandbox as admin (deliberately not the provider's client)."""

    def __init__(self, sb: Sandbox) -> None:
        self.http = httpx.Client(base_url=sb.url, auth=("admin", "admin"), timeout=30)
        self.params = {"sysparm_exclude_reference_link": "true"}

    def get(self, table: str, sys_id: str) -> dict | None:
        resp = self.http.get(f"/api/now/table/{table}/{sys_id}", params=self.params)
        if resp.status_code == 404:
            return None
        resp.raise_for_status()
        return resp.json()["result"]

    def rows(self, table: str, query: str) -> list[dict]:
        resp = self.http.get(f"/api/now/table/{table}", params=self.params | {"sysparm_query": query})
        resp.raise_for_status()
        return resp.json()["result"]

    def create(self, table: str, values: dict[str, str]) -> dict:
        resp = self.http.post(f"/api/now/table/{table}", params=self.params, json=values)
        resp.raise_for_status()
        return resp.json()["result"]

    def patch(self, table: str, sys_id: str, values: dict[str, str]) -> dict:
        resp = self.http.patch(f"/api/now/table/{table}/{sys_id}", params=self.params, json=values)
        resp.raise_for_status()
        return resp.json()["result"]

    def delete(self, table: str, sys_id: str) -> None:
        self.http.delete(f"/api/now/table/{table}/{sys_id}").raise_for_status()

    def attachment(self, sys_id: str) -> dict | None:
        resp = self.http.get(f"/api/now/attachment/{sys_id}")
        return None if resp.status_code == 404 else resp.raise_for_status().json()["result"]

    def attachment_bytes(self, sys_id: str) -> bytes:
        return self.http.get(f"/api/now/attachment/{sys_id}/file").raise_for_status().content


TERRAFORM_FIXTURES = frozenset({"terraform", "terraform_plugin_dir"})


def mark_terraform_tests(items: list[pytest.Item]) -> None:
    """Give the `terraform` marker to every collected test that uses a fixture which runs it."""
    for item in items:
        if TERRAFORM_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.terraform)


def install_for_tests(plugin_dir: Path) -> Path:
    """Install the provider into plugin_dir (unpacked layout) using this interpreter."""
    install(plugin_dir, DEFAULT_SOURCE, python=sys.executable)
    return plugin_dir


_session_plugin_dir: Path | None = None


def session_plugin_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The test session's provider, installed once (TEAMS_NOTIFY_TEST_PROVIDER=built: the
    self-contained build). A function, not only a fixture, so the autouse CLI config below does
    not pull `terraform_plugin_dir` into every test (which would mark them all `terraform`)."""
    global _session_plugin_dir
    if _session_plugin_dir is None:
        plugin_dir = tmp_path_factory.mktemp("terraform-plugins")
        if os.environ.get("TEAMS_NOTIFY_TEST_PROVIDER") == "built":
            from terraform_provider_servicenow.build import cached_build

            from helpers.release import BUILD_CACHE, install_built

            _session_plugin_dir = install_built(cached_build(BUILD_CACHE), plugin_dir)
        else:
            _session_plugin_dir = install_for_tests(plugin_dir)
    return _session_plugin_dir


@pytest.fixture(scope="session")
def terraform_plugin_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return session_plugin_dir(tmp_path_factory)


@pytest.fixture(scope="session", autouse=True)
def terraform_cli_config(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    path = tmp_path_factory.mktemp("terraform-cli-config") / "terraformrc"
    path.write_text(cli_config_text(session_plugin_dir(tmp_path_factory)))
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TF_CLI_CONFIG_FILE", str(path))
        yield path


@pytest.fixture
def terraform(tmp_path: Path, terraform_plugin_dir: Path) -> Terraform:
    return Terraform(tmp_path / "tf", terraform_plugin_dir)


@pytest.fixture
def provider_sandbox() -> Iterator[Sandbox]:
    with Sandbox() as sb:
        yield sb
