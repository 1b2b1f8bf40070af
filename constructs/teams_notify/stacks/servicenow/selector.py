"""Article step 8: the Notify provider selector entry that routes calls to Microsoft Teams."""

from __future__ import annotations

from constructs import Construct
from teams_notify.config import TenantConfig
from teams_notify.stacks.servicenow.record import catalog_record
from teams_notify.stacks.steps import STEP_SELECTOR, Step


class ProviderSelector(Step):
    """`notify_group_selector` (matched by name) + one choice naming the Teams conference provider.

    A choice names a Notify group *or* a conference provider, never both: we set the provider only.
    """

    step = STEP_SELECTOR

    def __init__(self, scope: Construct, id_: str, *, tenant: TenantConfig) -> None:
        super().__init__(scope, id_)
        sel = tenant.servicenow.selector
        self.selector = catalog_record(
            self,
            "selector",
            tenant,
            "selector",
            adopt_on=("name",),
            name=sel.name,
            order=sel.order,
            table=sel.table,
            condition=sel.condition,
            active=True,
            catch_all=sel.catch_all,
            manual_selection=sel.manual_selection,
        )
        self.choice = catalog_record(
            self,
            "choice",
            tenant,
            "selector_choice",
            selector=self.selector.sys_id,
            conference_provider=sel.conference_provider,
            order=sel.order,
        )
