"""Terraform Cloud backend: a workspace per stack from a {tenant}/{side}/{stack} pattern, in a
project, tags for the API; the Entra and ServiceNow stacks in different workspaces with the
remote-state hand-off; and the real terraform accepts the synthesized cloud blocks."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from helpers.constructs import BundleFactory, Synthesized, synth_tenants, tenant_toml, write_tenant
from helpers.terraform import TERRAFORM
from teams_notify.config import load_tenant
from teams_notify.errors import BadInputError

CLOUD = {
    "type": "cloud",
    "organization": "acme",
    "hostname": "localhost:9",  # nothing listens there: terraform gets as far as service discovery
    "workspace_pattern": "notify-{tenant}-{side}",
    "project": "Teams Notify {tenant}",
    "tags": ["teams-notify", "tenant:{tenant}", "side:{side}"],
}


@pytest.fixture(scope="module")
def cloudy(tmp_path_factory: pytest.TempPathFactory, constructs_bundles: BundleFactory) -> Synthesized:
    root = tmp_path_factory.mktemp("cloud")
    cert = [("current", constructs_bundles.make("cloud-cert"), True)]
    write_tenant(root / "t", "fabrikam", cert, backend=CLOUD, entra={"handoff": "remote_state"})
    return synth_tenants(root / "t", root / "out")


@pytest.mark.parametrize("side", ["entra", "servicenow"])
def test_each_stack_has_its_own_named_workspace_in_the_project(cloudy: Synthesized, side: str) -> None:
    terraform = cloudy.stack(f"fabrikam-{side}")["terraform"]
    assert terraform["cloud"] == {
        "hostname": "localhost:9",
        "organization": "acme",
        "workspaces": {"name": f"notify-fabrikam-{side}", "project": "Teams Notify fabrikam"},
    }
    assert "backend" not in terraform
    # Terraform refuses tags beside a name in the cloud block: they go to the summary for the API.
    assert cloudy.summary(f"fabrikam-{side}")["terraform_cloud"] == {
        "hostname": "localhost:9",
        "organization": "acme",
        "workspace": f"notify-fabrikam-{side}",
        "project": "Teams Notify fabrikam",
        "tags": ["teams-notify", "tenant:fabrikam", f"side:{side}"],
    }


def test_servicenow_stack_reads_the_entra_workspace(cloudy: Synthesized) -> None:
    (state,) = cloudy.stack("fabrikam-servicenow")["data"]["terraform_remote_state"].values()
    assert state["backend"] == "remote"
    assert state["config"]["organization"] == "acme"
    assert state["config"]["hostname"] == "localhost:9"
    assert state["config"]["workspaces"] == {"name": "notify-fabrikam-entra"}


@pytest.mark.terraform
@pytest.mark.parametrize("side", ["entra", "servicenow"])
def test_terraform_accepts_the_cloud_block(cloudy: Synthesized, side: str, tmp_path: Path) -> None:
    """terraform init decodes and checks the cloud block before it contacts the host: it must fail
    only at service discovery (nothing listens on localhost:9), not on the block itself."""
    stack_dir = tmp_path / side
    stack_dir.mkdir()
    source = cloudy.outdir / "stacks" / f"fabrikam-{side}" / "cdk.tf.json"
    data = json.loads(source.read_text())
    # Only the cloud block: the providers (azuread, ours) are not what is tested here.
    (stack_dir / "main.tf.json").write_text(json.dumps({"terraform": {"cloud": data["terraform"]["cloud"]}}))
    proc = subprocess.run(
        [TERRAFORM, "init", "-input=false", "-no-color"],
        cwd=stack_dir,
        env=os.environ | {"CHECKPOINT_DISABLE": "1", "TF_IN_AUTOMATION": "1", "TF_TOKEN_localhost_9": "x"},
        capture_output=True,
        text=True,
        check=False,
    )
    output = proc.stdout + proc.stderr
    assert proc.returncode != 0
    assert "Invalid workspaces configuration" not in output and "Unsupported argument" not in output
    assert "Failed to request discovery document" in output and "localhost:9" in output, output


@pytest.mark.parametrize(
    ("backend", "message"),
    [
        ({"workspace_pattern": "notify-{tenant}"}, "must contain {stack} (or {tenant} and {side})"),
        ({"workspace_pattern": "notify-{env}-{stack}"}, "only {tenant}, {side} and {stack} may appear"),
        ({"workspace_pattern": "notify {stack}"}, "only letters, digits, - and _"),
        ({"tags": ["Teams Notify"]}, "tag 'Teams Notify'"),
        ({"project": "a/b"}, "project may hold only"),
    ],
)
def test_bad_cloud_settings_are_one_line_errors(
    backend: dict[str, object], message: str, tmp_path: Path, constructs_bundles: BundleFactory
) -> None:
    cert = [("current", constructs_bundles.make("cloud-bad"), True)]
    path = tmp_path / "t.toml"
    path.write_text(tenant_toml("bad", cert, backend={"type": "cloud", "organization": "acme"} | backend))
    with pytest.raises(BadInputError) as caught:
        load_tenant(path)
    assert message in str(caught.value)
    assert "backend" in str(caught.value)
