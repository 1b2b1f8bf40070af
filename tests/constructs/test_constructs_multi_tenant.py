"""Many tenants from one construct: independent stacks; no secret value anywhere under cdktf.out/.

The synth runs with every secret a user would have in the environment (the TF_VAR_... values
and the JKS passwords), and one tenant's bundle has no `.key`, so the post-synth hook reads the
private key from its JKS: none of it may reach the output.
"""

from __future__ import annotations

import base64
import os
from pathlib import Path

import pytest
from helpers.constructs import STORE_PASSWORD, BundleFactory, Synthesized, synth_tenants, write_tenant

NAMES = ["alpha", "bravo", "charlie"]
ENV_SECRETS = {
    "TF_VAR_keystore_password_current": STORE_PASSWORD,
    "TF_VAR_key_password_current": "constructs-test-key-pw-Zr4",
    "TF_VAR_service_user_password": "constructs-test-user-pw-9Lm",
    "TEAMS_NOTIFY_STORE_PASSWORD": STORE_PASSWORD,
    "TEAMS_NOTIFY_KEY_PASSWORD": STORE_PASSWORD,
}
JKS_MAGIC = b"\xfe\xed\xfe\xed"


@pytest.fixture(scope="module")
def three(tmp_path_factory: pytest.TempPathFactory, constructs_bundles: BundleFactory) -> Synthesized:
    root = tmp_path_factory.mktemp("multi")
    for name in NAMES:
        bundle = constructs_bundles.make(f"{name}-cert")
        if name == "charlie":
            bundle = bundle.copy_to(root / "charlie-bundle")
            (bundle.dir / f"{bundle.name}.key").unlink()
        write_tenant(root / "t", name, [("current", bundle, True)])
    with pytest.MonkeyPatch.context() as env:
        for variable, value in ENV_SECRETS.items():
            env.setenv(variable, value)
        return synth_tenants(root / "t", root / "cdktf.out")


def test_three_tenants_six_independent_stacks(three: Synthesized) -> None:
    stacks = sorted(p.name for p in (three.outdir / "stacks").iterdir())
    assert stacks == sorted(f"{n}-{side}" for n in NAMES for side in ("entra", "servicenow"))
    x5ts = set()
    for name in stacks:
        stack = three.stack(name)
        assert "terraform_remote_state" not in stack.get("data", {})  # no hidden coupling
        state = f"../../../.teams-notify/state/{name}.tfstate"
        assert stack["terraform"]["backend"]["local"]["path"] == state
        text = (three.outdir / "stacks" / name / "cdk.tf.json").read_text()
        assert not any(other in text for other in NAMES if not name.startswith(other))
        x5ts.add(three.summary(name)["x5t"])
    assert len(x5ts) == 3


def test_no_secret_value_under_cdktf_out(three: Synthesized, constructs_bundles: BundleFactory) -> None:
    secrets = list(ENV_SECRETS.values())
    for name in NAMES:
        bundle = constructs_bundles.make(f"{name}-cert")
        key_pem = (bundle.dir / f"{bundle.name}.key").read_text()
        secrets.append("".join(key_pem.splitlines()[1:3]))  # a chunk of the key body
        jks = (bundle.dir / f"{bundle.name}.jks").read_bytes()
        secrets.append(base64.b64encode(jks[:48]).decode())
    files = [Path(d) / f for d, _, fs in os.walk(three.outdir) for f in fs]
    assert len(files) >= 6
    for path in files:
        data = path.read_bytes()
        assert b"PRIVATE KEY" not in data and not data.startswith(JKS_MAGIC), path
        for secret in secrets:
            assert secret.encode() not in data, path
