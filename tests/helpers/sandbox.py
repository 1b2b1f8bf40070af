"""Sandbox fixtures (re-exported by tests/conftest.py).

sandbox        fixture -> a running teams_notify.sandbox.Sandbox: fresh SQLite file in tmp_path,
               a free port; stopped after the test.
sandbox_admin  fixture -> httpx.Client on the sandbox as admin/admin (closed after the test).
client(sb, user="admin", **kwargs) -> httpx.Client with basic auth `user`/`user` (the built-in
               accounts use their name as password); the caller closes it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from teams_notify.sandbox import Sandbox


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
