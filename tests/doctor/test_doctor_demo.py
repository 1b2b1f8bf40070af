"""`make demo`, the main job: both sandboxes, the instance's names discovered, synth, the real
terraform apply, the Entra stack
loaded into the local Entra, the doctor all green, exit 0. Run on a copy of the example tenant
so its PoC bundle lands in the copy (as on a clean checkout, where none exists yet)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from terraform_provider_servicenow.install import DEFAULT_SOURCE, install

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.terraform


def test_demo_rolls_out_the_example_and_the_doctor_is_all_green(tmp_path: Path) -> None:
    tenants = tmp_path / "tenants"
    tenants.mkdir()
    shutil.copy(ROOT / "tenants" / "example.toml", tenants)
    # As a user runs it: no CLI config of the test session, and a home whose implied mirror holds
    # another provider package (another checkout's `make setup`): the demo must not lock that one.
    home = tmp_path / "home"
    install(home / ".terraform.d" / "plugins", DEFAULT_SOURCE, python="/other/checkout/.venv/bin/python3")
    env = {k: v for k, v in os.environ.items() if k != "TF_CLI_CONFIG_FILE"}
    env |= {"TEAMS_NOTIFY_DEMO_TENANT": str(tenants / "example.toml"), "HOME": str(home)}
    run = subprocess.run(
        [sys.executable, str(ROOT / "demo.py")], env=env, capture_output=True, text=True, check=False
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert (tmp_path / ".teams-notify" / "example" / "example-notify.jks").is_file()  # made on the way
    for step in range(1, 8):
        assert f"[{step}/7]" in run.stdout
    assert "schema check: all" in run.stdout  # the instance's own names were found and recorded
    assert "Apply complete!" in run.stdout
    rows = [line for line in run.stdout.splitlines() if line.startswith("│ ")]
    statuses = [row.split("│")[1].strip() for row in rows if row.split("│")[1].strip()]
    assert statuses == ["pass"] * 21, run.stdout
    assert "demo: the whole chain works" in run.stdout
