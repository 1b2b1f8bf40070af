"""What every resource and data source of this provider shares: the provider it was built for,
its type name and schema as class attributes, and the value checks that run at validate time on
whatever part of the configuration is already known, and again at apply when all of it is."""

from __future__ import annotations

from typing import Any, ClassVar

from tf.iface import Config
from tf.schema import Schema
from tf.utils import Diagnostics

from terraform_provider_servicenow.diagnostics import ClientSource, reporting
from terraform_provider_servicenow.normalize import check_table


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
        """The type's own value checks (raise ConfigError); values may still be Unknown."""

    def checked(self, config: Config) -> None:
        """Every value check: the table name (every type here has a `table`), then the type's own.
        A table name only known at apply (e.g. from a variable) is checked then."""
        table = config.get("table")
        if isinstance(table, str):
            check_table(table)
        self.check(config)

    def validate(self, diags: Diagnostics, type_name: str, config: Config) -> None:
        parent: Any = super()
        parent.validate(diags, type_name, config)  # tf's schema-level checks
        with reporting(diags):
            self.checked(config)
