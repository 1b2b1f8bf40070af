"""The default run (`python main.py` on the bundled example tenant) writes a Teams app package
whose bot id is the Entra client id the synthesized stacks carry, and a runbook that marks
every item of the example correctly."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest
from teams_notify.stacks.stack import VAR_CLIENT_ID
from teams_notify.teams import Status

ROOT = Path(__file__).resolve().parents[2]
ITEM_HEADING = re.compile(r"^### (P[1-3]|[1-8])\. .+ — \*(.+)\*$", re.MULTILINE)


@pytest.fixture(scope="module")
def example_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`python main.py` on a copy of tenants/example.toml (its PoC bundle lands in the copy)."""
    root = tmp_path_factory.mktemp("example")
    (root / "tenants").mkdir()
    shutil.copy(ROOT / "tenants" / "example.toml", root / "tenants")
    env = os.environ | {
        "TEAMS_NOTIFY_TENANTS": str(root / "tenants"),
        "CDKTF_OUTDIR": str(root / "cdktf.out"),
    }
    run = subprocess.run([sys.executable, str(ROOT / "main.py")], env=env, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    return root / "cdktf.out" / "stacks"


def stack_json(stacks: Path, name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((stacks / name / "cdk.tf.json").read_text())
    return data


def test_bot_id_is_the_client_id_of_the_synthesized_stacks(example_out: Path) -> None:
    servicenow = stack_json(example_out, "example-servicenow")
    client_id = servicenow["variable"][VAR_CLIENT_ID]["default"]
    # The ServiceNow stack signs and registers with exactly this variable.
    ref = f"${{var.{VAR_CLIENT_ID}}}"
    records = servicenow["resource"]["servicenow_record"].values()
    claims = {
        r["fields"]["name"]: r["fields"]["value"] for r in records if r["table"] == "jwt_claim_validation"
    }
    assert claims["iss"] == claims["sub"] == ref
    assert [r["fields"]["client_id"] for r in records if r["table"] == "oauth_entity"] == [ref]

    with zipfile.ZipFile(example_out / "example-entra" / "artifacts" / "example-teams-app.zip") as package:
        manifest = json.loads(package.read("manifest.json"))
    (bot,) = manifest["bots"]
    assert bot["botId"] == client_id == "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee"
    assert bot["supportsCalling"] is True
    assert "example.service-now.com" in manifest["validDomains"]


def test_runbook_marks_every_item_of_the_example(example_out: Path) -> None:
    runbook = (example_out / "example-entra" / "artifacts" / "example-runbook.md").read_text(encoding="utf-8")
    snow, entra = Status.SERVICENOW_STACK.value, Status.ENTRA_STACK.value
    assert dict(ITEM_HEADING.findall(runbook)) == {
        "P1": snow, "P2": snow, "P3": snow,
        "1": Status.MANUAL.value, "2": entra, "3": Status.SCRIPT.value,
        "4": snow, "5": snow, "6": snow, "7": snow, "8": snow,
    }  # fmt: skip
    summary = json.loads((example_out / "example-servicenow" / "teams-notify.json").read_text())
    assert summary["x5t"] in runbook  # the certificate the stacks were synthesized with
    assert "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee" in runbook and "unknown yet" not in runbook
