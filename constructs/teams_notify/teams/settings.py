"""`TeamsSettings`: the optional `[teams]` section of a tenant file.

Kept here, next to the code that uses it, so the config model can take it as one field
(`teams: TeamsSettings = TeamsSettings()`) without knowing what the Teams artifacts need.
Every key has a default; see docs/teams.md.
"""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict, Field

from teams_notify.shapes import GUID_RE
from teams_notify.teams.values import HEX_COLOR_RE, SEMVER_RE

URL_PATTERN = r"^https://[A-Za-z0-9.-]+(:\d+)?(/\S*)?\z"


def _pydantic(pattern: re.Pattern[str]) -> str:
    """A Python pattern ending in `\\Z` (end of text) for pydantic, whose regex engine spells
    that `\\z`: one pattern, the same full-match meaning in both."""
    return pattern.pattern.removesuffix(r"\Z") + r"\z"


class TeamsSettings(BaseModel):
    """Values of the Teams app package and access policy that tenant config may set."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    app_short_name: str | None = Field(default=None, min_length=1, max_length=30)
    app_description: str | None = Field(default=None, min_length=1, max_length=4000)
    developer_name: str = Field(default="ServiceNow Notify", min_length=1, max_length=32)
    # Default for all three: the ServiceNow instance URL (the app is an org-internal custom app).
    website_url: str | None = Field(default=None, pattern=URL_PATTERN)
    privacy_url: str | None = Field(default=None, pattern=URL_PATTERN)
    terms_url: str | None = Field(default=None, pattern=URL_PATTERN)
    # The same patterns TeamsValues checks: a value config accepts is one the artifacts accept.
    accent_color: str = Field(default="#293E40", pattern=_pydantic(HEX_COLOR_RE))
    app_version: str = Field(default="1.0.0", pattern=_pydantic(SEMVER_RE))
    teams_app_id: str | None = Field(default=None, pattern=_pydantic(GUID_RE))
    extra_valid_domains: tuple[str, ...] = ()
    policy_name: str | None = Field(default=None, min_length=1, max_length=128)
    grant_global: bool = False
