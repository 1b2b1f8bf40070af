"""`teams-notify sandbox`: run the local ServiceNow instance in the foreground."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import click

from teams_notify.cli.options import json_option

ACCOUNTS = (
    ("basic auth", "admin / admin", "full access"),
    ("basic auth", "readonly / readonly", "reads only; writes get 403"),
    ("basic auth", "integration / Integration-Pa55-sandbox", "full access"),
    ("OAuth client", "sandbox-client / sandbox-secret", "POST /oauth_token.do (client creds, password)"),
)


@click.command(name="sandbox")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port",
    default=8080,
    show_default=True,
    type=click.IntRange(0, 65535),
    help="Port to listen on (0 = a free one).",
)
@click.option(
    "--db",
    "db",
    default="teams-notify-sandbox.db",
    show_default=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="SQLite file holding the instance's data; reuse it to keep data across runs.",
)
@click.option("--quiet", is_flag=True, help="Do not print a line per request.")
@json_option("Print URL, database and accounts as one JSON line.")
def command(host: str, port: int, db: Path, quiet: bool, as_json: bool) -> None:
    """Run a local ServiceNow instance (Table, Attachment and OAuth token APIs) until Ctrl+C.

    It serves every table the stacks write, their sys_db_object / sys_dictionary / sys_choice
    rows, and fault injection under /__sandbox__/ (see docs/sandbox.md). The accounts are
    fixed demo credentials, not secrets.
    """
    from teams_notify.sandbox import Sandbox

    log = None if quiet or as_json else click.echo
    with Sandbox(db_path=db, port=port, host=host, log_requests=log) as sb:
        if as_json:
            accounts = [{"kind": k, "credentials": c, "access": a} for k, c, a in ACCOUNTS]
            click.echo(json.dumps({"url": sb.url, "db": str(sb.db_path), "accounts": accounts}), nl=True)
        else:
            click.echo(f"ServiceNow sandbox at {sb.url}  (data: {sb.db_path})")
            for kind, credentials, access in ACCOUNTS:
                click.echo(f"  {kind:<13} {credentials:<40} {access}")
            click.echo("Ctrl+C stops it.")
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            click.echo("stopped", err=True)
