"""Certificate rotation for real: apply current + next against the sandbox, switch `active`,
and check the real `terraform plan` (only the JWT provider's signing key and the x5t claim
change in place, nothing is destroyed); then remove the old certificate and check that exactly
its keystore, JKS attachment and JWT key are destroyed."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers.constructs import BundleFactory, PlannedChange, SandboxDeployment
from helpers.terraform import AdminApi
from teams_notify.sandbox import Sandbox
from teams_notify.sandbox.dictionary import CLAIM_PROVIDER_COLUMN

pytestmark = pytest.mark.terraform


def only(changes: dict[str, PlannedChange], fragment: str) -> str:
    """The one planned resource address containing `fragment`."""
    (address,) = [a for a in changes if fragment in a]
    return address


def by_action(changes: dict[str, PlannedChange]) -> dict[str, set[str]]:
    grouped: dict[str, set[str]] = {}
    for address, change in changes.items():
        grouped.setdefault("-".join(change.actions), set()).add(address)
    return grouped


def changed_fields(change: PlannedChange) -> dict[str, tuple[str, str]]:
    """`{column: (before, after)}` for the managed fields that change; other attributes must not."""
    rest_before = {k: v for k, v in change.before.items() if k != "fields"}
    rest_after = {k: v for k, v in change.after.items() if k != "fields"}
    assert rest_before == rest_after, (rest_before, rest_after)
    before, after = change.before["fields"], change.after["fields"]
    assert before.keys() == after.keys()
    return {k: (before[k], after[k]) for k in before if before[k] != after[k]}


def test_rotation_plan_apply_and_retire(
    tmp_path: Path, constructs_bundles: BundleFactory, provider_sandbox: Sandbox, terraform_plugin_dir: Path
) -> None:
    api = AdminApi(provider_sandbox)
    cur, nxt = constructs_bundles.make("rot-apply-current"), constructs_bundles.make("rot-apply-next")
    deployment = SandboxDeployment(tmp_path, "rot", provider_sandbox, terraform_plugin_dir)
    stack = "rot-servicenow"

    # 1. Both certificates listed, current active: both keystores and JWT keys exist.
    old_x5t = deployment.synth([("current", cur, True), ("next", nxt, False)]).summary(stack)["x5t"]
    deployment.terraform.apply()
    keys = {k["name"]: k["sys_id"] for k in api.rows("jwt_keystore_aliases", "")}
    assert sorted(keys) == ["Teams Notify current JWT key", "Teams Notify next JWT key"]
    assert len(api.rows("sys_certificate", "")) == 2
    (provider,) = api.rows("jwt_provider", "")
    assert provider["jwt_keystore_alias"] == keys["Teams Notify current JWT key"]

    # 2. Switch active to next: the real plan updates exactly two records in place.
    new_x5t = deployment.synth([("current", cur, False), ("next", nxt, True)]).summary(stack)["x5t"]
    assert old_x5t != new_x5t
    changes = deployment.planned_changes()
    provider_address = only(changes, "jwt_provider_record")
    claim_address = only(changes, "claim_x5t")
    assert by_action(changes).keys() == {"no-op", "update"}
    assert by_action(changes)["update"] == {provider_address, claim_address}
    assert changed_fields(changes[provider_address]) == {
        "jwt_keystore_alias": (keys["Teams Notify current JWT key"], keys["Teams Notify next JWT key"])
    }
    assert changed_fields(changes[claim_address]) == {"value": (old_x5t, new_x5t)}

    deployment.terraform.apply()
    (provider,) = api.rows("jwt_provider", "")
    assert provider["jwt_keystore_alias"] == keys["Teams Notify next JWT key"]
    (x5t_claim,) = api.rows("jwt_claim_validation", f"{CLAIM_PROVIDER_COLUMN}={provider['sys_id']}^name=x5t")
    assert x5t_claim["value"] == new_x5t
    assert len(api.rows("sys_certificate", "")) == 2  # the old keystore stays until retired
    assert deployment.terraform.plan().returncode == 0

    # 3. Remove the old certificate: its keystore, JKS attachment and JWT key are destroyed.
    deployment.synth([("next", nxt, True)])
    changes = deployment.planned_changes()
    old_keystore = only(changes, "servicenow_record.keystore_current")
    old_jks = only(changes, "servicenow_attachment.keystore_current")
    old_key = only(changes, "jwt_key_current")
    assert by_action(changes).keys() == {"no-op", "delete"}
    assert by_action(changes)["delete"] == {old_keystore, old_jks, old_key}
    old_keystore_id = changes[old_keystore].before["sys_id"]
    old_jks_id = changes[old_jks].before["sys_id"]

    deployment.terraform.apply()
    assert [k["name"] for k in api.rows("jwt_keystore_aliases", "")] == ["Teams Notify next JWT key"]
    assert api.get("sys_certificate", old_keystore_id) is None
    assert api.attachment(old_jks_id) is None
    (keystore,) = api.rows("sys_certificate", "")
    assert keystore["name"] == "Teams Notify next keystore"
    (provider,) = api.rows("jwt_provider", "")
    assert provider["jwt_keystore_alias"] == keys["Teams Notify next JWT key"]
    assert deployment.terraform.plan().returncode == 0
