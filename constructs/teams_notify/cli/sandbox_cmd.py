"""`teams-notify sandbox`: run the local ServiceNow instance in the foreground;
`teams-notify sandbox entra` / `entra-load`: the local Entra and its state file."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from teams_notify.sandbox.entra import EntraState

ACCOUNTS = (
    ("basic auth", "admin / admin", "full access"),
    ("basic auth", "readonly / readonly", "reads only; writes get 403"),
    ("basic auth", "integration / Integration-Pa55-sandbox", "full access"),
    ("OAuth client", "sandbox-client / sandbox-secret", "POST /oauth_token.do (client creds, password)"),
)


@click.group(name="sandbox", invoke_without_command=True)
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
@click.option("--json", "as_json", is_flag=True, help="Print URL, database and accounts as one JSON line.")
@click.pass_context
def command(ctx: click.Context, host: str, port: int, db: Path, quiet: bool, as_json: bool) -> None:
    """Run a local ServiceNow instance (Table, Attachment and OAuth token APIs) until Ctrl+C.

    It serves every table the stacks write, their sys_db_object / sys_dictionary / sys_choice
    rows, and fault injection under /__sandbox__/ (see docs/sandbox.md). The accounts are
    fixed demo credentials, not secrets. `sandbox entra` runs the local Entra instead.
    """
    if ctx.invoked_subcommand is not None:
        return
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
        _wait_for_ctrl_c()


def _wait_for_ctrl_c() -> None:
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        click.echo("stopped", err=True)


_STATE_OPTION = click.option(
    "--state",
    "state_file",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="JSON state file: tenants, apps, certificates, granted roles, users (docs/sandbox.md).",
)
_STACK_OPTIONS = (
    click.option(
        "--client-id", help="Client id of the loaded app (default: the tenant file's [entra] client_id)."
    ),
    click.option(
        "--service-user-object-id",
        help="Object id of the loaded service user (default: the tenant file's [entra] value).",
    ),
)


def _with_stack_options(func: Callable[..., None]) -> Callable[..., None]:
    for option in reversed(_STACK_OPTIONS):
        func = option(func)
    return func


def _load_stacks(
    state_file: Path, stacks: tuple[Path, ...], client_id: str | None, user_id: str | None, replace: bool
) -> EntraState:
    """The state file's state (empty when it is new or `replace`) with each stack loaded into it."""
    from teams_notify.sandbox.entra import EntraState, load_entra_stack

    state = EntraState.load(state_file) if state_file.exists() and not replace else EntraState()
    for stack in stacks:
        state.merge(load_entra_stack(stack, client_id=client_id, service_user_object_id=user_id))
    state.save(state_file)
    return state


def _describe(state: EntraState) -> list[str]:
    lines = []
    for tenant_id, tenant in state.tenants.items():
        lines.append(f"  tenant {tenant_id} {' '.join(tenant.domains)}".rstrip())
        for app in tenant.apps:
            lines.append(
                f"    app {app.client_id} ({app.display_name}): {len(app.certificates)} certificate(s), "
                f"roles {', '.join(app.granted_roles) or 'none'}"
            )
        lines += [f"    user {u.id} {u.user_principal_name}" for u in tenant.users]
    return lines


@command.command(name="entra-load")
@click.option(
    "--stack",
    "stacks",
    required=True,
    multiple=True,
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    help="A synthesized <tenant>-entra stack folder (repeatable).",
)
@_STATE_OPTION
@_with_stack_options
@click.option("--replace", is_flag=True, help="Start from an empty state instead of adding to the file.")
@click.option(
    "--replication-delay",
    type=click.FloatRange(0),
    help="Seconds before a certificate new to the server is accepted (simulates Entra replication).",
)
def entra_load(
    stacks: tuple[Path, ...],
    state_file: Path,
    client_id: str | None,
    service_user_object_id: str | None,
    replace: bool,
    replication_delay: float | None,
) -> None:
    """Write what synthesized Entra stacks would create into a local Entra state file.

    The azuread provider cannot run offline; this reads each stack's cdk.tf.json instead: the
    tenant, the app registration, its certificate credentials, the Graph roles granted to it
    and the service user. A running `sandbox entra` on the same file picks the change up.
    """
    state = _load_stacks(state_file, stacks, client_id, service_user_object_id, replace)
    if replication_delay is not None:
        state.replication_delay_seconds = replication_delay
        state.save(state_file)
    click.echo(f"wrote {state_file}")
    for line in _describe(state):
        click.echo(line)


@command.command(name="entra")
@_STATE_OPTION
@click.option(
    "--load-stack",
    "stacks",
    multiple=True,
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    help="Load a synthesized <tenant>-entra stack folder into the state file first (repeatable).",
)
@_with_stack_options
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port",
    default=8443,
    show_default=True,
    type=click.IntRange(0, 65535),
    help="Port to listen on (0 = a free one).",
)
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Where the CA, TLS certificate and token signing key are kept [default: <state>-tls/ "
    "beside the state file].",
)
@click.option("--quiet", is_flag=True, help="Do not print a line per request.")
@click.option("--json", "as_json", is_flag=True, help="Print URL, CA file and state file as one JSON line.")
def entra(
    state_file: Path,
    stacks: tuple[Path, ...],
    client_id: str | None,
    service_user_object_id: str | None,
    host: str,
    port: int,
    data_dir: Path | None,
    quiet: bool,
    as_json: bool,
) -> None:
    """Run a local Microsoft Entra ID + Graph over HTTPS until Ctrl+C.

    OpenID discovery and the v2 token endpoint at https://HOST:PORT/<tenant>/..., validating
    certificate client assertions like Entra (real AADSTS errors), and GET /v1.0/users/{id}.
    Clients must trust the printed CA file (REQUESTS_CA_BUNDLE / SSL_CERT_FILE). The state file
    is re-read whenever it changes.
    """
    from teams_notify.sandbox.entra import EntraSandbox

    if stacks:
        _load_stacks(state_file, stacks, client_id, service_user_object_id, replace=False)
    data_dir = data_dir or state_file.with_name(f"{state_file.stem}-tls")
    log = None if quiet or as_json else click.echo
    with EntraSandbox(state_file=state_file, host=host, port=port, data_dir=data_dir, log_requests=log) as sb:
        if as_json:
            info = {"url": sb.url, "ca_file": str(sb.ca_file), "state": str(state_file)}
            click.echo(json.dumps(info), nl=True)
        else:
            click.echo(f"local Entra at {sb.url}  (state: {state_file}, CA: {sb.ca_file})")
            for line in _describe(sb.state):
                click.echo(line)
            click.echo(f"  trust it: export REQUESTS_CA_BUNDLE={sb.ca_file} SSL_CERT_FILE={sb.ca_file}")
            click.echo(f"  authority: {sb.url}/<tenant id>   Graph: {sb.url}/v1.0")
            click.echo("Ctrl+C stops it.")
        _wait_for_ctrl_c()
