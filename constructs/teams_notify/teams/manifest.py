"""The Teams app package (`<tenant>-teams-app.zip`): manifest.json plus the two icons.

The manifest is rendered from a template, then parsed and validated against the Teams
manifest JSON schema shipped with this package before any byte is zipped, so a bad value
is a BadInputError naming the field, never a package Teams rejects at upload. The zip is
deterministic (fixed timestamps, order and attributes): same values, same bytes.
"""

from __future__ import annotations

import io
import json
import zipfile
from functools import cache
from pathlib import Path
from typing import Any

from teams_notify.errors import BadInputError
from teams_notify.teams import icons
from teams_notify.teams.templating import render
from teams_notify.teams.values import TeamsValues, require_artifact_values

MANIFEST_VERSION = "1.29"
SCHEMA_FILE = Path(__file__).parent / "schema" / f"MicrosoftTeams.schema.v{MANIFEST_VERSION}.json"
SCHEMA_URL = (
    f"https://developer.microsoft.com/en-us/json-schemas/teams/v{MANIFEST_VERSION}/MicrosoftTeams.schema.json"
)
COLOR_ICON = "color.png"
OUTLINE_ICON = "outline.png"
DESCRIPTION_SHORT_MAX = 80
ZIP_TIMESTAMP = (1980, 1, 1, 0, 0, 0)  # the earliest time a zip entry can hold


@cache
def manifest_schema() -> dict[str, Any]:
    return json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))


def _short_description(values: TeamsValues) -> str:
    text = values.app_description
    return text if len(text) <= DESCRIPTION_SHORT_MAX else text[: DESCRIPTION_SHORT_MAX - 3].rstrip() + "..."


def valid_domains(values: TeamsValues) -> list[str]:
    """The ServiceNow instance host first, then configured extras, without repeats."""
    domains: list[str] = []
    for domain in (values.instance_host, *values.extra_valid_domains):
        if domain.lower() not in (d.lower() for d in domains):
            domains.append(domain)
    return domains


def manifest_text(values: TeamsValues) -> str:
    """manifest.json for `values`, validated; raises BadInputError when it would be invalid."""
    require_artifact_values(values)
    text = render(
        "manifest.json.j2",
        v=values,
        schema_url=SCHEMA_URL,
        manifest_version=MANIFEST_VERSION,
        description_short=_short_description(values),
        color_icon=COLOR_ICON,
        outline_icon=OUTLINE_ICON,
        valid_domains=valid_domains(values),
    )
    check_manifest(json.loads(text))
    return text


def check_manifest(manifest: dict[str, Any]) -> None:
    """Validate against the shipped Teams schema; the first error becomes a BadInputError."""
    import jsonschema  # imported here: slow to import, and only package writing needs it

    error = jsonschema.exceptions.best_match(validator().iter_errors(manifest))
    if error is not None:
        where = "/".join(str(p) for p in error.absolute_path) or "(top level)"
        raise BadInputError(
            f"Teams manifest would not validate against schema v{MANIFEST_VERSION}: {where}: {error.message}",
            "fix the tenant's Teams values (docs/teams.md lists where each comes from)",
        )


@cache  # building the validator compiles the schema: once per process, not per tenant
def validator() -> Any:
    """The Teams schema's validator, built once per process."""
    import jsonschema

    return jsonschema.Draft4Validator(manifest_schema())


def _zip_entry(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=ZIP_TIMESTAMP)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.create_system = 3  # unix, so the mode bits below mean the same everywhere
    info.external_attr = 0o100644 << 16
    return info


def package_bytes(values: TeamsValues) -> bytes:
    """The app package zip: manifest.json, color.png and outline.png at the zip's root."""
    entries = {
        "manifest.json": manifest_text(values).encode("utf-8"),
        COLOR_ICON: icons.color_icon(values.accent_color),
        OUTLINE_ICON: icons.outline_icon(),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in entries.items():
            archive.writestr(_zip_entry(name), data, compresslevel=9)
    return buffer.getvalue()
