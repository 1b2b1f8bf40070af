"""Glue between our exceptions and Terraform diagnostics, shared by every resource."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Protocol

from tf.types import Unknown

from terraform_provider_servicenow.exceptions import ServiceNowError

if TYPE_CHECKING:
    from tf.utils import Diagnostics

    from terraform_provider_servicenow.client import ServiceNowClient


class ClientSource(Protocol):
    """What resources need from the provider: the configured client."""

    def get_client(self) -> ServiceNowClient: ...


@contextmanager
def reporting(diags: Diagnostics, path: list[str] | None = None) -> Iterator[None]:
    """Turn a ServiceNowError raised in the block into one Terraform error diagnostic."""
    try:
        yield
    except ServiceNowError as err:
        diags.add_error(err.summary, err.detail, path=path)


def is_known(value: Any) -> bool:
    """True when a plan value is neither Unknown nor a collection holding Unknowns."""
    if value is Unknown:
        return False
    if isinstance(value, dict):
        return all(is_known(v) for v in value.values())
    if isinstance(value, list):
        return all(is_known(v) for v in value)
    return True
