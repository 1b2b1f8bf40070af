"""Base for policy rules (cdk-nag style): a rule looks at one synthesized stack's JSON and
returns findings, which fail the synth.

The rules run in the post-synth step on the JSON the engine wrote, in Python. They once ran
as a CDK aspect, which cost a Node round trip per construct visited plus a second render of
every stack (`to_terraform()`), the largest share of our own synth overhead."""

from __future__ import annotations

from typing import Any, ClassVar


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
