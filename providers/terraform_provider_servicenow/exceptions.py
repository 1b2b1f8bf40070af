"""Errors the provider reports to Terraform users.

Each carries a one-line `summary` (Terraform's diagnostic title) and a `detail` that says
what to do. None of them ever contains a request body, header or sensitive value.
"""

from __future__ import annotations


class ReportedError(Exception):
    """An error written for the user: a one-line `summary` and a `detail` that says what to do."""

    def __init__(self, summary: str, detail: str = "") -> None:
        super().__init__(summary)
        self.summary = summary
        self.detail = detail

    def __str__(self) -> str:
        return f"{self.summary}: {self.detail}" if self.detail else self.summary


class ServiceNowError(ReportedError):
    """A failure talking to ServiceNow, written for the person running Terraform."""


class AuthenticationError(ServiceNowError):
    """401: the credential of the configured kind was rejected."""


class AccessDeniedError(ServiceNowError):
    """403: the user lacks an ACL or role for this table and operation."""


class BadRequestError(ServiceNowError):
    """400: ServiceNow refused the request; carries ServiceNow's own message."""


class UnknownTableError(BadRequestError):
    """400 "Invalid table": the table does not exist on this instance."""


class RetriesExhaustedError(ServiceNowError):
    """The instance kept answering 429/5xx or dropping connections past max_retries."""


class ResponseLostError(ServiceNowError):
    """A write was sent but its response never arrived: it may or may not have been committed."""

    def __init__(self, summary: str, detail: str = "", status: int | None = None) -> None:
        super().__init__(summary, detail)
        self.status = status  # the gateway status (502/504), or None when the connection was lost


class UntrustedCertificateError(ServiceNowError):
    """The instance's TLS certificate does not verify against the trust store (never retried)."""


class ConfigError(ServiceNowError):
    """The provider or resource configuration cannot be used."""
