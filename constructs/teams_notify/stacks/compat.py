"""The one place that picks the CDK engine: CDKTF 0.21 (default) or CDK Terrain 0.24.

`TEAMS_NOTIFY_CDK=cdktn` selects CDK Terrain (`cdktn`), its maintained successor with the same
API. Everything else imports the engine from here, never directly. The stacks declare raw
resources only (no prebuilt provider binding is imported at synth): `azuread_module` is for tests
that check the Entra stack against the schema the azuread binding carries.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import ModuleType
from typing import Any, TypeAlias

import jsii

from teams_notify.stacks.engine import selected_engine

ENGINE = selected_engine()

cdk: Any
if ENGINE == "cdktn":
    import cdktn as cdk
elif ENGINE == "cdktf":
    import cdktf as cdk
else:
    from teams_notify.errors import BadInputError

    raise BadInputError(f"TEAMS_NOTIFY_CDK={ENGINE!r} is not an engine we know", "use cdktf or cdktn")

App = cdk.App
TerraformStack: TypeAlias = cdk.TerraformStack  # a class to subclass (stack.py), in any import order
TerraformResource = cdk.TerraformResource
TerraformDataSource = cdk.TerraformDataSource
TerraformProvider = cdk.TerraformProvider
TerraformVariable = cdk.TerraformVariable
TerraformOutput = cdk.TerraformOutput
TerraformElement = cdk.TerraformElement
LocalBackend = cdk.LocalBackend
CloudBackend = cdk.CloudBackend
NamedCloudWorkspace = cdk.NamedCloudWorkspace
AzurermBackend = cdk.AzurermBackend
DataTerraformRemoteState = cdk.DataTerraformRemoteState
NamedRemoteWorkspace = cdk.NamedRemoteWorkspace
DataTerraformRemoteStateLocal = cdk.DataTerraformRemoteStateLocal
DataTerraformRemoteStateAzurerm = cdk.DataTerraformRemoteStateAzurerm
Aspects = cdk.Aspects
IAspect = cdk.IAspect
Annotations = cdk.Annotations
Token = cdk.Token
Fn = cdk.Fn


AZUREAD_BINDINGS = {"cdktf": "cdktf_cdktf_provider_azuread", "cdktn": "cdktn_provider_azuread"}


def azuread_module(name: str) -> ModuleType:
    """A submodule of the selected engine's azuread binding, e.g. `azuread_module("application")`."""
    import importlib

    return importlib.import_module(f"{AZUREAD_BINDINGS[ENGINE]}.{name}")


def _metadata(provider_name: str, version: str | None = None) -> Any:
    return cdk.TerraformProviderGeneratorMetadata(
        provider_name=provider_name, provider_version_constraint=version
    )


class _RawAttributes:
    """What the raw classes share: they synthesize exactly `attrs` (None = left out), and
    hand out references to computed attributes.

    A plain mixin ahead of the jsii base: jsii collects overrides from every class in the MRO
    before the first jsii-declared one.
    """

    attrs: dict[str, Any]

    @jsii.member(jsii_name="synthesizeAttributes")
    def _synthesize_attributes(self) -> Mapping[str, Any]:
        return {k: v for k, v in self.attrs.items() if v is not None}

    def attr(self, name: str) -> str:
        """A reference to a computed attribute, e.g. `sys_id` (one token per attribute, reused)."""
        tokens: dict[str, str] = self.__dict__.setdefault("_attr_tokens", {})
        if name not in tokens:
            tokens[name] = str(self.get_string_attribute(name))  # type: ignore[attr-defined]
        return tokens[name]


class RawProvider(_RawAttributes, cdk.TerraformProvider):
    """A provider block with exactly `attrs` (for providers without a prebuilt binding)."""

    def __init__(
        self,
        scope: Any,
        id_: str,
        *,
        name: str,
        source: str,
        attrs: dict[str, Any],
        version: str | None = None,
        alias: str | None = None,
    ) -> None:
        super().__init__(
            scope,
            id_,
            terraform_resource_type=name,
            terraform_generator_metadata=_metadata(name, version),
            terraform_provider_source=source,
        )
        if alias:
            self.alias = alias
        self.attrs = attrs


class RawResource(_RawAttributes, cdk.TerraformResource):
    """A resource whose synthesized attributes are exactly `attrs` (typed by subclasses)."""

    def __init__(
        self,
        scope: Any,
        id_: str,
        *,
        type_: str,
        provider_name: str,
        attrs: dict[str, Any],
        provider: Any = None,
        depends_on: list[Any] | None = None,
    ) -> None:
        super().__init__(scope, id_, depends_on=depends_on, **_element(type_, provider_name, provider))
        self.attrs = attrs


class RawDataSource(_RawAttributes, cdk.TerraformDataSource):
    """A data source whose synthesized attributes are exactly `attrs`."""

    def __init__(
        self,
        scope: Any,
        id_: str,
        *,
        type_: str,
        provider_name: str,
        attrs: dict[str, Any],
        provider: Any = None,
    ) -> None:
        super().__init__(scope, id_, **_element(type_, provider_name, provider))
        self.attrs = attrs


def _element(type_: str, provider_name: str, provider: Any) -> dict[str, Any]:
    """The constructor arguments a raw resource and a raw data source share."""
    return {
        "terraform_resource_type": type_,
        "terraform_generator_metadata": _metadata(provider_name),
        "provider": provider,
    }
