"""Checks 4-6: the token exchange (with a bounded, visible wait for Entra replication), the
Graph application roles in the access token, and the service user through Graph."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import jwt

from teams_notify.config import TenantConfig
from teams_notify.doctor.aadsts_diagnoses import REPLICATION_CODES, diagnose
from teams_notify.doctor.assertion_builder import AssertionRecipe
from teams_notify.doctor.cloud_endpoints import Endpoints
from teams_notify.doctor.outcome import Check, failed, passed, skipped
from teams_notify.doctor.token_exchange import EntraUnreachable, TokenAnswer, exchange
from teams_notify.graph import GRAPH_APP_ROLES

RETRY_INTERVAL_SECONDS = 5.0
Progress = Callable[[str], None]


@dataclass(frozen=True)
class TokenOutcome:
    check: Check
    answer: TokenAnswer | None = None


def missing_roles(access_token: str) -> list[str]:
    """The Graph application permissions Notify needs that the token's `roles` lack."""
    claims = jwt.decode(access_token, options={"verify_signature": False})
    roles = claims.get("roles") or []
    return [name for name in GRAPH_APP_ROLES if name not in roles]


def _worth_waiting(answer: TokenAnswer) -> bool:
    if answer.access_token is not None:
        return bool(missing_roles(answer.access_token))
    return answer.code in REPLICATION_CODES


def _why(answer: TokenAnswer) -> str:
    if answer.access_token is not None:
        return f"role(s) {', '.join(missing_roles(answer.access_token))} not in the token yet"
    return f"AADSTS{answer.code}"


def acquire(
    recipe: AssertionRecipe,
    tenant: TenantConfig,
    endpoints: Endpoints,
    wait_seconds: float,
    progress: Progress,
    clock: Callable[[], float] = time.time,
) -> TokenAnswer:
    """Ask until Entra says yes and grants every role, or says something replication cannot
    change, or `wait_seconds` have passed; every wait is announced through `progress`."""
    deadline = time.monotonic() + wait_seconds
    attempt = 1
    while True:
        answer = exchange(lambda: recipe.build(clock()), tenant.tenant_id, recipe.client_id, endpoints)
        left = deadline - time.monotonic()
        if not _worth_waiting(answer) or left <= 0:
            return answer
        pause = min(RETRY_INTERVAL_SECONDS, left)
        progress(
            f"Entra answered {_why(answer)} (attempt {attempt}); a new app, certificate or grant can "
            f"take minutes to replicate: retrying in {pause:.0f} s ({left:.0f} s left of --wait)"
        )
        time.sleep(pause)
        attempt += 1


def token_check(
    recipe: AssertionRecipe | None,
    tenant: TenantConfig,
    endpoints: Endpoints,
    wait_seconds: float,
    progress: Progress,
) -> TokenOutcome:
    name = "token"
    if recipe is None:
        return TokenOutcome(skipped(name, "no assertion to exchange"))
    authority = endpoints.authority(tenant.tenant_id)
    try:
        answer = acquire(recipe, tenant, endpoints, wait_seconds, progress)
    except EntraUnreachable as err:
        return TokenOutcome(
            failed(
                name,
                f"no answer from {authority}: {err}",
                "check --authority-host / TEAMS_NOTIFY_AUTHORITY_HOST, the network, and SSL_CERT_FILE",
            )
        )
    if answer.access_token is None:
        found = diagnose(answer.code, answer.description, tenant, recipe.client_id, endpoints.audience_host)
        return TokenOutcome(failed(name, found.cause, found.fix), answer)
    return TokenOutcome(
        passed(name, f"{authority} issued a token for {endpoints.scope} (valid {answer.expires_in} s)"),
        answer,
    )


def roles_check(answer: TokenAnswer | None, tenant: TenantConfig, client_id: str) -> Check:
    """Admin consent, proven without extra rights: the token's `roles` hold all 5 permissions."""
    name = "roles"
    if answer is None or answer.access_token is None:
        return skipped(name, "no access token")
    missing = missing_roles(answer.access_token)
    if not missing:
        return passed(
            name, f"the token holds all {len(GRAPH_APP_ROLES)} Graph roles: {', '.join(GRAPH_APP_ROLES)}"
        )
    return failed(
        name,
        f"Graph application permission(s) not granted to app {client_id}: {', '.join(missing)}",
        f"grant admin consent for them: run `terraform apply` in the {tenant.entra_stack} stack "
        "(its app role assignments are the consent)",
    )


def graph_user_check(
    answer: TokenAnswer | None, user_id: str, tenant: TenantConfig, endpoints: Endpoints
) -> Check:
    """The service user the Teams configuration names resolves in Graph with the app's token."""
    import httpx

    name = "Graph service user"
    if answer is None or answer.access_token is None:
        return skipped(name, "no access token")
    if not user_id:
        return skipped(name, "no service user object id on the Teams configuration")
    url = f"{endpoints.graph_url}/v1.0/users/{user_id}"
    try:
        with httpx.Client(verify=endpoints.ssl_context(), timeout=30) as http:
            resp = http.get(url, headers={"Authorization": f"Bearer {answer.access_token}"})
    except httpx.HTTPError as err:
        return failed(
            name, f"no answer from {endpoints.graph_url}: {err}", "check --graph-url and the network"
        )
    if resp.status_code == 200:
        upn = resp.json().get("userPrincipalName", "?")
        return passed(name, f"{user_id} resolves to {upn}")
    if resp.status_code == 404:
        return failed(
            name,
            f"service user {user_id} is unknown to Graph in tenant {tenant.tenant_id}",
            f"set the Teams configuration's service user to the object id of {tenant.service_user.upn} "
            f"(entra.service_user_object_id in {tenant.source}), then apply the "
            f"{tenant.servicenow_stack} stack",
        )
    return failed(
        name,
        f"Graph answered HTTP {resp.status_code} for {url}",
        "check that User.Read.All is granted (roles check) and that --graph-url is right",
    )
