"""Article step 8: the Notify provider selector entry that routes calls to Microsoft Teams."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

from constructs import Construct
from teams_notify.config import SelectorConfig
from teams_notify.stacks.servicenow.fields import InstanceNames
from teams_notify.stacks.servicenow.record import catalog_record
from teams_notify.stacks.steps import STEP_SELECTOR, Step

_DEFAULT = SelectorConfig()  # tenant config's defaults, so props and the tenant file default alike


@dataclass(frozen=True)
class ProviderSelectorProps:
    """What `ProviderSelector` writes (defaults: tenant config's `[servicenow.selector]` defaults).

    - `name`: the selector's name, also how an existing one is found; default "Microsoft Teams".
    - `order`: of the selector and its choice; default 100.
    - `source_table`: the table whose records the selector routes; default "notify_call".
    - `condition`: an encoded query over `source_table`; default "" (all records).
    - `catch_all`: used when no other selector matches; default False.
    - `manual_selection`: offered for manual selection; default True.
    - `conference_provider`: the choice's conference provider; default "Microsoft Teams".
    - `names`: the instance's names of `notify_group_selector` and
      `notify_group_selector_choice`; default: the catalog's.
    """

    TABLES: ClassVar[tuple[str, ...]] = ("selector", "selector_choice")

    name: str = _DEFAULT.name
    order: int = _DEFAULT.order
    source_table: str = _DEFAULT.table
    condition: str = _DEFAULT.condition
    catch_all: bool = _DEFAULT.catch_all
    manual_selection: bool = _DEFAULT.manual_selection
    conference_provider: str = _DEFAULT.conference_provider
    names: InstanceNames = field(default_factory=lambda: InstanceNames.catalog(*ProviderSelectorProps.TABLES))


class ProviderSelector(Step):
    """`notify_group_selector` (matched by name) + one choice naming the Teams conference provider.

    A choice names a Notify group *or* a conference provider, never both: we set the provider only.
    """

    step = STEP_SELECTOR

    def __init__(self, scope: Construct, id_: str, props: ProviderSelectorProps) -> None:
        super().__init__(scope, id_)
        names = props.names
        self.selector = catalog_record(
            self,
            "selector",
            names,
            "selector",
            adopt_on=("name",),
            name=props.name,
            order=props.order,
            table=props.source_table,
            condition=props.condition,
            active=True,
            catch_all=props.catch_all,
            manual_selection=props.manual_selection,
        )
        self.choice = catalog_record(
            self,
            "choice",
            names,
            "selector_choice",
            selector=self.selector.sys_id,
            conference_provider=props.conference_provider,
            order=props.order,
        )
