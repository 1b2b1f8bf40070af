"""Rule: the JWT provider has exactly one custom `x5t` claim, and its value is well-formed
(base64url SHA-1 without padding, or the placeholder the post-synth hook fills in)."""

from __future__ import annotations

import re
from typing import Any

from teams_notify.stacks.aspects.base import Rule, records
from teams_notify.stacks.servicenow.fields import x5t_placeholder

X5T_RE = re.compile(r"^[A-Za-z0-9_-]{27}\Z")  # 20 bytes -> 27 base64url characters, no '='


class X5tClaimWellFormed(Rule):
    rule_id = "TN3-x5t-claim"
    side = "servicenow"

    def check(self, stack_json: dict[str, Any], stack: Any) -> list[str]:
        tenant = stack.tenant
        name_col, value_col = tenant.column("jwt_claim", "name"), tenant.column("jwt_claim", "value")
        claims = [
            r["fields"]
            for r in records(stack_json, tenant.table("jwt_claim")).values()
            if r["fields"].get(name_col) == "x5t"
        ]
        if len(claims) != 1:
            return [f"expected one x5t claim on the JWT provider, found {len(claims)}"]
        value = claims[0].get(value_col, "")
        if value == x5t_placeholder(tenant.active_certificate.key) or X5T_RE.match(value):
            return []
        return [f"x5t claim value {value!r} is not a base64url SHA-1 (27 chars, no padding, no +/)"]
