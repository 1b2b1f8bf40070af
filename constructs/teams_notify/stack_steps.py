"""The article's steps (reference walk-through), and the construct base that tags resources with them.

The post-synth hook writes, for every resource, which step it implements, so a reviewer can map
the synthesized JSON back to the manual procedure.
"""

from __future__ import annotations

from constructs import Construct, IConstruct

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
    """A construct implementing one article step; every resource below it is tagged with `step`."""

    step: str = ""


def step_of(node: IConstruct) -> str:
    """The step of the nearest enclosing `Step` construct ('' when none)."""
    scopes = list(node.node.scopes)
    for scope in reversed(scopes):
        if isinstance(scope, Step):
            return scope.step
    return STACK_INPUTS
