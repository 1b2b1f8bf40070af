"""Optional Azure Bot with the Teams channel and calling (article step 1).

Thin typed constructs over raw azurerm resources: pulling the whole azurerm binding for two
resources would cost more synth time than everything else together.
"""

from __future__ import annotations

from constructs import Construct
from teams_notify.config import BotConfig
from teams_notify.stacks.compat import RawProvider, RawResource
from teams_notify.stacks.steps import STEP_TEAMS_APP, Step

AZURERM_SOURCE = "hashicorp/azurerm"
AZURERM_VERSION = "~> 4.0"


class AzureBot(Step):
    """`azurerm_bot_service_azure_bot` (single tenant, our app id) + `azurerm_bot_channel_ms_teams`."""

    step = STEP_TEAMS_APP

    def __init__(
        self, scope: Construct, id_: str, *, config: BotConfig, client_id: str, tenant_id: str
    ) -> None:
        super().__init__(scope, id_)
        provider = RawProvider(
            self,
            "azurerm",
            name="azurerm",
            source=AZURERM_SOURCE,
            version=AZURERM_VERSION,
            attrs={"features": [{}], "subscription_id": config.subscription_id},
        )
        self.bot = RawResource(
            self,
            "bot",
            type_="azurerm_bot_service_azure_bot",
            provider_name="azurerm",
            provider=provider,
            attrs={
                "name": config.name,
                "resource_group_name": config.resource_group_name,
                "location": "global",
                "sku": config.sku,
                "microsoft_app_id": client_id,
                "microsoft_app_type": "SingleTenant",
                "microsoft_app_tenant_id": tenant_id,
            },
        )
        self.teams_channel = RawResource(
            self,
            "teams_channel",
            type_="azurerm_bot_channel_ms_teams",
            provider_name="azurerm",
            provider=provider,
            attrs={
                "bot_name": self.bot.attr("name"),
                "location": "global",
                "resource_group_name": config.resource_group_name,
                "calling_enabled": True,
                "calling_web_hook": config.calling_web_hook,
            },
        )
