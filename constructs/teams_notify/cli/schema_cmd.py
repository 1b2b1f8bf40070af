"""`teams-notify schema check`: are the tables/columns/choice values the tenant's ServiceNow stack
writes present on the target instance? (A real instance silently ignores unknown columns.)
`teams-notify schema discover`: which names does the instance use instead?"""

from __future__ import annotations

import json
from pathlib import Path

import click

from teams_notify.errors import CheckFailedError


@click.group(name="schema")
def group() -> None:
    """Check ServiceNow table and column names against an instance, and discover the right ones."""


@group.command(name="check")
@click.option(
    "--tenant",
    "tenant_file",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="tenant file (tenants/NAME.toml); its overrides are applied",
)
@click.option("--instance-url", default=None, help="instance to check (default: servicenow.instance_url)")
@click.option("--all", "show_all", is_flag=True, help="also list the names that are present")
@click.option("--json", "as_json", is_flag=True, help="print JSON for machines")
def check(tenant_file: Path, instance_url: str | None, show_all: bool, as_json: bool) -> None:
    """Read sys_db_object, sys_dictionary and sys_choice on the instance and report, for every
    table, column and choice value the ServiceNow stack writes, whether it is present.

    Credentials come from SERVICENOW_USERNAME/SERVICENOW_PASSWORD or SERVICENOW_TOKEN (or
    SERVICENOW_CLIENT_ID/SERVICENOW_CLIENT_SECRET). Exit 1 when anything is missing, with the
    config key to override for each problem."""
    from teams_notify.config import load_tenant
    from teams_notify.schema_check import run_check

    tenant = load_tenant(tenant_file)
    url, findings = run_check(tenant, instance_url)
    missing = [f for f in findings if not f.present]
    if as_json:
        items = [f.to_json(str(tenant_file)) for f in findings]
        click.echo(
            json.dumps({"tenant": tenant.name, "instance_url": url, "ok": not missing, "items": items})
        )
    else:
        click.echo(
            f"{url}: {len(findings) - len(missing)} of {len(findings)} names the stack writes are present"
        )
        for finding in findings if show_all else missing:
            e = finding.expected
            if finding.present:
                click.echo(f"present {e.kind} {e.label}")
                continue
            click.secho(f"missing {e.kind} {e.label} (config key {e.config_key})", fg="red")
            click.echo(f"  fix: {e.fix(str(tenant_file))}")
    if missing:
        raise CheckFailedError(
            f"{len(missing)} table/column/choice name(s) missing on {url}",
            f"override the names in {tenant_file} as listed above, or run `teams-notify schema discover` "
            "(docs/config.md, 'ServiceNow names and their evidence')",
        )


@group.command(name="discover")
@click.option(
    "--tenant",
    "tenant_file",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="tenant file (tenants/NAME.toml); its overrides are applied first",
)
@click.option("--instance-url", default=None, help="instance to read (default: servicenow.instance_url)")
@click.option("--write", "write", is_flag=True, help="add the found overrides to the tenant file")
@click.option("--json", "as_json", is_flag=True, help="print JSON for machines")
def discover(tenant_file: Path, instance_url: str | None, write: bool, as_json: bool) -> None:
    """Find the instance's names for every table, column and choice value the ServiceNow stack
    writes but the instance lacks: a table by its scope and label, a column by its label and
    type (a reference also by its target), a choice value by its label. Print them as TOML
    overrides for the tenant file (--write adds them to it, keeping its comments and order).

    Only a single fitting candidate is taken: two columns with the same label are reported as
    ambiguous, never guessed. Credentials as for `schema check`. Exit 1 when anything stayed
    ambiguous or was not found."""
    from teams_notify.config import load_tenant
    from teams_notify.schema_discover import run_discover
    from teams_notify.tenant_overrides import add_overrides, overrides_toml

    tenant = load_tenant(tenant_file)
    discovery = run_discover(tenant, instance_url)
    if write and discovery.found:
        add_overrides(tenant_file, discovery.overrides())
    if as_json:
        report = {
            "tenant": tenant.name,
            "instance_url": discovery.instance_url,
            "ok": discovery.ok,
            "written": write and bool(discovery.found),
            "overrides": discovery.overrides(),
            "found": [{"config_key": f.config_key, "value": f.value, "how": f.how} for f in discovery.found],
            "unresolved": [
                {
                    "config_key": u.config_key,
                    "what": u.what,
                    "reason": u.reason,
                    "ambiguous": u.ambiguous,
                    "candidates": list(u.candidates),
                }
                for u in discovery.unresolved
            ],
        }
        click.echo(json.dumps(report))
    else:
        click.echo(overrides_toml(discovery), nl=False)
        if write and discovery.found:
            click.echo(f"# added {len(discovery.found)} override(s) to {tenant_file}", err=True)
    if not discovery.ok:
        raise CheckFailedError(
            f"{len(discovery.unresolved)} name(s) missing on {discovery.instance_url} could not be settled",
            f"set them by hand in {tenant_file} (see the '# ambiguous' / '# not found' lines above)",
        )
