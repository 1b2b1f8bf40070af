"""`teams-notify doctor`: prove the certificate OAuth chain of one tenant end to end."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING

import click

from teams_notify.cli.options import json_option, tenant_option
from teams_notify.errors import CheckFailedError

if TYPE_CHECKING:
    from teams_notify.doctor import DoctorReport

STATUS_STYLE = {"pass": "green", "fail": "bold red", "warn": "yellow", "skip": "dim"}


def print_table(report: DoctorReport) -> None:
    """One row per check: status, name, cause and (when something is wrong) the fix."""
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"teams-notify doctor: {report.tenant} ({report.instance_url} -> {report.authority})")
    table.add_column("status", no_wrap=True)
    table.add_column("check", no_wrap=True)
    table.add_column("what was found / fix", overflow="fold")
    for check in report.checks:
        text = check.cause if check.status == "pass" or not check.fix else f"{check.cause}\nfix: {check.fix}"
        table.add_row(f"[{STATUS_STYLE[check.status]}]{check.status}[/]", check.name, text)
    Console(soft_wrap=False).print(table)


@click.command(name="doctor")
@tenant_option()
@click.option(
    "--authority-host",
    default=None,
    help="Entra host [env TEAMS_NOTIFY_AUTHORITY_HOST; default https://login.microsoftonline.com]",
)
@click.option(
    "--graph-url",
    default=None,
    help="Graph base URL [env TEAMS_NOTIFY_GRAPH_URL; default https://graph.microsoft.com]",
)
@click.option(
    "--key-from-instance",
    is_flag=True,
    help="sign with the key in the JKS attached on the instance instead of the local bundle",
)
@click.option(
    "--wait",
    "wait_seconds",
    default=60.0,
    show_default=True,
    type=click.FloatRange(min=0),
    help="seconds to keep retrying while Entra may still be replicating a new app, certificate or grant",
)
@json_option()
def command(
    tenant_file: Path,
    authority_host: str | None,
    graph_url: str | None,
    key_from_instance: bool,
    wait_seconds: float,
    as_json: bool,
) -> None:
    """Read the tenant's records on the instance, rebuild the client assertion ServiceNow will
    send, exchange it at Entra with msal, check the Graph roles and the service user, and name
    each broken link with its fix (docs/doctor.md).

    ServiceNow credentials come from SERVICENOW_USERNAME/SERVICENOW_PASSWORD (or SERVICENOW_TOKEN,
    or SERVICENOW_CLIENT_ID/_SECRET); the instance from SERVICENOW_INSTANCE_URL, else the tenant
    file. The keystore password from TEAMS_NOTIFY_STORE_PASSWORD or TF_VAR_keystore_password_<key>,
    else a prompt. TLS trust from SSL_CERT_FILE / REQUESTS_CA_BUNDLE. Exit 0 when nothing fails,
    1 when a check fails, 2 for bad input."""
    from teams_notify.config import load_tenant
    from teams_notify.doctor import DoctorOptions, endpoints_from, run_doctor

    tenant = load_tenant(tenant_file)
    options = DoctorOptions(
        endpoints=endpoints_from(authority_host, graph_url, os.environ),
        key_from_instance=key_from_instance,
        wait_seconds=wait_seconds,
    )

    def progress(message: str) -> None:
        click.secho(f"doctor: {message}", err=True, dim=True)

    report = run_doctor(tenant, options, progress)
    if as_json:
        click.echo(json.dumps(report.to_json()))
    else:
        print_table(report)
    if not report.ok:
        names = ", ".join(c.name for c in report.failures)
        raise CheckFailedError(
            f"{len(report.failures)} check(s) failed: {names}", "follow the fix of each failed check above"
        )
