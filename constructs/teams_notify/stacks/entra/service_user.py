"""The Microsoft 365 user that places calls (article step 3): created, or an existing one looked up."""

from __future__ import annotations

from constructs import Construct
from teams_notify.config import ServiceUserConfig
from teams_notify.stacks.entra.azuread import AzureadDataSource, AzureadResource
from teams_notify.stacks.steps import STEP_SERVICE_USER, Step
from teams_notify.stacks.variables import secret_variable

PASSWORD_VARIABLE = "service_user_password"


class ServiceUser(Step):
    """`azuread_user` with its password from a sensitive variable, or data `azuread_user` by object id."""

    step = STEP_SERVICE_USER

    def __init__(self, scope: Construct, id_: str, *, config: ServiceUserConfig) -> None:
        super().__init__(scope, id_)
        if config.create:
            password = secret_variable(scope, PASSWORD_VARIABLE, f"initial password of {config.upn}")
            user: AzureadResource | AzureadDataSource = AzureadResource(
                self,
                "user",
                "user",
                user_principal_name=config.upn,
                display_name=config.display_name,
                mail_nickname=config.upn.split("@", 1)[0],
                password=password,
                force_password_change=False,
                disable_password_expiration=True,
            )
        else:
            user = AzureadDataSource(self, "user", "user", object_id=config.object_id)
        self.object_id: str = user.object_id
