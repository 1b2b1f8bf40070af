"""Many tenants from one construct: independent stacks; no secret value anywhere under cdktf.out/."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from helpers.constructs import STORE_PASSWORD, BundleFactory, Synthesized, synth_tenants, write_tenant

NAMES = ["alpha", "bravo", "charlie"]


@pytest.fixture(scope="module")
def three(tmp_path_factory: pytest.TempPathFactory, constructs_bundles: BundleFactory) -> Synthesized:
    root = tmp_path_factory.mktemp("multi")
    for name in NAMES:
        write_tenant(root / "t", name, [("current", constructs_bundles.make(f"{name}-cert"), True)])
    return synth_tenants(root / "t", root / "cdktf.out")


def test_three_tenants_six_independent_stacks(three: Synthesized) -> None:
    stacks = sorted(p.name for p in (three.outdir / "stacks").iterdir())
    assert stacks == sorted(f"{n}-{side}" for n in NAMES for side in ("entra", "servicenow"))
    x5ts = set()
    for name in stacks:
        stack = three.stack(name)
        assert "terraform_remote_state" not in stack.get("data", {})  # no hidden coupling
        assert stack["terraform"]["backend"]["local"]["path"] == f"terraform.{name}.tfstate"
        text = (three.outdir / "stacks" / name / "cdk.tf.json").read_text()
        assert not any(other in text for other in NAMES if not name.startswith(other))
        x5ts.add(three.summary(name)["x5t"])
    assert len(x5ts) == 3


def test_no_secret_value_under_cdktf_out(three: Synthesized, constructs_bundles: BundleFactory) -> None:
    secrets = [STORE_PASSWORD]
    for name in NAMES:
        key_pem = (constructs_bundles.make(f"{name}-cert").dir / f"{name}-cert.key").read_text()
        secrets.append("".join(key_pem.splitlines()[1:3]))  # a chunk of the key body
    files = [Path(d) / f for d, _, fs in os.walk(three.outdir) for f in fs]
    assert len(files) >= 6
    for path in files:
        data = path.read_bytes()
        assert b"PRIVATE KEY" not in data, path
        for secret in secrets:
            assert secret.encode() not in data, path
