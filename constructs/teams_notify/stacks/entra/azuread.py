"""Thin typed constructs for the hashicorp/azuread resources the Entra stack declares.

Raw resources, not the prebuilt binding: the binding's import (its assembly loaded into Node,
thousands of Python classes) and its per-call type checks cost more synth time than the rest
of the Entra stack. Attributes are exactly azuread's schema; `tests/constructs/
test_constructs_entra_stack.py` checks the synthesized JSON against the schema the binding
carries, and that the provider pin is the binding's.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from constructs import Construct
from teams_notify.stacks.compat import ENGINE, RawDataSource, RawProvider, RawResource

PROVIDER_NAME = "azuread"
AZUREAD_SOURCE = "hashicorp/azuread"
# The azuread version each engine's prebuilt binding was generated for: pinned as before the
# stack used raw resources, so a deployed stack's lock file keeps matching.
AZUREAD_VERSIONS = {"cdktf": "3.7.0", "cdktn": "3.10.0"}


class AzureadProvider(RawProvider):
    """The provider block, for one tenant."""

    def __init__(self, scope: Construct, id_: str, *, tenant_id: str) -> None:
        super().__init__(
            scope,
            id_,
            name=PROVIDER_NAME,
            source=AZUREAD_SOURCE,
            version=AZUREAD_VERSIONS[ENGINE],
            attrs={"tenant_id": tenant_id},
        )


class _Azuread:
    """What an azuread resource and data source share: the type prefix, the provider, and the
    `object_id` reference. A plain mixin ahead of the jsii base (see `compat._RawAttributes`)."""

    attr: Callable[[str], str]

    def __init__(self, scope: Construct, id_: str, type_: str, **attrs: Any) -> None:
        super().__init__(  # type: ignore[call-arg]
            scope, id_, type_=f"azuread_{type_}", provider_name=PROVIDER_NAME, attrs=attrs
        )

    @property
    def object_id(self) -> str:
        return self.attr("object_id")


class AzureadResource(_Azuread, RawResource):
    """An `azuread_<type_>` resource with exactly `attrs`."""

    @property
    def id(self) -> str:
        return self.attr("id")

    @property
    def client_id(self) -> str:
        return self.attr("client_id")


class AzureadDataSource(_Azuread, RawDataSource):
    """A data `azuread_<type_>` with exactly `attrs`."""
