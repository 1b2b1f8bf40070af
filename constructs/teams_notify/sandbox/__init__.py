"""A local ServiceNow instance for tests, demos and benchmarks (see docs/sandbox.md).

from teams_notify.sandbox import Sandbox, FaultRule
with Sandbox() as sb:
    sb.faults.add(FaultRule(status=429, retry_after=1, count=3))
    ...  # talk to sb.url as admin/admin
"""

from teams_notify.sandbox.faults import FaultRule
from teams_notify.sandbox.server import Sandbox

__all__ = ["FaultRule", "Sandbox"]
