"""Issue 9 items 1 and 8: a synth replaces the output folder as a whole or not at all.

A failed check (exit 1), bad input (exit 2), an exception at any step, Ctrl-C or `kill -9` at
any moment leave the previous output byte for byte; concurrent synths into one folder both end
cleanly; nothing with an x5t placeholder is ever where Terraform reads.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from helpers.certs import run_cli
from helpers.constructs import BundleFactory, CertificateBundle, write_tenant
from helpers.programs import tree
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from teams_notify.config import load_tenants
from teams_notify.stacks.app import synth
from teams_notify.stacks.servicenow.fields import X5T_PLACEHOLDER_PREFIX

ROOT = Path(__file__).resolve().parents[2]
NAMES = ("alpha", "bravo")


def no_placeholder(files: dict[str, bytes]) -> bool:
    marker = X5T_PLACEHOLDER_PREFIX.encode()
    return not any(marker in data for name, data in files.items() if name.endswith(".json"))


def write_tenants(folder: Path, bundle: CertificateBundle, domain_suffix: str = "") -> None:
    for name in NAMES:
        domain = f"{name}{domain_suffix}.onmicrosoft.com"
        write_tenant(folder, name, [("current", bundle, True)], domain=domain)


@pytest.fixture
def bundle(constructs_bundles: BundleFactory) -> CertificateBundle:
    return constructs_bundles.make("atomic-cert")


def test_failed_check_leaves_the_previous_output(tmp_path: Path, bundle: CertificateBundle) -> None:
    write_tenant(tmp_path / "t", "acme", [("current", bundle, True)])
    out = tmp_path / "out"
    assert run_cli("synth", "--tenants", tmp_path / "t", "--out", out).code == 0
    before = tree(out)
    assert no_placeholder(before)
    write_tenant(tmp_path / "t", "acme", [("current", bundle, True)], expiry_horizon_days=1000)
    result = run_cli("synth", "--tenants", tmp_path / "t", "--out", out)
    assert result.code == 1 and "within the 1000-day horizon" in result.err
    assert tree(out) == before


def test_bad_input_leaves_the_previous_output(tmp_path: Path, bundle: CertificateBundle) -> None:
    write_tenant(tmp_path / "t", "acme", [("current", bundle, True)])
    out = tmp_path / "out"
    assert run_cli("synth", "--tenants", tmp_path / "t", "--out", out).code == 0
    before = tree(out)
    bad_id = "0a1b2c3d-1111-4222-8333-444455556666\n"
    write_tenant(tmp_path / "t", "acme", [("current", bundle, True)], tenant_id=bad_id)
    assert run_cli("synth", "--tenants", tmp_path / "t", "--out", out).code == 2
    assert tree(out) == before


def test_terraform_working_files_survive_a_synth(tmp_path: Path, bundle: CertificateBundle) -> None:
    """In the stack folders of a tenant built again (acme) and of one reused (bravo; a lock file
    `terraform init` changed is a changed output: that tenant is built again)."""
    for name in ("acme", "bravo"):
        write_tenant(tmp_path / "t", name, [("current", bundle, True)])
    out = tmp_path / "out"
    assert run_cli("synth", "--tenants", tmp_path / "t", "--out", out).code == 0
    stacks = [out / "stacks" / "acme-servicenow", out / "stacks" / "bravo-servicenow"]
    # A provider `terraform init` locked (the post-synth step adds ours beside it, keeps it).
    theirs = 'provider "registry.terraform.io/hashicorp/null" {\n  version = "3.2.2"\n}\n'
    for stack in stacks:
        (stack / ".terraform" / "providers").mkdir(parents=True)
        (stack / ".terraform" / "providers" / "p").write_text("plugin")
    (stacks[0] / ".terraform.lock.hcl").write_text(theirs)
    write_tenant(tmp_path / "t", "acme", [("current", bundle, True)], app_display_name="Acme Notify 2")
    result = run_cli("synth", "--tenants", tmp_path / "t", "--out", out, "--json")
    assert result.code == 0 and json.loads(result.out)["reused"] == ["bravo"]
    for stack in stacks:
        assert (stack / ".terraform" / "providers" / "p").read_text() == "plugin"
    assert theirs in (stacks[0] / ".terraform.lock.hcl").read_text()
    assert b"Acme Notify 2" in (out / "stacks" / "acme-entra" / "cdk.tf.json").read_bytes()


def test_teams_files_written_after_deploy_survive_a_synth(tmp_path: Path, bundle: CertificateBundle) -> None:
    """`teams-notify teams package|policy` write beside the runbook synth wrote (when the ids were
    unknown at synth): a file of the user's in that folder is kept by a re-synth."""
    write_tenant(tmp_path / "t", "acme", [("current", bundle, True)])
    out = tmp_path / "out"
    assert run_cli("synth", "--tenants", tmp_path / "t", "--out", out).code == 0
    artifacts = out / "stacks" / "acme-entra" / "artifacts"
    (artifacts / "acme-after-deploy.zip").write_bytes(b"package")
    write_tenant(tmp_path / "t", "acme", [("current", bundle, True)], app_display_name="Acme Notify 2")
    assert run_cli("synth", "--tenants", tmp_path / "t", "--out", out).code == 0
    assert (artifacts / "acme-after-deploy.zip").read_bytes() == b"package"
    assert (artifacts / "acme-runbook.md").is_file()


def _main_py(tenants: Path, out: Path, **env: str) -> subprocess.Popen[bytes]:
    environ = os.environ | {"TEAMS_NOTIFY_TENANTS": str(tenants), "CDKTF_OUTDIR": str(out)} | env
    return subprocess.Popen(
        [sys.executable, str(ROOT / "main.py")], env=environ, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )


def test_concurrent_synths_into_one_folder_end_cleanly(tmp_path: Path, bundle: CertificateBundle) -> None:
    write_tenants(tmp_path / "t", bundle)
    out = tmp_path / "out"
    runs = [_main_py(tmp_path / "t", out, TEAMS_NOTIFY_FULL_SYNTH="1") for _ in range(2)]
    errors = [run.communicate()[1] for run in runs]
    for run, stderr in zip(runs, errors, strict=True):
        assert run.returncode == 0, stderr.decode()
        assert b"Traceback" not in stderr
    files = tree(out)
    assert no_placeholder(files)
    # The folder is one complete synth: every stack, the manifest and the index.
    assert {f"stacks/{n}-{s}/cdk.tf.json" for n in NAMES for s in ("entra", "servicenow")} <= set(files)
    assert "manifest.json" in files and ".teams-notify-synth.json" in files


def test_random_kills_leave_the_old_output_or_the_new_one(tmp_path: Path, bundle: CertificateBundle) -> None:
    """Property (seeded random): `python main.py` killed (SIGKILL or SIGINT) at a random moment
    of a synth over an existing output: the folder holds the old output or the new, never a mix."""
    tenants, out, saved = tmp_path / "t", tmp_path / "out", tmp_path / "saved"
    write_tenants(tenants, bundle)
    assert _main_py(tenants, out).wait() == 0
    old = tree(out)
    shutil.copytree(out, saved)
    write_tenants(tenants, bundle, domain_suffix="-new")
    start = time.perf_counter()
    assert _main_py(tenants, out).wait() == 0
    duration = time.perf_counter() - start
    new = tree(out)
    assert new != old and no_placeholder(new)
    rng = random.Random(9)
    for _ in range(6):
        shutil.rmtree(out)
        shutil.copytree(saved, out)
        run = _main_py(tenants, out)
        time.sleep(rng.uniform(0.0, duration))
        run.send_signal(rng.choice([signal.SIGKILL, signal.SIGINT]))
        run.communicate()
        now = tree(out)
        assert now in (old, new), "the output folder is a mix of two synths"
    # After a kill the next synth recovers and completes.
    assert _main_py(tenants, out).wait() == 0
    assert tree(out) == new


POINTS = [
    ("teams_notify.stacks.tenant_synth", "synth_batch"),
    ("teams_notify.stacks.postsynth", "_process_stack"),
    ("teams_notify.teams.hook", "write_teams_artifacts"),
    ("teams_notify.stacks.app", "copy_files"),
    ("teams_notify.stacks.app", "write_manifest"),
    ("teams_notify.stacks.app", "write_index"),
    ("teams_notify.stacks.app", "carry_stack"),
    ("teams_notify.stacks.staging", "_empty_except"),
    ("teams_notify.stacks.staging", "carry_over"),
    ("teams_notify.stacks.staging", "_swap"),
]


class Injected(Exception):
    pass


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(point=st.sampled_from(POINTS), nth=st.integers(min_value=0, max_value=3), change=st.booleans())
def test_exception_at_any_step_leaves_the_old_output(
    tmp_path_factory: pytest.TempPathFactory,
    constructs_bundles: BundleFactory,
    point: tuple[str, str],
    nth: int,
    change: bool,
) -> None:
    """Property: an exception raised by the n-th call of any step of the pipeline (incremental or
    full, with one tenant changed or none) leaves the previous output exactly as it was."""
    import importlib

    root = tmp_path_factory.mktemp("inject")
    bundle = constructs_bundles.make("atomic-cert")
    write_tenants(root / "t", bundle)
    out = root / "out"
    synth(load_tenants(root / "t"), out)
    old = tree(out)
    if change:
        write_tenant(root / "t", "alpha", [("current", bundle, True)], domain="alpha-2.onmicrosoft.com")
    module = importlib.import_module(point[0])
    original = getattr(module, point[1])
    calls = {"n": 0}

    def failing(*args: Any, **kwargs: Any) -> Any:
        calls["n"] += 1
        if calls["n"] > nth:
            raise Injected(point)
        return original(*args, **kwargs)

    setattr(module, point[1], failing)
    try:
        try:
            synth(load_tenants(root / "t"), out)
            assert calls["n"] <= nth  # the step ran too few times to fail: a normal synth
        except Injected:
            assert tree(out) == old
    finally:
        setattr(module, point[1], original)
    assert no_placeholder(tree(out))


def test_a_file_the_new_synth_does_not_write_is_gone(tmp_path: Path, bundle: CertificateBundle) -> None:
    """Carrying Terraform's files over never resurrects a stale generated file: without the ids
    the hook writes only the runbook, and the old app package disappears."""
    write_tenant(tmp_path / "t", "acme", [("current", bundle, True)])
    out = tmp_path / "out"
    assert run_cli("synth", "--tenants", tmp_path / "t", "--out", out).code == 0
    package = out / "stacks" / "acme-entra" / "artifacts" / "acme-teams-app.zip"
    assert package.is_file()
    write_tenant(tmp_path / "t", "acme", [("current", bundle, True)], entra={"handoff": "variables"})
    assert run_cli("synth", "--tenants", tmp_path / "t", "--out", out).code == 0
    assert not package.exists()
    assert (out / "stacks" / "acme-entra" / "artifacts" / "acme-runbook.md").is_file()
