"""Both engines (CDKTF 0.21 and CDK Terrain 0.24) synthesize the example the same way, through
`python main.py` and `teams-notify synth`; plus a path-free snapshot of the example."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from helpers.constructs import BundleFactory, write_tenant

ROOT = Path(__file__).resolve().parents[2]
SNAPSHOT = Path(__file__).parent / "snapshots" / "example.json"


def normalized(stack_dir: Path) -> dict[str, Any]:
    """The stack without engine version, certificate-specific values or absolute paths."""
    text = (stack_dir / "cdk.tf.json").read_text()
    data = json.loads(text)
    data["//"]["metadata"].pop("version")
    text = json.dumps(data, indent=1, sort_keys=True)
    text = re.sub(r'"-----BEGIN CERTIFICATE-----[^"]*"', '"<pem>"', text)
    text = re.sub(r'"[A-Za-z0-9_-]{27}"', '"<x5t>"', text)
    text = re.sub(r'"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"', '"<date>"', text)
    text = re.sub(r'"(\.\./)+[^"]*/(snap-cert\.jks)"', r'"<dir>/\2"', text)
    result: dict[str, Any] = json.loads(text)
    return result


@pytest.fixture(scope="module")
def engines(tmp_path_factory: pytest.TempPathFactory, constructs_bundles: BundleFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("engines")
    write_tenant(root / "t", "snap", [("current", constructs_bundles.make("snap-cert"), True)])
    outs = {}
    for engine, argv in (
        ("cdktf", [sys.executable, str(ROOT / "main.py")]),
        (
            "cdktn",
            [
                str(Path(sys.executable).parent / "teams-notify"),
                "synth",
                "--engine",
                "cdktn",
                "--tenants",
                str(root / "t"),
                "--out",
                str(root / "cdktn"),
            ],
        ),
    ):
        env = os.environ | {"TEAMS_NOTIFY_TENANTS": str(root / "t"), "CDKTF_OUTDIR": str(root / engine)}
        run = subprocess.run(argv, env=env, capture_output=True, text=True, cwd=root)
        assert run.returncode == 0, run.stderr
        assert "synthesized 2 stacks" in run.stdout
        outs[engine] = root / engine / "stacks"
    return outs


def test_both_engines_synthesize_the_same(engines: dict[str, Path]) -> None:
    for stack in ("snap-entra", "snap-servicenow"):
        cdktf = json.loads((engines["cdktf"] / stack / "cdk.tf.json").read_text())
        cdktn = json.loads((engines["cdktn"] / stack / "cdk.tf.json").read_text())
        assert (cdktf["//"]["metadata"]["version"], cdktn["//"]["metadata"]["version"]) == (
            "0.21.0",
            "0.24.0",
        )
        for section in ("resource", "data", "variable", "output", "provider"):
            assert cdktf.get(section) == cdktn.get(section), (stack, section)


def test_snapshot_of_the_example(engines: dict[str, Path]) -> None:
    current = {s: normalized(engines["cdktf"] / s) for s in ("snap-entra", "snap-servicenow")}
    if os.environ.get("UPDATE_SNAPSHOTS") == "1":
        SNAPSHOT.parent.mkdir(exist_ok=True)
        SNAPSHOT.write_text(json.dumps(current, indent=1, sort_keys=True) + "\n")
    assert SNAPSHOT.is_file(), f"{SNAPSHOT} is missing: run once with UPDATE_SNAPSHOTS=1 and review it"
    assert current == json.loads(SNAPSHOT.read_text())
    assert "/tmp" not in SNAPSHOT.read_text() and str(Path.home()) + "/" not in SNAPSHOT.read_text()


def test_every_provider_has_a_version(engines: dict[str, Path]) -> None:
    """The CDK CLIs refuse to deploy a stack with an unversioned required_providers entry."""
    for engine, stacks in engines.items():
        for stack in ("snap-entra", "snap-servicenow"):
            synthesized = json.loads((stacks / stack / "cdk.tf.json").read_text())
            required = synthesized["terraform"]["required_providers"]
            assert required and all(p.get("version") for p in required.values()), (engine, stack, required)
