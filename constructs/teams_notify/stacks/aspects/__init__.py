"""Policy checks as a CDK Aspect, one rule per module (cdk-nag style). A violated rule adds an
error annotation to the stack, which fails the synth with the rule id and the reason."""

from __future__ import annotations

from typing import Any

from teams_notify.errors import CheckFailedError
from teams_notify.stacks.aspects.base import PolicyChecks, Rule, add_policy_checks
from teams_notify.stacks.aspects.certificate_credential import CertificateCredentialPresent
from teams_notify.stacks.aspects.graph_roles import GraphRolesGranted
from teams_notify.stacks.aspects.no_secret_literals import NoSecretLiterals
from teams_notify.stacks.aspects.teams_alias import TeamsConfigUsesManagedAlias
from teams_notify.stacks.aspects.x5t_claim import X5tClaimWellFormed

ERROR_METADATA = "@cdktf/error"


def default_rules() -> list[Rule]:
    """Every rule, in id order."""
    return [
        GraphRolesGranted(),
        CertificateCredentialPresent(),
        X5tClaimWellFormed(),
        NoSecretLiterals(),
        TeamsConfigUsesManagedAlias(),
    ]


def default_aspects() -> list[PolicyChecks]:
    """The aspects to add to every stack: one that runs every rule (one render per stack)."""
    return [PolicyChecks(default_rules())]


def policy_errors(stacks: list[Any]) -> list[str]:
    """`<stack>: [rule] message` for every error annotation the rules added."""
    errors = []
    for stack in stacks:
        for node in stack.node.find_all():
            errors += [
                f"{stack.stack_name}: {m.data}" for m in node.node.metadata if m.type == ERROR_METADATA
            ]
    return errors


def raise_on_errors(stacks: list[Any]) -> None:
    errors = policy_errors(stacks)
    if errors:
        more = f" (+{len(errors) - 1} more: {'; '.join(errors[1:])})" if len(errors) > 1 else ""
        raise CheckFailedError(
            f"policy check failed: {errors[0]}{more}",
            "fix the tenant file or construct; docs/constructs.md lists the rules",
        )


__all__ = [
    "PolicyChecks",
    "Rule",
    "add_policy_checks",
    "default_aspects",
    "default_rules",
    "policy_errors",
    "raise_on_errors",
]
