"""Shapes of values that both tenant config and the Teams artifacts validate.

Kept apart from `config` because `config` imports the Teams settings model, which needs
these patterns too: one definition, no import cycle.
"""

from __future__ import annotations

import re

GUID_RE = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\Z")
# A ServiceNow table or column name: no `^`, `,` or `=` can reach an encoded query through it.
IDENT_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_.]*\Z")
