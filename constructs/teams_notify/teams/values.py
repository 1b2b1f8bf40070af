"""`TeamsValues`: everything the Teams artifacts need, as one plain immutable value.

The artifacts are written in two situations with different knowledge: at synth time (ids
known only when tenant config supplies them) and after the Entra stack is applied (ids
come from its outputs). Both build a `TeamsValues`; nothing below depends on where the
values came from. `check_values` rejects anything the artifacts could not carry safely;
`missing_for_artifacts` says which ids are still unknown and where each one comes from.
"""

from __future__ import annotations

import re
import unicodedata
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from urllib.parse import urlsplit

from teams_notify.errors import BadInputError
from teams_notify.shapes import GUID_RE, IDENT_RE

TENANT_NAME_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}\Z")
HEX_COLOR_RE = re.compile(r"^#[0-9a-fA-F]{6}\Z")
SEMVER_RE = re.compile(r"^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\Z")
INSTANCE_URL_RE = re.compile(r"^https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?/?\Z")
DOMAIN_RE = re.compile(r"^(\*\.)?[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*(:\d+)?\Z")
# Unicode categories no value may contain: control (incl. CR/LF/NUL/NEL), format (bidi
# overrides, zero-width), line/paragraph separators, lone surrogates. Each can break out of
# a quoted literal, a Markdown line, or make a value look different from what it is.
FORBIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs"})

# Limits from the Teams manifest schema (v1.29).
SHORT_NAME_MAX = 30
FULL_NAME_MAX = 100
DEVELOPER_NAME_MAX = 32
DEFAULT_SHORT_NAME = "ServiceNow Notify"
# Namespace for the derived Teams app id: stable per (tenant id, client id), so a re-run
# produces the same package and Teams treats an upload as an update, not a second app.
TEAMS_APP_NAMESPACE = uuid.UUID("7d0f3f0a-4c7e-5b8e-9a52-6b1e0f7c2d41")


@dataclass(frozen=True)
class TeamsValues:
    """The inputs of the Teams app package, access-policy script and runbook.

    Ids that exist only after the Entra stack is applied are `None` until known; the
    runbook renders placeholders for them, the package and script refuse to be written.
    """

    tenant: str  # tenant config name: file names and stack names (`<tenant>-entra`)
    instance_url: str  # ServiceNow instance, e.g. https://acme.service-now.com
    tenant_id: str | None = None  # Entra directory (tenant) id
    client_id: str | None = None  # Entra application (client) id = the bot id
    service_user_object_id: str | None = None  # Entra object id of the calling service user
    service_user_upn: str | None = None
    app_display_name: str = "ServiceNow Notify for Teams"
    app_short_name: str | None = None  # <= 30 chars; default: display name if short enough
    app_description: str = "Places Microsoft Teams calls and online meetings for ServiceNow Notify."
    developer_name: str = "ServiceNow Notify"
    website_url: str | None = None
    privacy_url: str | None = None
    terms_url: str | None = None
    accent_color: str = "#293E40"
    app_version: str = "1.0.0"
    teams_app_id: str | None = None  # default: derived from tenant id + client id
    extra_valid_domains: tuple[str, ...] = ()
    policy_name: str | None = None  # default: servicenow-notify-<tenant>
    grant_global: bool = False  # grant the access policy tenant-wide instead of to the service user
    # Who does which step (drives the runbook's status marks).
    entra_stack: bool = True  # the Entra half is deployed by this project's `<tenant>-entra` stack
    servicenow_stack: bool = True  # the instance half is deployed by `<tenant>-servicenow`
    service_user_created: bool = True  # the Entra stack creates the service user
    bot_enabled: bool = False  # the Entra stack also creates the Azure Bot with the Teams channel
    online_meetings: bool = True
    cert_x5t: str | None = None  # base64url SHA-1 thumbprint of the active certificate
    # Logical catalog table key -> table name on this instance (overrides; default catalog names).
    tables: Mapping[str, str] = field(default_factory=dict)
    # Prefix of the names of the records the ServiceNow stack writes: filters the runbook's links.
    name_prefix: str | None = None

    @property
    def short_name(self) -> str:
        if self.app_short_name:
            return self.app_short_name
        if len(self.app_display_name) <= SHORT_NAME_MAX:
            return self.app_display_name
        return DEFAULT_SHORT_NAME

    @property
    def effective_policy_name(self) -> str:
        return self.policy_name or f"servicenow-notify-{self.tenant}"

    @property
    def effective_teams_app_id(self) -> str | None:
        if self.teams_app_id:
            return self.teams_app_id.lower()
        if self.tenant_id is None or self.client_id is None:
            return None
        return str(uuid.uuid5(TEAMS_APP_NAMESPACE, f"{self.tenant_id.lower()}/{self.client_id.lower()}"))

    @property
    def instance_host(self) -> str:
        return urlsplit(self.instance_url).netloc

    # The stack names TenantConfig.entra_stack / .servicenow_stack give (a test keeps them
    # equal); config cannot be imported here: it imports this package's settings.
    @property
    def entra_stack_name(self) -> str:
        return f"{self.tenant}-entra"

    @property
    def servicenow_stack_name(self) -> str:
        return f"{self.tenant}-servicenow"


def _bad(field_name: str, problem: str, fix: str) -> BadInputError:
    return BadInputError(f"Teams artifacts: {field_name}: {problem}", fix)


def _check_text(name: str, value: str) -> None:
    for ch in value:
        if unicodedata.category(ch) in FORBIDDEN_CATEGORIES:
            raise _bad(
                name,
                f"contains control/format character U+{ord(ch):04X}",
                "remove line breaks, tabs and invisible characters from the value",
            )


def _check_guid(name: str, value: str | None) -> None:
    if value is not None and not GUID_RE.match(value):
        raise _bad(name, f"not a GUID: {value!r}", "use the id as shown in the Entra admin center")


def _check_url(name: str, value: str | None, allow_local_http: bool = False) -> None:
    if value is None:
        return
    parts = urlsplit(value)
    local = parts.hostname in ("127.0.0.1", "localhost")
    scheme_ok = parts.scheme == "https" or (allow_local_http and local and parts.scheme == "http")
    if not scheme_ok or not parts.netloc or " " in value:
        raise _bad(name, f"not an https:// URL: {value!r}", "give a full https:// address")


def _check_length(name: str, value: str, maximum: int) -> None:
    if not value.strip():
        raise _bad(name, "is empty", "give a non-empty value")
    if len(value) > maximum:
        raise _bad(name, f"{len(value)} characters, the Teams limit is {maximum}: {value!r}", "shorten it")


def check_values(values: TeamsValues) -> None:
    """Raise BadInputError for the first value no artifact could carry; ids may be missing."""
    for f in fields(values):
        value = getattr(values, f.name)
        if isinstance(value, str):
            _check_text(f.name, value)
    for key, table in values.tables.items():
        if not IDENT_RE.match(table):
            raise _bad(f"tables[{key}]", f"{table!r} is not a table name", "use the table's internal name")
    for domain in values.extra_valid_domains:
        _check_text("extra_valid_domains", domain)
        if not DOMAIN_RE.match(domain):
            raise _bad("extra_valid_domains", f"not a domain: {domain!r}", "give host names only")
    if not TENANT_NAME_RE.match(values.tenant):
        raise _bad("tenant", f"{values.tenant!r} is not a tenant name", "use lowercase letters, digits, -")
    _check_url("instance_url", values.instance_url, allow_local_http=True)
    if not INSTANCE_URL_RE.match(values.instance_url):
        raise _bad(
            "instance_url",
            f"{values.instance_url!r} is not an instance root URL",
            "give the instance's address only, e.g. https://acme.service-now.com",
        )
    for name in ("tenant_id", "client_id", "service_user_object_id", "teams_app_id"):
        _check_guid(name, getattr(values, name))
    for name in ("website_url", "privacy_url", "terms_url"):
        _check_url(name, getattr(values, name))
    _check_length("app_short_name", values.short_name, SHORT_NAME_MAX)
    _check_length("app_display_name", values.app_display_name, FULL_NAME_MAX)
    _check_length("developer_name", values.developer_name, DEVELOPER_NAME_MAX)
    _check_length("policy_name", values.effective_policy_name, 128)
    if not HEX_COLOR_RE.match(values.accent_color):
        raise _bad("accent_color", f"{values.accent_color!r} is not #rrggbb", "use a colour like #293E40")
    if not SEMVER_RE.match(values.app_version):
        raise _bad("app_version", f"{values.app_version!r} is not x.y.z", "use a version like 1.0.0")


def value_sources(values: TeamsValues) -> dict[str, str]:
    """Where each id comes from, worded for a person holding this tenant's files."""

    def output(name: str) -> str:
        return (
            f"output `{name}` of the `{values.entra_stack_name}` stack (after `cdktf deploy "
            f"{values.entra_stack_name}`: `teams-notify teams runbook --tenant tenants/{values.tenant}.toml`)"
        )

    config = f"`tenants/{values.tenant}.toml`"
    return {
        "tenant_id": f"`tenant_id` in {config} (Entra admin center > Overview > Tenant ID)",
        "client_id": (
            output("client_id") + f", or `entra.client_id` in {config} when the Azure team owns the app"
        ),
        "service_user_object_id": (
            output("service_user_object_id")
            + f", or `service_user.object_id` / `entra.service_user_object_id` in {config}"
        ),
        "website_url": f"`teams.website_url` in {config}",
        "privacy_url": f"`teams.privacy_url` in {config}",
        "terms_url": f"`teams.terms_url` in {config}",
    }


def missing_for_artifacts(values: TeamsValues) -> dict[str, str]:
    """Values the package and script need that are still unknown -> where each comes from."""
    needed = ["tenant_id", "client_id", "website_url", "privacy_url", "terms_url"]
    if not values.grant_global:
        needed.append("service_user_object_id")
    sources = value_sources(values)
    return {name: sources[name] for name in needed if getattr(values, name) is None}


def require_artifact_values(values: TeamsValues) -> None:
    """check_values, plus every id the package and the script need must be known."""
    check_values(values)
    missing = missing_for_artifacts(values)
    if missing:
        names = ", ".join(missing)
        where = "; ".join(f"{name}: {source}" for name, source in missing.items())
        raise BadInputError(f"Teams artifacts for {values.tenant}: unknown {names}", f"set them ({where})")
