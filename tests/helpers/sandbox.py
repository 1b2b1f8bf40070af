"""Sandbox fixtures (re-exported by tests/conftest.py).

sandbox        fixture -> a running teams_notify.sandbox.Sandbox: fresh SQLite file in tmp_path,
               a free port; stopped after the test.
sandbox_admin  fixture -> httpx.Client on the sandbox as admin/admin (closed after the test).
client(sb, user="admin", **kwargs) -> httpx.Client with basic auth `user`/`user` (the built-in
               accounts use their name as password); the caller closes it.
SANDBOX_OVERRIDES  the tenant-file `[overrides]` for the sandbox's own names (its dictionary differs
               from the product's defaults where no public source shows a name): exactly what
               `teams-notify schema discover` finds on a fresh sandbox (tests/constructs/
               test_constructs_schema_discover.py proves it). Tenant files that deploy to a
               sandbox need them; sandbox_overrides() returns a fresh copy.
CREATED_TABLES the sandbox tables a deploy of one tenant creates one record in each of (the OIDC
               registry is created by the instance itself, then adopted).
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from teams_notify.sandbox import Sandbox

CREATED_TABLES = (
    "sys_certificate",
    "jwt_keystore_aliases",
    "jwt_provider",
    "oauth_entity",
    "oauth_2_0_credentials",
    "http_connection",
    "notify_group_selector_choice",
)

SANDBOX_OVERRIDES: dict[str, Any] = {
    "tables": {"teams_config": "sn_notify_msteams_config"},
    "columns": {
        "jwt_key": {"include_x5t": "x5t_header"},
        "jwt_claim": {"jwt_provider": "provider"},
        "oauth_entity": {"jwt_provider": "oauth_jwt_provider"},
        "credential": {"credential_alias": "credential_aliases"},
        "teams_config": {
            "credential_alias": "alias",
            "application_registry": "app_registry",
            "tenant_id": "azure_tenant_id",
            "requester": "requester_credential",
            "service_user_azure_id": "service_user_id",
            "enable_create_online_meeting": "create_online_meeting",
        },
    },
    "choices": {"oauth_entity": {"send_client_credentials_as": {"private_key_jwt": "jwt_client_assertion"}}},
}


def sandbox_overrides() -> dict[str, Any]:
    return copy.deepcopy(SANDBOX_OVERRIDES)


def client(sb: Sandbox, user: str = "admin", **kwargs: object) -> httpx.Client:
    return httpx.Client(base_url=sb.url, auth=(user, user), **kwargs)  # type: ignore[arg-type]


@pytest.fixture
def sandbox(tmp_path: Path) -> Iterator[Sandbox]:
    with Sandbox(db_path=tmp_path / "sandbox.db") as sb:
        yield sb


@pytest.fixture
def sandbox_admin(sandbox: Sandbox) -> Iterator[httpx.Client]:
    with client(sandbox) as http:
        yield http
