"""The app registration with the 5 Graph permissions requested and granted (article step 2)."""

from __future__ import annotations

from constructs import Construct
from teams_notify.graph import GRAPH_APP_ID, GRAPH_APP_ROLES
from teams_notify.stacks.entra.azuread import AzureadDataSource, AzureadResource
from teams_notify.stacks.steps import STEP_PERMISSIONS, Step


class GraphApplication(Step):
    """Application + service principal + one app-role assignment per Graph role (= admin consent).

    `required_resource_access` only *requests* the permissions; the assignments grant them.
    """

    step = STEP_PERMISSIONS

    def __init__(self, scope: Construct, id_: str, *, display_name: str) -> None:
        super().__init__(scope, id_)
        access = [{"id": role_id, "type": "Role"} for role_id in GRAPH_APP_ROLES.values()]
        self.application = AzureadResource(
            self,
            "application",
            "application",
            display_name=display_name,
            sign_in_audience="AzureADMyOrg",
            required_resource_access=[{"resource_app_id": GRAPH_APP_ID, "resource_access": access}],
        )
        self.service_principal = AzureadResource(
            self, "service_principal", "service_principal", client_id=self.application.client_id
        )
        self.graph = AzureadDataSource(self, "graph", "service_principal", client_id=GRAPH_APP_ID)
        # Each attribute read is a Node round trip: read the two references once for all grants.
        principal_id, graph_id = self.service_principal.object_id, self.graph.object_id
        self.grants = [
            AzureadResource(
                self,
                f"grant_{name.replace('.', '_').lower()}",
                "app_role_assignment",
                app_role_id=role_id,
                principal_object_id=principal_id,
                resource_object_id=graph_id,
            )
            for name, role_id in GRAPH_APP_ROLES.items()
        ]
