"""Shared pytest fixtures: each area's fixtures live in tests/helpers/<area>.py and are
re-exported here so every test directory can use them."""

from __future__ import annotations

import os

import pytest

# jsii prints a banner on every start with Node 20; it is noise in test output.
os.environ.setdefault("JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION", "1")

# Area fixtures (one import line per area):
from helpers.certs import certs_key, certs_openssl, certs_openssl_chain, certs_other_key, certs_store_password  # noqa: F401
from helpers.constructs import constructs_bundles, constructs_example  # noqa: F401
from helpers.doctor import doctor, doctor_stand  # noqa: F401
from helpers.entra import entra, entra_client_cert, entra_data_dir  # noqa: F401
from helpers.release import release_build, release_dir, release_gpg  # noqa: F401
from helpers.sandbox import sandbox, sandbox_admin  # noqa: F401
from helpers.terraform import (  # noqa: F401
    mark_terraform_tests,
    provider_sandbox,
    terraform,
    terraform_cli_config,
    terraform_plugin_dir,
)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    mark_terraform_tests(items)
