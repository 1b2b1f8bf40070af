"""Base for policy rules (cdk-nag style): a rule looks at one synthesized stack's JSON and
returns findings; each finding becomes an error annotation, which fails the synth."""

from __future__ import annotations

from typing import Any, ClassVar

import jsii

from constructs import IConstruct
from teams_notify.compat import Annotations, IAspect


def resources(stack_json: dict[str, Any], type_: str) -> dict[str, dict[str, Any]]:
    """`{name: attributes}` of every resource of one type in a stack's JSON."""
    found: dict[str, dict[str, Any]] = stack_json.get("resource", {}).get(type_, {})
    return found


def records(stack_json: dict[str, Any], table: str) -> dict[str, dict[str, Any]]:
    """`servicenow_record` resources writing to `table`."""
    return {k: v for k, v in resources(stack_json, "servicenow_record").items() if v.get("table") == table}


@jsii.implements(IAspect)
class Rule:
    """One policy rule. Subclasses set `rule_id`, `side` ("entra" | "servicenow"; "" = both), `check`."""

    rule_id: ClassVar[str] = ""
    side: ClassVar[str] = ""

    def visit(self, node: IConstruct) -> None:
        from teams_notify.stack import TeamsNotifyStack

        if not isinstance(node, TeamsNotifyStack) or (self.side and node.side != self.side):
            return
        for message in self.check(node.to_terraform(), node):
            Annotations.of(node).add_error(f"[{self.rule_id}] {message}")

    def check(self, stack_json: dict[str, Any], stack: Any) -> list[str]:
        raise NotImplementedError
