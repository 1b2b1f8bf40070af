"""The control API under `/__sandbox__/` (loopback callers only, no auth): fault rules, token
expiry and request counters, for tests and benchmarks that drive the sandbox over HTTP."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping

from teams_notify.errors import BadInputError
from teams_notify.sandbox.api import Request, Response, error, json_response
from teams_notify.sandbox.faults import FaultRule, Faults

CONTROL_PREFIX = "/__sandbox__/"


class Control:
    def __init__(
        self, faults: Faults, expire_tokens: Callable[[], None], stats: Callable[[], Mapping[str, object]]
    ) -> None:
        self.faults = faults
        self.expire_tokens = expire_tokens
        self.stats = stats

    def handle(self, req: Request) -> Response:
        route = (req.method, req.path[len(CONTROL_PREFIX) :].strip("/"))
        if route == ("POST", "faults"):
            return self._add_faults(req)
        if route == ("DELETE", "faults"):
            self.faults.clear()
            return Response(204)
        if route == ("GET", "faults"):
            return json_response(200, {"rules": [vars(rule) for rule in self.faults.rules()]})
        if route == ("POST", "tokens/expire"):
            self.expire_tokens()
            return Response(204)
        if route == ("GET", "stats"):
            return json_response(200, self.stats())
        return error(404, "No such control endpoint", f"{req.method} {req.path}")

    def _add_faults(self, req: Request) -> Response:
        try:
            data = json.loads(req.body or b"{}")
            rules = data["rules"] if isinstance(data, dict) else None
            if not isinstance(rules, list) or not all(isinstance(rule, dict) for rule in rules):
                raise BadInputError('the body must be {"rules": [{...}, ...]}')
            seed = data.get("seed")
            if seed is not None and (not isinstance(seed, int) or isinstance(seed, bool)):
                raise BadInputError(f"the seed must be an integer, not {seed!r}")
            new = [FaultRule.from_dict(rule) for rule in rules]
            if seed is not None:
                self.faults.seed(seed)
            self.faults.add(*new)
        except (ValueError, KeyError, BadInputError) as err:
            return error(400, "Bad fault rules", str(err))
        return json_response(201, {"rules": len(self.faults.rules())})
