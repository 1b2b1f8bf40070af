"""The article's steps (reference walk-through), and the construct base that tags resources with them.

The post-synth hook writes, for every resource, which step it implements, so a reviewer can map
the synthesized JSON back to the manual procedure.
"""

from __future__ import annotations

from constructs import Construct

PREREQ_KEYSTORE = "prerequisite 1: certificate entry (sys_certificate + JKS attachment)"
PREREQ_JWT_KEY = "prerequisite 2: JWT signing configuration (JWT key, x5t in header)"
PREREQ_JWT_PROVIDER = "prerequisite 3: JWT provider with aud/iss/sub and x5t claims"
STEP_TEAMS_APP = "step 1: Teams app / Azure Bot with calling"
STEP_PERMISSIONS = "step 2: Graph application permissions and admin consent"
STEP_SERVICE_USER = "step 3: service user"
STEP_APP_REGISTRY = "step 4: application registry (client credentials, private-key JWT)"
STEP_CREDENTIAL_ALIAS = "step 5: OAuth 2.0 credential on the MSTeamsCommunicationsSpoke alias"
STEP_TEAMS_CONFIG = "step 6: Microsoft Teams configuration record"
STEP_OIDC = "step 7: OIDC application registry"
STEP_SELECTOR = "step 8: Notify provider selector"
STACK_INPUTS = "stack inputs and outputs"


class Step(Construct):
    """A construct implementing one article step; every resource below it is tagged with `step`.

    A step registers its construct path with its stack (`step_paths`), so the post-synth hook
    can tag resources from the paths in the synthesized JSON instead of asking Node for every
    resource's ancestors.
    """

    step: str = ""

    def __init__(self, scope: Construct, id_: str) -> None:
        super().__init__(scope, id_)
        registry: dict[str, str] | None = getattr(scope, "step_paths", None)
        parent_path: str | None = getattr(scope, "step_path", None)
        self.step_paths = registry if registry is not None else {}
        self.step_path = f"{parent_path}/{id_}" if parent_path is not None else str(self.node.path)
        self.step_paths[self.step_path] = self.step


def step_of_path(path: str, step_paths: dict[str, str]) -> str:
    """The step of the innermost registered step whose path encloses `path` (a construct path)."""
    while path:
        if path in step_paths:
            return step_paths[path]
        path = path.rpartition("/")[0]
    return STACK_INPUTS
