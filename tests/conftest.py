"""Shared pytest fixtures: each area's fixtures live in tests/helpers/<area>.py and are
re-exported here so every test directory can use them."""

from __future__ import annotations

import os

# jsii prints a banner on every start with Node 20; it is noise in test output.
os.environ.setdefault("JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION", "1")

# Area fixtures (one import line per area):
