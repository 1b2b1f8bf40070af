"""Tenant configuration: `tenants/<name>.toml`, validated into `TenantConfig`.

One file per tenant. Unknown keys are rejected, shapes are checked (GUID, https URL, UPN),
and relative paths are resolved against the file's folder. Secrets never live here: the
stacks read them from sensitive Terraform variables fed by `TF_VAR_...` environment
variables (see docs/config.md). Every error names the file and the key.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)
from terraform_provider_servicenow import __version__ as PROVIDER_PACKAGE_VERSION
from terraform_provider_servicenow.exceptions import ServiceNowError
from terraform_provider_servicenow.version_constraints import check_constraint

from teams_notify.catalog import TABLES
from teams_notify.errors import BadInputError
from teams_notify.files import parse_input
from teams_notify.shapes import GUID_RE, IDENT_RE
from teams_notify.teams.settings import TeamsSettings

UPN_RE = re.compile(r"^[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+\Z")
DOMAIN_RE = re.compile(r"^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+\Z")
CHOICE_VALUE_RE = re.compile(r"^[A-Za-z0-9_.:/-]{1,100}\Z")
NAME_RE = re.compile(r"^[a-z][a-z0-9-]{0,38}[a-z0-9]\Z")
SECRET_KEY_RE = re.compile(r"(password|secret|private_key|token)$", re.IGNORECASE)
DEFAULT_PROVIDER_SOURCE = "terraform.local/teams-notify/servicenow"
DEFAULT_PROVIDER_VERSION = PROVIDER_PACKAGE_VERSION  # the provider this package ships


class ConfigValueError(ValueError):
    """A rejected value with the fix to show (pydantic keeps the exception in the error's ctx)."""

    def __init__(self, message: str, fix: str) -> None:
        super().__init__(message)
        self.fix = fix


def _shaped(pattern: re.Pattern[str], what: str, fix: str, *, lower: bool = False) -> AfterValidator:
    """A validator: the value must match `pattern`, else "not <what>: '<value>'" with `fix`."""

    def check(value: str) -> str:
        if not pattern.match(value):
            raise ConfigValueError(f"not {what}: {value!r}", fix)
        return value.lower() if lower else value

    return AfterValidator(check)


def _https(value: str) -> str:
    # \Z, not $: `$` also matches before a final newline. The path takes printable ASCII only.
    if not re.match(r"^https://[A-Za-z0-9.-]+(:\d{1,5})?(/[!-~]*)?\Z", value):
        raise ConfigValueError(
            f"not an https:// URL: {value!r}",
            "use https://... (plain http:// only for the local sandbox on 127.0.0.1 or localhost)",
        )
    return _port_checked(value.rstrip("/"))


def _http_or_https(value: str) -> str:
    # The local sandbox speaks plain http on loopback; everything else must be https.
    if re.match(r"^http://(127\.0\.0\.1|localhost)(:\d{1,5})?/?\Z", value):
        return _port_checked(value.rstrip("/"))
    return _https(value)


def _port_checked(url: str) -> str:
    """Five digits are not yet a port: 1-65535 (urlsplit raises on anything else)."""
    try:
        port = urlsplit(url).port
    except ValueError:
        port = 0
    if port == 0:
        raise ConfigValueError(f"the port of {url!r} is not 1-65535", "give a port from 1 to 65535, or none")
    return url


Guid = Annotated[
    str,
    _shaped(
        GUID_RE,
        "a GUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)",
        "copy the id from the Azure portal (Entra ID > Overview, or the object's Overview page)",
        lower=True,
    ),
]
HttpsUrl = Annotated[str, AfterValidator(_https)]
InstanceUrl = Annotated[str, AfterValidator(_http_or_https)]


def _version_constraint(value: str) -> str:
    try:
        return check_constraint(value)
    except ServiceNowError as err:
        raise ConfigValueError(err.summary, err.detail) from None


VersionConstraint = Annotated[str, AfterValidator(_version_constraint)]
Upn = Annotated[
    str,
    _shaped(
        UPN_RE,
        "a user principal name (user@domain)",
        "write the user's sign-in name, e.g. sn-notify@contoso.onmicrosoft.com",
    ),
]
Domain = Annotated[
    str,
    _shaped(
        DOMAIN_RE, "a domain name", "write the tenant's domain, e.g. contoso.onmicrosoft.com", lower=True
    ),
]
Identifier = Annotated[
    str,
    _shaped(
        IDENT_RE,
        "a ServiceNow table/column name",
        "write the name as in sys_dictionary (letters, digits, _ and .), e.g. x_acme_config",
    ),
]
TenantName = Annotated[
    str,
    _shaped(
        NAME_RE,
        "a tenant name (2-40 of a-z, 0-9 and -, starting with a letter)",
        'rename the file or set name = "..."; it names the stacks <name>-entra and <name>-servicenow',
    ),
]


class Strict(BaseModel):
    """Base for every config section: unknown keys are errors, values are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class CertificateConfig(Strict):
    """One certificate bundle (the output of `teams-notify cert new|import`)."""

    key: str = Field(pattern=r"^[a-z][a-z0-9_]{0,30}\z", description="short id used in resource names")
    dir: Path
    name: str = Field(min_length=1)
    active: bool = False
    jks_alias: str | None = None
    # "file": terraform reads the .jks at plan/apply (relative path from the stack folder);
    # "variable": the JKS comes base64-encoded in a sensitive variable, for runs where the file
    # is not there, e.g. Terraform Cloud remote execution (docs/constructs.md, "Where the JKS").
    jks_upload: Literal["file", "variable"] = "file"
    poc: bool = False  # generate a throwaway self-signed bundle into `dir` when missing

    @property
    def crt(self) -> Path:
        return self.dir / f"{self.name}.crt"

    @property
    def key_file(self) -> Path:
        return self.dir / f"{self.name}.key"

    @property
    def jks(self) -> Path:
        return self.dir / f"{self.name}.jks"


class ServiceUserConfig(Strict):
    """The Microsoft 365 user that places calls: created by the Entra stack, or an existing one."""

    upn: Upn
    display_name: str = "ServiceNow Notify service user"
    create: bool = True
    object_id: Guid | None = None

    @model_validator(mode="after")
    def _existing_needs_id(self) -> ServiceUserConfig:
        if not self.create and self.object_id is None:
            raise ValueError("create = false needs object_id (the existing user's Entra object id)")
        return self


class BotConfig(Strict):
    """Optional Azure Bot with the Teams channel and calling (azurerm, off by default)."""

    enabled: bool = False
    name: str = ""
    resource_group_name: str = ""
    subscription_id: Guid | None = None
    sku: Literal["F0", "S1"] = "F0"
    calling_web_hook: HttpsUrl | None = None

    @model_validator(mode="after")
    def _enabled_needs_fields(self) -> BotConfig:
        if self.enabled:
            missing = [k for k in ("name", "resource_group_name") if not getattr(self, k)]
            missing += [k for k in ("subscription_id", "calling_web_hook") if getattr(self, k) is None]
            if missing:
                raise ValueError(f"enabled = true needs {', '.join(missing)}")
        return self


class EntraConfig(Strict):
    """How the ServiceNow stack gets the Entra stack's values (see docs/constructs.md)."""

    handoff: Literal["variables", "remote_state"] = "variables"
    client_id: Guid | None = None  # known client id when the Azure team runs its half separately
    service_user_object_id: Guid | None = None


class LocalBackendConfig(Strict):
    type: Literal["local"] = "local"


class CloudBackendConfig(Strict):
    """Terraform Cloud / Enterprise: one workspace per stack, named by `workspace_pattern`.

    Placeholders in `workspace_pattern`, `project` and `tags`: {tenant}, {side} (entra or
    servicenow) and {stack} (= {tenant}-{side}). The cloud block selects the workspace by name
    (and creates it in `project` if missing); Terraform forbids tags beside a name there, so `tags`
    go to the stack summary and are applied through the API (docs/terraform-cloud.md).
    """

    type: Literal["cloud"]
    organization: str = Field(min_length=1)
    hostname: str = "app.terraform.io"
    workspace_pattern: str = "teams-notify-{stack}"
    project: str | None = Field(default=None, min_length=1)
    tags: list[str] = []

    @model_validator(mode="after")
    def _pattern_has_stack(self) -> CloudBackendConfig:
        pattern = self.workspace_pattern
        if "{stack}" not in pattern and not ("{tenant}" in pattern and "{side}" in pattern):
            raise ValueError(
                "workspace_pattern must contain {stack} (or {tenant} and {side}) so every stack gets "
                "its own workspace"
            )
        if not WORKSPACE_NAME_RE.match(_expand(pattern, "workspace_pattern", "t", "entra")):
            raise ValueError("workspace_pattern may hold only letters, digits, - and _ besides placeholders")
        project = None if self.project is None else _expand(self.project, "project", "t", "entra")
        if project is not None and not PROJECT_NAME_RE.match(project):
            raise ValueError("project may hold only letters, digits, spaces, - and _ besides placeholders")
        for tag in self.tags:
            if not TAG_RE.match(_expand(tag, "tags", "t", "entra")):
                raise ValueError(f"tag {tag!r}: lowercase letters, digits, -, _ and : only (Terraform Cloud)")
        return self

    def workspace(self, tenant: str, side: str) -> str:
        return _expand(self.workspace_pattern, "workspace_pattern", tenant, side)

    def project_for(self, tenant: str, side: str) -> str | None:
        return None if self.project is None else _expand(self.project, "project", tenant, side)

    def tags_for(self, tenant: str, side: str) -> list[str]:
        return [_expand(tag, "tags", tenant, side) for tag in self.tags]


WORKSPACE_NAME_RE = re.compile(r"^[A-Za-z0-9_-]{1,90}\Z")
PROJECT_NAME_RE = re.compile(r"^[A-Za-z0-9 _-]{1,40}\Z")
TAG_RE = re.compile(r"^[a-z0-9_:-]{1,255}\Z")


def _expand(pattern: str, key: str, tenant: str, side: str) -> str:
    """Fill {tenant}, {side} and {stack} into a backend name pattern."""
    try:
        return pattern.format(tenant=tenant, side=side, stack=f"{tenant}-{side}")
    except (KeyError, IndexError, ValueError) as err:
        placeholders = "{tenant}, {side} and {stack}"
        raise ValueError(f"{key} {pattern!r}: only {placeholders} may appear in braces") from err


class AzurermBackendConfig(Strict):
    """Azure Storage blob state: one blob per stack, named by `key_pattern`."""

    type: Literal["azurerm"]
    resource_group_name: str = Field(min_length=1)
    storage_account_name: str = Field(pattern=r"^[a-z0-9]{3,24}\z")
    container_name: str = Field(min_length=3)
    key_pattern: str = "teams-notify/{stack}.tfstate"
    use_azuread_auth: bool = True

    @model_validator(mode="after")
    def _pattern_has_stack(self) -> AzurermBackendConfig:
        if "{stack}" not in self.key_pattern:
            raise ValueError("key_pattern must contain {stack} so every stack gets its own state")
        return self


BackendConfig = Annotated[
    LocalBackendConfig | CloudBackendConfig | AzurermBackendConfig, Field(discriminator="type")
]


class SelectorConfig(Strict):
    """The Notify provider selector entry for Teams (article step 8)."""

    name: str = "Microsoft Teams"
    order: int = Field(default=100, ge=0, le=2**31 - 1)  # a ServiceNow integer column
    table: str = "notify_call"
    condition: str = ""
    catch_all: bool = False
    manual_selection: bool = True
    conference_provider: str = "Microsoft Teams"


def _exact_match_value(value: str | None) -> str | None:
    """A value we look a record up by: the provider's exact-match rules (no `^`, no line break,
    short enough for a URL), so config can never widen the query into someone else's record."""
    from terraform_provider_servicenow.exceptions import ConfigError
    from terraform_provider_servicenow.normalize import check_match_value

    if value is not None:
        try:
            check_match_value("name", value)
        except ConfigError as err:
            reason = err.summary.rpartition(" has a value ")[2]
            raise ConfigValueError(
                f"{value[:60]!r} cannot be looked up exactly (it has a value {reason})",
                "write the credential's exact name; encoded-query syntax (^, ^OR, ^NQ) is not allowed here",
            ) from None
    return value


class ServiceNowConfig(Strict):
    instance_url: InstanceUrl
    provider_source: str = DEFAULT_PROVIDER_SOURCE
    # Every required_providers entry needs a version for the CDK CLIs (`cdktf deploy` refuses
    # a stack without one); by default exactly the provider shipped with this package.
    provider_version: VersionConstraint = DEFAULT_PROVIDER_VERSION
    name_prefix: str = Field(default="Teams Notify", min_length=1)
    # Name of an existing OAuth 2.0 credential (looked up exactly); default: the one we create.
    requester: Annotated[str | None, AfterValidator(_exact_match_value)] = Field(default=None, min_length=1)
    connection_url: HttpsUrl = "https://graph.microsoft.com"
    jwt_expiry_seconds: int = Field(default=300, ge=60, le=600)
    # Singleton Teams configuration record to adopt: an encoded query over its table.
    teams_config_query: str = "active=false^ORactive=true"
    selector: SelectorConfig = SelectorConfig()


ChoiceValue = Annotated[
    str,
    _shaped(
        CHOICE_VALUE_RE,
        "a ServiceNow choice value",
        "write the value as in sys_choice (letters, digits and _ . : / -), e.g. private_key_jwt",
    ),
]


class OverridesConfig(Strict):
    """Per-instance names for tables/columns/choice values (keys are the catalog's logical keys)."""

    tables: dict[str, Identifier] = {}
    columns: dict[str, dict[str, Identifier]] = {}
    # [overrides.choices.<table key>.<column key>] <choice key> = "<stored value on this instance>"
    choices: dict[str, dict[str, dict[str, ChoiceValue]]] = {}

    @model_validator(mode="after")
    def _keys_known(self) -> OverridesConfig:
        for table in [*self.tables, *self.columns]:
            if table not in TABLES:
                raise ValueError(f"unknown table key {table!r}; known: {', '.join(sorted(TABLES))}")
        for table, cols in self.columns.items():
            unknown = sorted(set(cols) - set(TABLES[table].columns))
            if unknown:
                known = ", ".join(sorted(TABLES[table].columns))
                raise ValueError(f"unknown column key(s) {unknown} for table {table!r}; known: {known}")
        for table, choice_cols in self.choices.items():
            if table not in TABLES:
                raise ValueError(f"unknown table key {table!r}; known: {', '.join(sorted(TABLES))}")
            for column, values in choice_cols.items():
                catalog_column = TABLES[table].columns.get(column)
                if catalog_column is None or not catalog_column.choices:
                    known = ", ".join(k for k, c in TABLES[table].columns.items() if c.choices)
                    raise ValueError(f"{table}.{column} is not a choice column; choice columns: {known}")
                unknown = sorted(set(values) - set(catalog_column.choice_keys()))
                if unknown:
                    known = ", ".join(catalog_column.choice_keys())
                    raise ValueError(f"unknown choice key(s) {unknown} for {table}.{column}; known: {known}")
        return self


class TenantConfig(Strict):
    """One tenant: everything both stacks need, minus secrets."""

    name: TenantName
    tenant_id: Guid
    domain: Domain
    app_display_name: str = Field(default="ServiceNow Notify for Teams", min_length=1)
    enable_online_meetings: bool = True
    # A horizon longer than any certificate lives (10 years) is a typo, not a policy.
    expiry_horizon_days: int = Field(default=30, ge=0, le=3650)
    service_user: ServiceUserConfig
    servicenow: ServiceNowConfig
    certificates: list[CertificateConfig] = Field(min_length=1, max_length=2)
    entra: EntraConfig = EntraConfig()
    bot: BotConfig = BotConfig()
    backend: BackendConfig = LocalBackendConfig()
    overrides: OverridesConfig = OverridesConfig()
    teams: TeamsSettings = TeamsSettings()  # Teams app package / access policy (docs/teams.md)
    source: Path | None = None  # the file this came from (filled by load_tenant)

    @field_validator("certificates")
    @classmethod
    def _one_active_certificate(cls, certs: list[CertificateConfig]) -> list[CertificateConfig]:
        keys = [c.key for c in certs]
        if len(set(keys)) != len(keys):
            raise ConfigValueError(
                f"certificate keys must be unique: {keys}",
                "give each [[certificates]] entry its own key, e.g. current and next",
            )
        active = [c.key for c in certs if c.active]
        if len(certs) == 1 and not active:
            return [certs[0].model_copy(update={"active": True})]
        if len(active) != 1:
            raise ConfigValueError(
                f"exactly one certificate must have active = true (found {len(active)}: {active})",
                "set active = true on the one the JWT provider signs with and false on the other",
            )
        return certs

    @property
    def active_certificate(self) -> CertificateConfig:
        return next(c for c in self.certificates if c.active)

    @property
    def entra_stack(self) -> str:
        return f"{self.name}-entra"

    @property
    def servicenow_stack(self) -> str:
        return f"{self.name}-servicenow"

    @property
    def stack_names(self) -> list[str]:
        """The tenant's two stacks, Entra first."""
        return [self.entra_stack, self.servicenow_stack]

    def table(self, key: str) -> str:
        """The instance's name for a catalog table (override or default)."""
        return self.overrides.tables.get(key, TABLES[key].name)

    def column(self, table_key: str, column_key: str) -> str:
        """The instance's name for a catalog column (override or default)."""
        override = self.overrides.columns.get(table_key, {}).get(column_key)
        return override or TABLES[table_key].columns[column_key].name

    def choice(self, table_key: str, column_key: str, choice_key: str) -> str:
        """The instance's stored value for a catalog choice (override or default)."""
        override = self.overrides.choices.get(table_key, {}).get(column_key, {}).get(choice_key)
        return override or TABLES[table_key].columns[column_key].choice(choice_key).value


def _error_location(loc: tuple[int | str, ...]) -> str:
    parts: list[str] = []
    for item in loc:
        if isinstance(item, int):
            parts[-1:] = [f"{parts[-1]}[{item}]"] if parts else [f"[{item}]"]
        elif item in ("local", "cloud", "azurerm") and parts and parts[-1] == "backend":
            continue  # discriminated-union branch name, not a key the user wrote
        elif item.startswith("function-after") or item.startswith("function-"):
            continue
        else:
            parts.append(item)
    return ".".join(parts) or "(top level)"


def _secret_keys(data: object, prefix: str = "") -> list[str]:
    """Keys that look like they hold a secret (never allowed in config)."""
    found: list[str] = []
    if isinstance(data, dict):
        for k, v in data.items():
            path = f"{prefix}.{k}" if prefix else str(k)
            if SECRET_KEY_RE.search(str(k)):
                found.append(path)
            found += _secret_keys(v, path)
    elif isinstance(data, list):
        for i, v in enumerate(data):
            found += _secret_keys(v, f"{prefix}[{i}]")
    return found


def parse_tenant(data: dict[str, object], source: Path) -> TenantConfig:
    """Validate already-parsed TOML data; relative paths resolve against `source`'s folder."""
    secrets = _secret_keys(data)
    if secrets:
        raise BadInputError(
            f"{source}: {secrets[0]}: looks like a secret; secrets never go in tenant config",
            "remove it; secrets come from TF_VAR_... environment variables (docs/config.md, secrets)",
        )
    data = {"name": source.stem, **data, "source": str(source)}
    try:
        tenant = TenantConfig.model_validate(data)
    except ValidationError as err:
        where, msg, fix = _explain(err.errors()[0])
        raise BadInputError(f"{source}: {where}: {msg}", fix) from None
    return _resolve_paths(tenant, source.parent)


def _explain(error: Any) -> tuple[str, str, str]:
    """(key, what is wrong, how to fix it) for pydantic's first error, in the file's words."""
    where = _error_location(error["loc"])
    msg = str(error["msg"]).removeprefix("Value error, ")
    fix = getattr((error.get("ctx") or {}).get("error"), "fix", None)
    if error["type"] == "extra_forbidden":
        msg = "unknown key"
        fix = "check the spelling, or remove it; docs/config.md lists every key"
    elif error["type"] == "missing":
        msg = "required key is missing"
        fix = "add it; docs/config.md lists every key"
    return where, msg, fix or "fix the value; docs/config.md lists every key and its shape"


def _resolve_paths(tenant: TenantConfig, base: Path) -> TenantConfig:
    certs = []
    for i, cert in enumerate(tenant.certificates):
        folder = cert.dir if cert.dir.is_absolute() else (base / cert.dir)
        cert = cert.model_copy(update={"dir": folder.resolve()})
        if not cert.poc:
            for label, path in (("crt", cert.crt), ("jks", cert.jks)):
                if not path.is_file():
                    raise BadInputError(
                        f"{tenant.source}: certificates[{i}].dir: {label} file not found: {path}",
                        "create the bundle with `teams-notify cert new` or fix dir/name",
                    )
        certs.append(cert)
    return tenant.model_copy(update={"certificates": certs})


def load_tenant(path: Path) -> TenantConfig:
    """Read and validate one tenant file; raises BadInputError naming the file and key."""
    try:
        data = parse_input(path, "tenant file", tomllib.loads)
    except tomllib.TOMLDecodeError as err:
        raise BadInputError(f"{path}: not valid TOML: {err}", "fix the syntax") from None
    return parse_tenant(data, path)


def load_tenants(directory: Path) -> list[TenantConfig]:
    """Every `*.toml` in `directory`, sorted by file name; tenant names must be unique."""
    if not directory.is_dir():
        raise BadInputError(f"{directory}: tenant folder not found", "give a folder of *.toml files")
    files = sorted(directory.glob("*.toml"))
    if not files:
        raise BadInputError(f"{directory}: no tenant files (*.toml)", "add one; see tenants/example.toml")
    tenants = [load_tenant(f) for f in files]
    seen: dict[str, Path | None] = {}
    for t in tenants:
        if t.name in seen:
            raise BadInputError(
                f"{t.source}: name: tenant name {t.name!r} already used by {seen[t.name]}",
                "give every tenant a unique name",
            )
        seen[t.name] = t.source
    return tenants


def instance_key(url: str) -> str:
    """What identifies a ServiceNow instance in a URL: host (lower case) and port."""
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return f"{(parts.hostname or '').lower()}:{port}"


def check_one_tenant_per_instance(tenants: list[TenantConfig]) -> None:
    """Two tenants on one instance would adopt and overwrite each other's singletons (the Teams
    configuration is one record per instance, and so are the OIDC registry, the credential
    alias and the provider selector we adopt): refused, naming both tenant files."""
    seen: dict[str, TenantConfig] = {}
    for tenant in tenants:
        key = instance_key(tenant.servicenow.instance_url)
        first = seen.setdefault(key, tenant)
        if first is not tenant:
            raise BadInputError(
                f"{tenant.source}: servicenow.instance_url: {tenant.servicenow.instance_url} is also the "
                f"instance of {first.source}; both would take over the one Teams configuration "
                "(and the adopted records) of that instance",
                "one tenant per ServiceNow instance: remove one of the two files, "
                "or point it at its own instance",
            )
