"""The per-tenant runbook (`<tenant>-runbook.md`): the article's 3 prerequisites and 8 steps.

Each item says who does it (`Status`), shows the exact values and links for this tenant,
how to check it, and how to roll it back. Values not known yet (ids that exist only after
the Entra stack is applied) are shown as placeholders saying where they come from, so the
runbook can be written at synth time for every tenant.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import quote

from teams_notify.catalog import OIDC_CONFIG_NAME, TABLES, TEAMS_SPOKE_ALIAS_ID
from teams_notify.graph import GRAPH_APP_ROLES
from teams_notify.teams.markdown import md_code
from teams_notify.teams.templating import render
from teams_notify.teams.values import TeamsValues, check_values, missing_for_artifacts, value_sources


class Status(StrEnum):
    ENTRA_STACK = "done by the Entra stack"
    SERVICENOW_STACK = "done by the ServiceNow stack"
    SCRIPT = "run the generated script"
    MANUAL = "manual"


@dataclass(frozen=True)
class Item:
    key: str  # P1-P3 (certificate prerequisites), 1-8 (configuration steps)
    title: str


ITEMS: tuple[Item, ...] = (
    Item("P1", "Create a certificate entry (Java KeyStore) in ServiceNow"),
    Item("P2", "Create a JWT signing configuration (JWT key) with the x5t thumbprint"),
    Item("P3", "Create a JWT provider with the aud, iss, sub and x5t claims"),
    Item("1", "Create an app in Microsoft Teams to enable making calls"),
    Item("2", "Manage permissions and grant admin consent for the app in Microsoft Entra"),
    Item("3", "Create a service user and an application access policy"),
    Item("4", "Create the Microsoft Teams application registry entry in ServiceNow"),
    Item("5", "Create a connection & credential alias for Microsoft Teams"),
    Item("6", "Update the Microsoft Teams configuration record"),
    Item("7", "Verify the OIDC application registry for the self-configured app"),
    Item("8", "Configure the Notify provider selector"),
)

ENTRA_APP_BLADE = (
    "https://entra.microsoft.com/#view/Microsoft_AAD_RegisteredApps/ApplicationMenuBlade/~/{blade}/appId/{id}"
)
ENTRA_USER_BLADE = "https://entra.microsoft.com/#view/Microsoft_AAD_UsersAndTenants/UserProfileMenuBlade/~/overview/userId/{id}"
OIDC_NAME_COLUMN = TABLES["oidc_config"].columns["name"].name
TEAMS_MANAGE_APPS = "https://admin.teams.microsoft.com/policies/manage-apps"


def statuses(values: TeamsValues) -> dict[str, Status]:
    """Who does each of the 11 items for this tenant, keyed by item key."""
    servicenow = Status.SERVICENOW_STACK if values.servicenow_stack else Status.MANUAL
    entra = Status.ENTRA_STACK if values.entra_stack else Status.MANUAL
    result = {item.key: servicenow for item in ITEMS}
    # No Terraform resource uploads a Teams app package or sets a Teams access policy.
    result["1"] = Status.MANUAL
    result["2"] = entra
    result["3"] = Status.SCRIPT
    return result


def table_name(values: TeamsValues, key: str) -> str:
    return values.tables.get(key, TABLES[key].name)


def list_link(values: TeamsValues, key: str, query: str | None = None) -> str:
    """Link to a table's list view on the instance, filtered by an encoded query if given."""
    url = f"{values.instance_url.rstrip('/')}/{table_name(values, key)}_list.do"
    return f"{url}?sysparm_query={quote(query, safe='')}" if query else url


def record_link(values: TeamsValues, key: str) -> str:
    """List link filtered to the records the stack writes (their names share a prefix).

    A `^` in the prefix would split the encoded query and widen the filter (DESIGN pitfall 5):
    such a prefix gets the unfiltered list instead.
    """
    prefix = values.name_prefix
    if not prefix or "^" in prefix:
        return list_link(values, key)
    return list_link(values, key, f"nameSTARTSWITH{prefix}")


def _known(values: TeamsValues, name: str) -> str:
    """A value as Markdown code, or an italic placeholder saying where it comes from."""
    value = getattr(values, name)
    if value is not None:
        return md_code(value)
    return f"*unknown yet: {value_sources(values)[name]}*"


def _short(values: TeamsValues, name: str) -> str:
    """A value as Markdown code, or a short placeholder pointing at the Values section."""
    value = getattr(values, name)
    if value is not None:
        return md_code(value)
    return f"*{name.replace('_', ' ')} (unknown yet, see Values)*"


def _links(values: TeamsValues) -> dict[str, str]:
    links = {
        "certificate": record_link(values, "certificate"),
        "jwt_key": record_link(values, "jwt_key"),
        "jwt_provider": record_link(values, "jwt_provider"),
        "jwt_claim": list_link(values, "jwt_claim"),
        "oauth_entity": record_link(values, "oauth_entity"),
        "oauth_profile": list_link(values, "oauth_profile"),
        "credential": record_link(values, "credential"),
        "alias": list_link(values, "alias", f"id={TEAMS_SPOKE_ALIAS_ID}"),
        "connection": record_link(values, "connection"),
        "teams_config": list_link(values, "teams_config"),
        "oidc_entity": record_link(values, "oidc_entity"),
        "oidc_config": list_link(values, "oidc_config", f"{OIDC_NAME_COLUMN}={OIDC_CONFIG_NAME}"),
        "selector": list_link(values, "selector"),
        "token_cache": f"{values.instance_url.rstrip('/')}/oauth_credential_list.do",
        "teams_admin": TEAMS_MANAGE_APPS,
    }
    if values.client_id:
        for blade, label in (("Overview", "app"), ("CallAnAPI", "api_permissions"), ("Credentials", "certs")):
            links[f"entra_{label}"] = ENTRA_APP_BLADE.format(blade=blade, id=values.client_id)
    if values.client_id and values.tenant_id:
        links["admin_consent"] = (
            f"https://login.microsoftonline.com/{values.tenant_id}/adminconsent?client_id={values.client_id}"
        )
    if values.service_user_object_id:
        links["service_user"] = ENTRA_USER_BLADE.format(id=values.service_user_object_id)
    return links


def runbook_text(values: TeamsValues, artifacts_written: bool = False) -> str:
    """The runbook Markdown. `artifacts_written`: the package and script sit beside it."""
    check_values(values)
    tenant_id = values.tenant_id or "<tenant-id>"
    return render(
        "runbook.md.j2",
        v=values,
        items=ITEMS,
        status=statuses(values),
        known={name: _known(values, name) for name in value_sources(values)},
        ids={name: _short(values, name) for name in value_sources(values)},
        links=_links(values),
        tables={key: table_name(values, key) for key in TABLES},
        graph_roles=tuple(GRAPH_APP_ROLES.items()),
        alias_id=TEAMS_SPOKE_ALIAS_ID,
        oidc_config_name=OIDC_CONFIG_NAME,
        token_url=f"https://login.microsoftonline.com/{tenant_id}/oauth2/v2.0/token",
        oidc_url=f"https://login.microsoftonline.com/{tenant_id}/v2.0/.well-known/openid-configuration",
        artifacts_written=artifacts_written,
        missing=list(missing_for_artifacts(values)),
        files={
            "package": f"{values.tenant}-teams-app.zip",
            "script": f"{values.tenant}-access-policy.ps1",
        },
    )
