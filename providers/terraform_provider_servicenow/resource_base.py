"""What every resource and data source of this provider shares: the provider it was built for,
its type name and schema as class attributes, and validation that runs the value checks of
`check` on whatever part of the configuration is already known."""

from __future__ import annotations

from typing import Any, ClassVar

from tf.iface import Config
from tf.schema import Schema
from tf.utils import Diagnostics

from terraform_provider_servicenow.diagnostics import ClientSource, reporting


class ProviderBound:
    """Mix in before tf's Resource / DataSource protocol: `class X(ProviderBound, Resource)`."""

    NAME: ClassVar[str]
    SCHEMA: ClassVar[Schema]

    def __init__(self, provider: ClientSource) -> None:
        self.provider = provider

    @classmethod
    def get_name(cls) -> str:
        return cls.NAME

    @classmethod
    def get_schema(cls) -> Schema:
        return cls.SCHEMA

    @staticmethod
    def check(config: Config) -> None:
        """Value checks (raise ConfigError); values may still be Unknown at validate time."""

    def validate(self, diags: Diagnostics, type_name: str, config: Config) -> None:
        parent: Any = super()
        parent.validate(diags, type_name, config)  # tf's schema-level checks
        with reporting(diags):
            self.check(config)
