"""Policy checks, one rule per module (cdk-nag style), run on each synthesized stack's JSON by
the post-synth step. A violated rule fails the synth with the rule id and the reason."""

from __future__ import annotations

from typing import Any

from teams_notify.errors import CheckFailedError
from teams_notify.stacks.aspects.base import Rule
from teams_notify.stacks.aspects.certificate_credential import CertificateCredentialPresent
from teams_notify.stacks.aspects.graph_roles import GraphRolesGranted
from teams_notify.stacks.aspects.no_secret_literals import NoSecretLiterals
from teams_notify.stacks.aspects.teams_alias import TeamsConfigUsesManagedAlias
from teams_notify.stacks.aspects.x5t_claim import X5tClaimWellFormed


def default_rules() -> list[Rule]:
    """Every rule, in id order."""
    return [
        GraphRolesGranted(),
        CertificateCredentialPresent(),
        X5tClaimWellFormed(),
        NoSecretLiterals(),
        TeamsConfigUsesManagedAlias(),
    ]


def policy_findings(stack: Any, stack_json: dict[str, Any], rules: list[Rule] | None = None) -> list[str]:
    """`<stack>: [rule] message` for every rule that `stack`'s synthesized JSON violates."""
    return [
        f"{stack.stack_name}: [{rule.rule_id}] {message}"
        for rule in (rules if rules is not None else default_rules())
        if rule.applies_to(stack)
        for message in rule.check(stack_json, stack)
    ]


def raise_on_findings(findings: list[str]) -> None:
    """CheckFailedError naming the first finding (and how many more) when there is any."""
    if findings:
        more = f" (+{len(findings) - 1} more: {'; '.join(findings[1:])})" if len(findings) > 1 else ""
        raise CheckFailedError(
            f"policy check failed: {findings[0]}{more}",
            "fix the tenant file or construct; docs/constructs.md lists the rules",
        )


__all__ = ["Rule", "default_rules", "policy_findings", "raise_on_findings"]
