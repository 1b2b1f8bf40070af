"""Run every check for one tenant, in the order the chain is used, and collect the results.

    report = run_doctor(tenant, DoctorOptions(endpoints=endpoints_from(None, None, os.environ)))
    report.ok, report.checks

A wrong keystore password or an unusable flag is bad input (BadInputError, exit 2); everything
the instance or Entra holds wrong is a failed `Check` (exit 1), never an exception.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from cryptography import x509

from teams_notify.certs import load_certificate
from teams_notify.config import TenantConfig
from teams_notify.doctor.assertion_builder import AssertionRecipe, assertion_check, recipe_from
from teams_notify.doctor.cloud_endpoints import Endpoints
from teams_notify.doctor.expiry_checks import expiry_checks
from teams_notify.doctor.outcome import Check, failed
from teams_notify.doctor.record_checks import expected_names, instance_jks, names_check, record_checks
from teams_notify.doctor.signing_key import (
    SigningKey,
    instance_signing_key,
    local_signing_key,
    signing_key_check,
)
from teams_notify.doctor.snapshot import Snapshot, read_snapshot
from teams_notify.doctor.token_checks import Progress, graph_user_check, roles_check, token_check
from teams_notify.doctor.value_checks import value_checks
from teams_notify.errors import BadInputError, TeamsNotifyError
from teams_notify.schema_check import Finding, check_schema, instance_client, read_instance_schema

DEFAULT_WAIT_SECONDS = 60.0


@dataclass(frozen=True)
class DoctorOptions:
    endpoints: Endpoints
    key_from_instance: bool = False
    wait_seconds: float = DEFAULT_WAIT_SECONDS
    instance_url: str | None = None  # default: SERVICENOW_INSTANCE_URL, else the tenant file's
    now: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))


@dataclass(frozen=True)
class DoctorReport:
    tenant: str
    instance_url: str
    authority: str
    checks: list[Check]

    @property
    def failures(self) -> list[Check]:
        return [c for c in self.checks if c.status == "fail"]

    @property
    def ok(self) -> bool:
        return not self.failures

    def to_json(self) -> dict[str, Any]:
        return {
            "tenant": self.tenant,
            "instance_url": self.instance_url,
            "authority": self.authority,
            "ok": self.ok,
            "checks": [c.to_json() for c in self.checks],
        }


def _quiet(_: str) -> None:
    pass


def _read_instance(tenant: TenantConfig, url: str) -> tuple[Snapshot, list[Finding] | None]:
    from terraform_provider_servicenow.exceptions import AccessDeniedError

    expected = expected_names(tenant)
    with instance_client(url, activity="reading the Teams records of") as client:
        try:
            findings: list[Finding] | None = check_schema(expected, read_instance_schema(client, expected))
        except AccessDeniedError:
            findings = None  # the dictionary needs more rights than the records: report, go on
        return read_snapshot(client, tenant, url), findings


def _instance_certificate(snap: Snapshot) -> x509.Certificate | None:
    try:
        return instance_jks(snap).certificate
    except BadInputError:
        return None


def _signing_key(tenant: TenantConfig, snap: Snapshot, local: SigningKey | None) -> SigningKey | None:
    if local is not None:
        return local
    if snap.jks is None:
        return None
    return instance_signing_key(snap.jks, tenant.active_certificate, snap.instance_url)


def _entra_certificate(tenant: TenantConfig) -> x509.Certificate | None:
    try:
        return load_certificate(tenant.active_certificate.crt)
    except TeamsNotifyError:
        return None


def _assertion_checks(
    tenant: TenantConfig, snap: Snapshot, certificate: x509.Certificate | None, local: SigningKey | None
) -> tuple[list[Check], AssertionRecipe | None]:
    """The signing key and the assertion recipe (None when something it needs is missing)."""
    key = _signing_key(tenant, snap, local)
    if key is None:
        missing = failed("signing key", "no keystore on the instance to take the key from", "see keystore")
        return [missing, assertion_check(None, "no signing key")], None
    recipe = recipe_from(snap, certificate, key.key) if certificate is not None else None
    why_not = "the JWT provider, its key or the keystore's certificate is missing (see above)"
    return [signing_key_check(key, certificate), assertion_check(recipe, why_not)], recipe


def _entra_checks(
    tenant: TenantConfig,
    snap: Snapshot,
    recipe: AssertionRecipe | None,
    options: DoctorOptions,
    progress: Progress,
) -> list[Check]:
    """Token, roles and the service user in Graph."""
    endpoints = options.endpoints
    progress(f"exchanging the assertion at {endpoints.authority(tenant.tenant_id)}")
    outcome = token_check(recipe, tenant, endpoints, options.wait_seconds, progress)
    client_id = recipe.client_id if recipe else ""
    user_id = snap.teams_config["service_user_azure_id"] if snap.teams_config else ""
    return [
        outcome.check,
        roles_check(outcome.answer, tenant, client_id),
        graph_user_check(outcome.answer, user_id, tenant, endpoints),
    ]


def run_doctor(tenant: TenantConfig, options: DoctorOptions, progress: Progress = _quiet) -> DoctorReport:
    """All checks of docs/doctor.md for `tenant`, in the order the chain is used."""
    url = options.instance_url or os.environ.get("SERVICENOW_INSTANCE_URL") or tenant.servicenow.instance_url
    # The local key first: a wrong password should stop us before any network call.
    local = None if options.key_from_instance else local_signing_key(tenant.active_certificate)
    progress(f"reading the records on {url}")
    snap, names = _read_instance(tenant, url)
    certificate = _instance_certificate(snap)
    checks = [names_check(names, tenant), *record_checks(snap, tenant)]
    checks += value_checks(snap, tenant, certificate, options.endpoints)
    assertion, recipe = _assertion_checks(tenant, snap, certificate, local)
    checks += assertion
    checks += _entra_checks(tenant, snap, recipe, options, progress)
    checks += expiry_checks(tenant, certificate, _entra_certificate(tenant), options.now())
    return DoctorReport(tenant.name, url, options.endpoints.authority(tenant.tenant_id), checks)
