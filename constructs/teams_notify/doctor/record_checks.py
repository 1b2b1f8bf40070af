"""Check 1: the records exist and point at each other the way ServiceNow follows them.

Each function looks at one step's records in the snapshot and returns one `Check`; a record
that could not be reached because an earlier link is broken is a `skip` naming that link.
"""

from __future__ import annotations

from pathlib import Path

from teams_notify.catalog import OIDC_CONFIG_NAME, TEAMS_SPOKE_ALIAS_ID
from teams_notify.certs import JksEntry, parse_jks
from teams_notify.config import TenantConfig
from teams_notify.doctor.outcome import Check, first_problem, skipped
from teams_notify.doctor.snapshot import READS, Row, Snapshot
from teams_notify.errors import BadInputError
from teams_notify.schema_check import Expected, Finding
from teams_notify.stacks.servicenow.fields import InstanceNames

TRUE = "true"
Problems = list[tuple[str, str]]


def apply_fix(tenant: TenantConfig) -> str:
    """The usual repair: let the ServiceNow stack put its records back."""
    return f"run `terraform apply` in the {tenant.servicenow_stack} stack folder (or `cdktf deploy`)"


def expected_names(tenant: TenantConfig) -> list[Expected]:
    """The tables and columns the doctor reads, under the tenant's names (for the schema check)."""
    expected = []
    for table_key, column_keys in READS.items():
        table = tenant.table(table_key)
        expected.append(Expected(table_key, table))
        expected += [Expected(table_key, table, key, tenant.column(table_key, key)) for key in column_keys]
    return expected


def names_check(findings: list[Finding] | None, tenant: TenantConfig) -> Check:
    """Every table and column the records are read under exists on the instance."""
    name = "names"
    if findings is None:
        return skipped(
            name, "could not read sys_db_object/sys_dictionary (no read access): names not checked"
        )
    missing = [f.expected for f in findings if not f.present]
    problems = [
        (f"{e.kind} {e.label} (catalog key {e.config_key}) is not on the instance", e.fix(str(tenant.source)))
        for e in missing
    ]
    return first_problem(name, problems, f"all {len(findings)} tables and columns read are on the instance")


def _flag(row: Row, column_key: str, problems: Problems, fix: str) -> None:
    if row[column_key] != TRUE:
        problems.append((f"{row.describe()}: {row.label(column_key)} is {row[column_key]!r}, not true", fix))


def _equals(row: Row, column_key: str, wanted: str, problems: Problems, fix: str) -> None:
    """The column holds `wanted` (a catalog choice key is compared as the instance stores it)."""
    tenant, table_key = row.tenant, row.table_key
    names = InstanceNames.resolve((table_key,), tenant.table, tenant.column, tenant.choice)
    wanted = names.row(table_key, **{column_key: wanted})[names.column(table_key, column_key)]
    if row[column_key] != wanted:
        problems.append(
            (f"{row.describe()}: {row.label(column_key)} is {row[column_key]!r}, not {wanted!r}", fix)
        )


def _missing(what: str, row: Row | None, column_key: str) -> str:
    """Why a linked record is absent: the reference is empty, or names a record that is gone."""
    if row is None:
        return f"no {what}"
    value = row[column_key]
    if not value:
        return f"{row.describe()}: {row.label(column_key)} is empty (no {what})"
    return f"{row.describe()}: {row.label(column_key)} points at {value}, which does not exist"


def instance_jks(snap: Snapshot) -> JksEntry:
    """The private-key entry of the keystore attached on the instance (certificate only, no password)."""
    jks = snap.jks
    if jks is None or snap.keystore is None:
        raise BadInputError("the instance's keystore has no single .jks attachment")
    source = Path(f"{snap.instance_url} {snap.keystore.table} attachment {jks.file_name}")
    return parse_jks(jks.content, source, None)


def teams_config_check(snap: Snapshot, tenant: TenantConfig) -> Check:
    name = "Teams configuration"
    table = tenant.table("teams_config")
    count = len(snap.teams_configs)
    if count != 1:
        return first_problem(
            name,
            [
                (
                    f"{count} records in {table} match "
                    f"{tenant.servicenow.teams_config_query!r}, expected one",
                    "install/activate Notify's Microsoft Teams plugin, or set servicenow.teams_config_query "
                    f"in {tenant.source} to select the one record",
                )
            ],
            "",
        )
    config = snap.teams_config
    assert config is not None
    fix = apply_fix(tenant)
    problems: Problems = []
    _flag(config, "active", problems, fix)
    alias = config["credential_alias"]
    if alias != TEAMS_SPOKE_ALIAS_ID:
        problems.append(
            (
                f"{config.label('credential_alias')} is {alias!r}, not the Teams spoke's alias "
                f"{TEAMS_SPOKE_ALIAS_ID!r} our credential is on",
                f"set it to {TEAMS_SPOKE_ALIAS_ID}: {fix}",
            )
        )
    elif snap.alias is None:
        problems.append(
            (f"no sys_alias with id {alias!r} on the instance", "install the Microsoft Teams spoke")
        )
    if snap.registry is None:
        problems.append((_missing("app registry", config, "application_registry"), fix))
    if snap.credential is None:
        problems.append((_missing("requester credential", config, "requester"), fix))
    return first_problem(name, problems, f"{table} is active and links the app registry and credential")


def registry_check(snap: Snapshot, tenant: TenantConfig) -> Check:
    name = "app registry"
    reg = snap.registry
    if reg is None:
        return skipped(name, "not reached: the Teams configuration names no app registry")
    fix = apply_fix(tenant)
    problems: Problems = []
    _flag(reg, "active", problems, fix)
    _equals(reg, "default_grant_type", "client_credentials", problems, fix)
    _equals(reg, "send_client_credentials_as", "private_key_jwt", problems, fix)
    if not reg["client_id"]:
        problems.append((f"{reg.describe()}: {reg.label('client_id')} is empty", fix))
    if snap.provider is None or reg["jwt_provider"] != snap.provider.sys_id:
        problems.append((_missing("JWT provider", reg, "jwt_provider"), fix))
    return first_problem(
        name, problems, f"{reg.describe()}: client credentials, private-key JWT, client id {reg['client_id']}"
    )


def credential_check(snap: Snapshot, tenant: TenantConfig) -> Check:
    name = "credential"
    cred = snap.credential
    if cred is None:
        return skipped(name, "not reached: the Teams configuration names no requester credential")
    fix = apply_fix(tenant)
    problems: Problems = []
    _flag(cred, "active", problems, fix)
    if snap.profile is None:
        problems.append((_missing("OAuth profile", cred, "oauth_entity_profile"), fix))
    elif snap.registry is not None and snap.profile["oauth_entity"] != snap.registry.sys_id:
        problems.append((f"{cred.describe()}: its OAuth profile belongs to another app registry", fix))
    if snap.alias is not None and snap.alias.sys_id not in cred["credential_alias"].split(","):
        problems.append(
            (
                f"{cred.describe()} is not on the credential alias {snap.alias['id']!r} the Teams "
                "configuration uses",
                fix,
            )
        )
    return first_problem(
        name, problems, f"{cred.describe()} is active, on the Teams alias, with the registry's profile"
    )


def provider_check(snap: Snapshot, tenant: TenantConfig) -> Check:
    name = "JWT provider"
    prov = snap.provider
    if prov is None:
        return skipped(name, "not reached: the app registry names no JWT provider")
    fix = apply_fix(tenant)
    problems: Problems = []
    if not prov["expiry_interval"].isdigit() or int(prov["expiry_interval"]) <= 0:
        problems.append(
            (f"{prov.describe()}: {prov.label('expiry_interval')} is {prov['expiry_interval']!r}", fix)
        )
    if snap.jwt_key is None:
        problems.append((_missing("JWT key", prov, "jwt_keystore_alias"), fix))
    missing = [c for c in ("aud", "iss", "sub", "x5t") if c not in snap.claims]
    if missing:
        problems.append((f"{prov.describe()} has no claim(s) {', '.join(missing)}", fix))
    return first_problem(
        name, problems, f"{prov.describe()}: claims aud, iss, sub, x5t; expiry {prov['expiry_interval']} s"
    )


def jwt_key_check(snap: Snapshot, tenant: TenantConfig) -> Check:
    name = "JWT key"
    key = snap.jwt_key
    if key is None:
        return skipped(name, "not reached: the JWT provider names no JWT key")
    fix = apply_fix(tenant)
    problems: Problems = []
    _flag(key, "active", problems, fix)
    _equals(key, "signing_algorithm", "rsa_256", problems, fix)
    _flag(key, "include_x5t", problems, fix)
    if snap.keystore is None:
        problems.append((_missing("keystore", key, "signing_keystore"), fix))
    return first_problem(name, problems, f"{key.describe()}: RS256, x5t in the header, on its keystore")


def keystore_check(snap: Snapshot, tenant: TenantConfig) -> Check:
    name = "keystore"
    store = snap.keystore
    if store is None:
        return skipped(name, "not reached: the JWT key names no keystore")
    fix = apply_fix(tenant)
    problems: Problems = []
    _flag(store, "active", problems, fix)
    _equals(store, "type", "key_store", problems, fix)
    count = len(snap.jks_files)
    if count != 1:
        problems.append((f"{store.describe()} has {count} .jks attachments, expected one", fix))
    else:
        try:
            entry = instance_jks(snap)
        except BadInputError as err:
            problems.append((err.cause, fix))
        else:
            return first_problem(
                name,
                problems,
                f"{store.describe()} with {snap.jks_files[0].file_name} (entry {entry.alias!r})",
            )
    return first_problem(name, problems, "")


def oidc_check(snap: Snapshot, tenant: TenantConfig) -> Check:
    name = "OIDC registry"
    fix = apply_fix(tenant)
    if len(snap.oidc_configs) != 1:
        count = len(snap.oidc_configs)
        return first_problem(
            name, [(f"{count} OIDC configurations named {OIDC_CONFIG_NAME!r}, expected one", fix)], ""
        )
    config = snap.oidc_configs[0]
    linked = [e for e in snap.oidc_entities if e["oidc_provider_configuration"] == config.sys_id]
    if not linked:
        client = snap.registry["client_id"] if snap.registry else "(unknown)"
        return first_problem(
            name, [(f"no OIDC registry with client id {client} uses {config.describe()}", fix)], ""
        )
    problems: Problems = []
    _flag(linked[0], "active", problems, fix)
    return first_problem(name, problems, f"{linked[0].describe()} uses {config.describe()}")


def selector_check(snap: Snapshot, tenant: TenantConfig) -> Check:
    name = "provider selector"
    fix = apply_fix(tenant)
    sel = tenant.servicenow.selector
    if len(snap.selectors) != 1:
        count = len(snap.selectors)
        return first_problem(
            name, [(f"{count} provider selectors named {sel.name!r}, expected one", fix)], ""
        )
    selector = snap.selectors[0]
    problems: Problems = []
    _flag(selector, "active", problems, fix)
    if not any(c["conference_provider"] == sel.conference_provider for c in snap.selector_choices):
        problems.append((f"{selector.describe()} has no choice for {sel.conference_provider!r}", fix))
    return first_problem(name, problems, f"{selector.describe()} routes to {sel.conference_provider!r}")


def record_checks(snap: Snapshot, tenant: TenantConfig) -> list[Check]:
    """Check 1, in the order ServiceNow follows the links."""
    return [
        teams_config_check(snap, tenant),
        registry_check(snap, tenant),
        credential_check(snap, tenant),
        provider_check(snap, tenant),
        jwt_key_check(snap, tenant),
        keystore_check(snap, tenant),
        oidc_check(snap, tenant),
        selector_check(snap, tenant),
    ]
