"""The `servicenow` provider: its configuration block, env fallbacks, and the shared client."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from tf.iface import Config, DataSource, Provider, Resource
from tf.schema import Attribute, Schema
from tf.types import Number, String
from tf.utils import Diagnostics

from terraform_provider_servicenow import DEFAULT_SOURCE
from terraform_provider_servicenow.data_record import RecordDataSource
from terraform_provider_servicenow.diagnostics import is_known
from terraform_provider_servicenow.exceptions import ConfigError, ServiceNowError
from terraform_provider_servicenow.resource_attachment import AttachmentResource
from terraform_provider_servicenow.resource_record import RecordResource

if TYPE_CHECKING:
    from terraform_provider_servicenow.client import ClientSettings, ServiceNowClient

LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})

# provider attribute -> environment variable used when the attribute is not set
ENV_FALLBACKS = {
    "instance_url": "SERVICENOW_INSTANCE_URL",
    "username": "SERVICENOW_USERNAME",
    "password": "SERVICENOW_PASSWORD",
    "client_id": "SERVICENOW_CLIENT_ID",
    "client_secret": "SERVICENOW_CLIENT_SECRET",
    "token": "SERVICENOW_TOKEN",
}
DEFAULT_TIMEOUT_SECONDS = 30.0
DEFAULT_MAX_RETRIES = 6


def _string(name: str, description: str, sensitive: bool = False) -> Attribute:
    env = ENV_FALLBACKS[name]
    return Attribute(
        name,
        String(),
        description=f"{description} Falls back to `{env}`.",
        optional=True,
        sensitive=sensitive,
    )


PROVIDER_SCHEMA = Schema(
    version=0,
    attributes=[
        _string("instance_url", "Instance root URL, e.g. `https://example.service-now.com`."),
        _string("username", "User for basic auth, or for the OAuth password grant."),
        _string("password", "Password of `username`.", sensitive=True),
        _string("client_id", "OAuth client id (Application Registry) for `/oauth_token.do`."),
        _string("client_secret", "OAuth client secret.", sensitive=True),
        _string("token", "A ready-made bearer token (not refreshed).", sensitive=True),
        Attribute(
            "timeout_seconds", Number(), description="Per-request timeout (default 30).", optional=True
        ),
        Attribute(
            "max_retries",
            Number(),
            description="Retries on 429/502/503/504 and connection errors (default 6).",
            optional=True,
        ),
    ],
)


class ServiceNowProvider(Provider):
    """One instance per provider process; Terraform configures it once, then runs operations."""

    def __init__(self, source: str = DEFAULT_SOURCE) -> None:
        self._source = source
        self._client: ServiceNowClient | None = None

    def get_model_prefix(self) -> str:
        return "servicenow_"

    def full_name(self) -> str:
        return self._source

    def get_provider_schema(self, diags: Diagnostics) -> Schema:
        return PROVIDER_SCHEMA

    def validate_config(self, diags: Diagnostics, config: Config) -> None:
        for name in ("timeout_seconds", "max_retries"):
            value = config.get(name)
            if value is not None and is_known(value) and value < 0:
                diags.add_error(f"{name} must not be negative", path=[name])

    def configure_provider(self, diags: Diagnostics, config: Config) -> None:
        # Imported here, not at start: the schema and validate processes Terraform starts never
        # configure the provider, and the client with its HTTP pool is ~25 % of the start-up imports.
        from terraform_provider_servicenow.client import ServiceNowClient

        try:
            # The client reads proxy settings from the environment: a bad one is a diagnostic too.
            self._client = ServiceNowClient(settings_from(config, os.environ))
        except ServiceNowError as err:
            diags.add_error(err.summary, err.detail)

    def get_client(self) -> ServiceNowClient:
        if self._client is None:
            raise ConfigError(
                "the servicenow provider is not configured",
                "Terraform did not configure the provider before using it (unknown provider values?).",
            )
        return self._client

    def get_data_sources(self) -> list[type[DataSource]]:
        return [RecordDataSource]

    def get_resources(self) -> list[type[Resource]]:
        return [RecordResource, AttachmentResource]


def settings_from(config: dict[str, Any], environ: Mapping[str, str]) -> ClientSettings:
    """ClientSettings from the provider block, falling back to environment variables."""
    from terraform_provider_servicenow.auth import Credentials, choose_kind
    from terraform_provider_servicenow.client import ClientSettings

    values: dict[str, str] = {}
    for name, env in ENV_FALLBACKS.items():
        value = config.get(name)
        if value is not None and not is_known(value):
            raise ConfigError(
                f"provider attribute {name} is not known until apply",
                "The provider needs its configuration while planning: use values known at plan time.",
            )
        values[name] = value if value else environ.get(env, "")
    url = check_instance_url(values.pop("instance_url"))
    credentials = Credentials(kind=choose_kind(**values), **values)
    timeout = config.get("timeout_seconds")
    retries = config.get("max_retries")
    return ClientSettings(
        instance_url=url,
        credentials=credentials,
        timeout_seconds=float(timeout) if timeout is not None else DEFAULT_TIMEOUT_SECONDS,
        max_retries=int(retries) if retries is not None else DEFAULT_MAX_RETRIES,
    )


def check_instance_url(url: str) -> str:
    """https for real instances; plain http only to a loopback sandbox (credentials travel in it)."""
    if not url:
        raise ConfigError(
            "instance_url is not set",
            "Set instance_url in the provider block or SERVICENOW_INSTANCE_URL, e.g. "
            "https://example.service-now.com.",
        )
    from urllib.parse import urlsplit  # only a configured provider needs it (start-up cost)

    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(
            f"instance_url {url!r} is not an http(s) URL", "Use https://<instance>.service-now.com."
        )
    if parts.scheme == "http" and parts.hostname not in LOOPBACK_HOSTS:
        raise ConfigError(
            f"instance_url {url!r} uses plain http",
            "Credentials would travel unencrypted: use https (plain http is accepted only for localhost).",
        )
    if parts.path.strip("/"):
        raise ConfigError(
            f"instance_url {url!r} has a path",
            "Use the instance root only, e.g. https://example.service-now.com (no /api/now/...).",
        )
    return f"{parts.scheme}://{parts.netloc}"
