"""`teams-notify schema check`: are the tables/columns/choice values the tenant's ServiceNow stack
writes present on the target instance? (A real instance silently ignores unknown columns.)"""

from __future__ import annotations

import json
from pathlib import Path

import click

from teams_notify.cli.options import json_option, tenant_option
from teams_notify.errors import CheckFailedError


@click.group(name="schema")
def group() -> None:
    """Check ServiceNow table and column names against an instance."""


@group.command(name="check")
@tenant_option("tenant file (tenants/NAME.toml); its overrides are applied")
@click.option("--instance-url", default=None, help="instance to check (default: servicenow.instance_url)")
@click.option("--all", "show_all", is_flag=True, help="also list the names that are present")
@json_option("print JSON for machines")
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
            f"override the names in {tenant_file} as listed above (docs/config.md, names to verify)",
        )
