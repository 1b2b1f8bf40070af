"""Policy aspects: a compliant stack passes every rule; each rule fails a stack that breaks it."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from helpers.constructs import BundleFactory, write_tenant
from teams_notify.config import load_tenants
from teams_notify.errors import CheckFailedError
from teams_notify.stacks.app import build_app, check_all
from teams_notify.stacks.aspects import policy_findings
from teams_notify.stacks.postsynth import run_hook
from teams_notify.stacks.stack import EntraStack, ServiceNowStack

Breaker = Callable[[EntraStack, ServiceNowStack], None]


def build(tmp_path: Path, bundles: BundleFactory, breaker: Breaker | None = None) -> list[str]:
    """Build the app as `synth` does, break it, synthesize, run the rules on the JSON as the
    post-synth step does; the findings."""
    write_tenant(tmp_path / "t", "pol", [("current", bundles.make("policy-cert"), True)])
    app, (entra, sn) = build_app(load_tenants(tmp_path / "t"), tmp_path / "out")
    assert isinstance(entra, EntraStack) and isinstance(sn, ServiceNowStack)
    if breaker:
        breaker(entra, sn)
    app.synth()
    findings = []
    for stack in (entra, sn):
        stack_json = json.loads((tmp_path / "out" / "stacks" / stack.stack_name / "cdk.tf.json").read_text())
        findings += policy_findings(stack, stack_json)
    if findings:  # and the post-synth step refuses the stack with the first one
        with pytest.raises(CheckFailedError, match=re.escape(findings[0])):
            checked = check_all(load_tenants(tmp_path / "t"), datetime.now(UTC))
            run_hook([entra, sn], tmp_path / "out", checked)
    return findings


def drop_grant(entra: EntraStack, sn: ServiceNowStack) -> None:
    entra.app.node.try_remove_child(entra.app.grants[0].node.id)


def drop_request(entra: EntraStack, sn: ServiceNowStack) -> None:
    from teams_notify.graph import GRAPH_APP_ID

    only_one = [{"id": GRAPH_APP_ID, "type": "Role"}]
    entra.app.application.attrs["required_resource_access"] = [
        {"resource_app_id": GRAPH_APP_ID, "resource_access": only_one}
    ]


def drop_certificate(entra: EntraStack, sn: ServiceNowStack) -> None:
    entra.node.try_remove_child(entra.certificates[0].node.id)


def bad_x5t(entra: EntraStack, sn: ServiceNowStack) -> None:
    sn.jwt.claims["x5t"].add_override("fields.value", "3O3VOc8h+Yzp55wL2nIbhVPXPRE=")


def literal_secret(entra: EntraStack, sn: ServiceNowStack) -> None:
    keystore = next(c for c in sn.node.children if c.node.id == "keystore_current")
    keystore.record.add_override("sensitive_fields.key_store_password", "hunter2")  # type: ignore[attr-defined]


def literal_jks(entra: EntraStack, sn: ServiceNowStack) -> None:
    keystore = next(c for c in sn.node.children if c.node.id == "keystore_current")
    keystore.jks.add_override("content_base64", "/u3+7QAAAAI=")  # type: ignore[attr-defined]


def other_alias(entra: EntraStack, sn: ServiceNowStack) -> None:
    sn.teams_config.record.add_override("fields.credential_alias", "x_custom.Alias")


def test_compliant_stacks_pass(tmp_path: Path, constructs_bundles: BundleFactory) -> None:
    assert build(tmp_path, constructs_bundles) == []


@pytest.mark.parametrize(
    ("breaker", "rule", "text"),
    [
        (drop_grant, "TN1-graph-roles", "is not granted"),
        (drop_request, "TN1-graph-roles", "is not requested"),
        (drop_certificate, "TN2-certificate-credential", "0 certificate credential(s)"),
        (bad_x5t, "TN3-x5t-claim", "is not a base64url SHA-1"),
        (literal_secret, "TN4-no-secret-literal", "key_store_password is a literal"),
        (literal_jks, "TN4-no-secret-literal", "content_base64 is a literal"),
        (other_alias, "TN5-teams-alias", "is not sn_msteams_com_spk.MSTeamsCommunicationsSpoke"),
    ],
)
def test_rule_fails_non_compliant_stack(
    tmp_path: Path, constructs_bundles: BundleFactory, breaker: Breaker, rule: str, text: str
) -> None:
    errors = build(tmp_path, constructs_bundles, breaker)
    assert errors, "the rule did not fire"
    assert all(f"[{rule}]" in e for e in errors), errors
    assert any(text in e for e in errors), errors
