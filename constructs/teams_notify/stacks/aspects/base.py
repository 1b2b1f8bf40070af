"""Base for policy rules (cdk-nag style): a rule looks at one synthesized stack's JSON and
returns findings; `PolicyChecks`, the aspect, turns each finding into an error annotation,
which fails the synth."""

from __future__ import annotations

from typing import Any, ClassVar

import jsii

from constructs import Construct, IConstruct
from teams_notify.stacks.compat import Annotations, Aspects, IAspect


def resources(stack_json: dict[str, Any], type_: str) -> dict[str, dict[str, Any]]:
    """`{name: attributes}` of every resource of one type in a stack's JSON."""
    found: dict[str, dict[str, Any]] = stack_json.get("resource", {}).get(type_, {})
    return found


def records(stack_json: dict[str, Any], table: str) -> dict[str, dict[str, Any]]:
    """`servicenow_record` resources writing to `table`."""
    return {k: v for k, v in resources(stack_json, "servicenow_record").items() if v.get("table") == table}


class Rule:
    """One policy rule. Subclasses set `rule_id`, `side` ("entra" | "servicenow"; "" = both), `check`."""

    rule_id: ClassVar[str] = ""
    side: ClassVar[str] = ""

    def applies_to(self, stack: Any) -> bool:
        return not self.side or stack.side == self.side

    def check(self, stack_json: dict[str, Any], stack: Any) -> list[str]:
        raise NotImplementedError


@jsii.implements(IAspect)
class PolicyChecks:
    """The one aspect that runs every rule on a stack.

    CDKTF calls an aspect for every construct below the stack, one Node round trip each, and a
    rule needs the stack's JSON (`to_terraform()`, the costliest call of a synth). One aspect
    holding all rules renders each stack once, instead of once per rule.
    """

    def __init__(self, rules: list[Rule]) -> None:
        self.rules = rules

    def visit(self, node: IConstruct) -> None:
        from teams_notify.stacks.stack import TeamsNotifyStack

        stack = node.policy_stack if isinstance(node, PolicyAnchor) else node
        if not isinstance(stack, TeamsNotifyStack):
            return
        rules = [rule for rule in self.rules if rule.applies_to(stack)]
        if not rules:
            return
        stack_json = stack.to_terraform()
        for rule in rules:
            for message in rule.check(stack_json, stack):
                Annotations.of(stack).add_error(f"[{rule.rule_id}] {message}")


class PolicyAnchor(Construct):
    """An empty leaf of a stack that carries the policy aspect.

    CDKTF calls an aspect for the construct it is added to and every construct below, each a
    Node-to-Python round trip; the rules only need the stack, so on this leaf the aspect runs
    once per stack. It synthesizes nothing.
    """

    def __init__(self, stack: Any) -> None:
        super().__init__(stack, "policy_checks")
        self.policy_stack = stack


def add_policy_checks(stack: Any, checks: PolicyChecks) -> None:
    """Run `checks` on `stack` during synth (through a leaf anchor, see `PolicyAnchor`)."""
    Aspects.of(PolicyAnchor(stack)).add(checks)
