"""`cdktf` and `cdktn`, the real CLIs from npm, deploy the ServiceNow stacks with no extra flags.

For each CLI, on a copy of the project app (cdktf.json + main.py) with two tenants, each pointed
at its own sandbox (two tenants on one instance would adopt the same singleton records):
`synth`; `deploy alpha-servicenow --auto-approve`; `diff alpha-servicenow` (no changes);
`destroy alpha-servicenow --auto-approve`; then `deploy '*-servicenow'` and `destroy
'*-servicenow'` for both tenants at once. The sandboxes hold our records after each deploy and
none after each destroy, with the adopted Teams configuration back as it was.

Nothing is passed but what a user sets: SERVICENOW_* credentials, TF_VAR_keystore_password_*,
the Terraform CLI config whose filesystem_mirror holds the provider (as `teams-notify provider
install --dir` prints it), TEAMS_NOTIFY_TENANTS / TEAMS_NOTIFY_CDK for the app.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers.cdkcli import CdkCli, CdkProject, CliRun
from helpers.constructs import STORE_PASSWORD, BundleFactory, write_tenant
from helpers.sandbox import CREATED_TABLES, SANDBOX_OVERRIDES, sandbox_overrides
from helpers.terraform import AdminApi
from teams_notify.catalog import TABLES
from teams_notify.sandbox import Sandbox
from teams_notify.sandbox.accounts import USERS
from teams_notify.stacks.stack import keystore_password_variable
from terraform_provider_servicenow.install import cli_config_text
from terraform_provider_servicenow.lockfile import LOCK_FILE

pytestmark = pytest.mark.terraform
TENANTS = ("alpha", "bravo")
# The sandbox's own names for the Teams configuration (tenant files carry SANDBOX_OVERRIDES).
CONFIG_TABLE = SANDBOX_OVERRIDES["tables"]["teams_config"]
CONFIG_COLUMNS = [
    SANDBOX_OVERRIDES["columns"].get("teams_config", {}).get(key, column.name)
    for key, column in TABLES["teams_config"].columns.items()
]
INSTALL_HINT = "teams-notify provider install"


def user_env() -> dict[str, str]:
    """What a user exports before deploying (credentials and keystore password, never in files)."""
    return {
        "SERVICENOW_USERNAME": "admin",
        "SERVICENOW_PASSWORD": USERS["admin"].password,
        f"TF_VAR_{keystore_password_variable('current')}": STORE_PASSWORD,
    }


def make_project(
    root: Path, cli: CdkCli, bundles: BundleFactory, sandboxes: dict[str, Sandbox]
) -> CdkProject:
    project = CdkProject(root, cli, user_env())
    for name, sb in sandboxes.items():
        write_tenant(
            project.tenants,
            name,
            [("current", bundles.make(f"{name}-cli-cert"), True)],
            servicenow={"instance_url": sb.url},
            overrides=sandbox_overrides(),
        )
    return project


def ok(run: CliRun) -> CliRun:
    assert run.returncode == 0, f"{' '.join(run.args)} exited {run.returncode}:\n{run.output[-6000:]}"
    return run


def teams_config(api: AdminApi) -> dict[str, str | None]:
    (config,) = api.rows(CONFIG_TABLE, "")
    return {c: config.get(c) for c in CONFIG_COLUMNS}


def assert_deployed(api: AdminApi) -> None:
    for table in CREATED_TABLES:
        assert len(api.rows(table, "")) == 1, table
    (keystore,) = api.rows("sys_certificate", "")
    attachments = api.http.get(
        "/api/now/attachment", params={"sysparm_query": f"table_sys_id={keystore['sys_id']}"}
    ).json()["result"]
    assert [a["file_name"].endswith("-cli-cert.jks") for a in attachments] == [True]


def assert_destroyed(api: AdminApi, config_before: dict[str, str | None]) -> None:
    for table in CREATED_TABLES:
        assert api.rows(table, "") == [], f"{table} still holds our record after destroy"
    assert teams_config(api) == config_before  # adopted, then given its own values back


@pytest.fixture
def sandboxes() -> Iterator[dict[str, Sandbox]]:
    with Sandbox() as first, Sandbox() as second:
        yield dict(zip(TENANTS, (first, second), strict=True))


@pytest.mark.parametrize("cli_name", ["cdktf", "cdktn"])
def test_synth_deploy_diff_destroy(
    cli_name: str, tmp_path: Path, constructs_bundles: BundleFactory, sandboxes: dict[str, Sandbox]
) -> None:
    cli = CdkCli.find(cli_name)
    project = make_project(tmp_path / "app", cli, constructs_bundles, sandboxes)
    apis = {name: AdminApi(sb) for name, sb in sandboxes.items()}
    before = {name: teams_config(api) for name, api in apis.items()}

    synth = ok(project.run("synth"))
    assert "alpha-servicenow" in synth.output and "bravo-entra" in synth.output
    assert not synth.lines_with(INSTALL_HINT)
    for name in TENANTS:
        lock = (project.stack_dir(f"{name}-servicenow") / LOCK_FILE).read_text()
        assert 'provider "terraform.local/teams-notify/servicenow"' in lock and '"h1:' in lock
        assert not (project.stack_dir(f"{name}-entra") / LOCK_FILE).exists()  # azuread: left to Terraform

    ok(project.run("deploy", "alpha-servicenow", "--auto-approve"))
    assert_deployed(apis["alpha"])
    assert apis["bravo"].rows("jwt_provider", "") == []  # only the stack asked for

    diff = ok(project.run("diff", "alpha-servicenow"))
    assert "No changes." in diff.output, diff.output[-3000:]

    ok(project.run("destroy", "alpha-servicenow", "--auto-approve"))
    assert_destroyed(apis["alpha"], before["alpha"])

    ok(project.run("deploy", "*-servicenow", "--auto-approve"))
    for api in apis.values():
        assert_deployed(api)
    ok(project.run("destroy", "*-servicenow", "--auto-approve"))
    for name, api in apis.items():
        assert_destroyed(api, before[name])


def test_provider_not_installed_says_how_to_fix(
    tmp_path: Path, constructs_bundles: BundleFactory, sandboxes: dict[str, Sandbox]
) -> None:
    """With a CLI config whose mirror lacks our provider, `cdktf synth` succeeds with one line
    that says to run `teams-notify provider install`, and `cdktf deploy` fails with Terraform's
    error plus that same line."""
    cli = CdkCli.find("cdktf")
    empty = tmp_path / "empty-mirror"
    empty.mkdir()
    config = tmp_path / "terraformrc"
    config.write_text(cli_config_text(empty))
    project = make_project(tmp_path / "app", cli, constructs_bundles, sandboxes)
    project.env["TF_CLI_CONFIG_FILE"] = str(config)

    synth = ok(project.run("synth"))
    (hint,) = synth.lines_with(INSTALL_HINT)  # one line for both tenants
    assert "terraform.local/teams-notify/servicenow" in hint and str(empty) in hint
    assert not (project.stack_dir("alpha-servicenow") / LOCK_FILE).exists()

    deploy = project.run("deploy", "alpha-servicenow", "--auto-approve")
    assert deploy.returncode != 0
    assert "terraform.local/teams-notify/servicenow" in deploy.output  # Terraform's own error
    assert len(deploy.lines_with(INSTALL_HINT)) == 1, deploy.output[-4000:]
    assert apis_empty(sandboxes)


def apis_empty(sandboxes: dict[str, Sandbox]) -> bool:
    return all(AdminApi(sb).rows("jwt_provider", "") == [] for sb in sandboxes.values())
