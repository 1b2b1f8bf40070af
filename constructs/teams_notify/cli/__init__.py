"""`teams-notify` command line.

Each command group lives in its own module and imports heavy libraries inside its
commands, so `teams-notify --help` stays fast. Exit codes: 0 success, 1 a check failed,
2 bad input. Expected failures are `TeamsNotifyError`s, printed as one line plus the fix.
"""

from __future__ import annotations

import sys

import click

from teams_notify import __version__
from teams_notify.cli import cert_cmd, doctor_cmd, provider_cmd, sandbox_cmd, schema_cmd, synth_cmd, teams_cmd
from teams_notify.errors import TeamsNotifyError


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="teams-notify")
def cli() -> None:
    """Roll out the ServiceNow Notify connector for Microsoft Teams as code."""


for _group in (
    cert_cmd.group,
    doctor_cmd.command,
    provider_cmd.group,
    sandbox_cmd.command,
    schema_cmd.group,
    synth_cmd.command,
    teams_cmd.group,
):
    cli.add_command(_group)


def report_error(err: TeamsNotifyError) -> None:
    """Print an expected failure as `error: <cause>` plus `  fix: <fix>` on stderr."""
    click.secho(f"error: {err.cause}", fg="red", err=True)
    if err.fix:
        click.echo(f"  fix: {err.fix}", err=True)


def main(argv: list[str] | None = None, *, program: bool | None = None) -> int:
    """Console-script entry point; returns the process exit code. `program` (default: no
    `argv` given) says this process is the command itself, not a caller's Python: only then
    may `synth` start the process again as `python -O` (`engine.restart_optimized`)."""
    is_program = argv is None if program is None else program
    try:
        cli.main(args=argv, prog_name="teams-notify", standalone_mode=False, obj={"program": is_program})
    except TeamsNotifyError as err:
        report_error(err)
        return err.exit_code
    except click.exceptions.Exit as ex:
        return int(ex.exit_code or 0)
    except click.ClickException as ex:
        ex.show()
        return 2
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        return 2
    if is_program:
        from teams_notify.stacks import engine_process
        from teams_notify.stacks.engine import end_program, engine_started

        # Done: no need to wait for the engine's Node process to wind down, nor for the engine
        # process (it ends with this one).
        if engine_started() or engine_process.forked():
            end_program(0)
    return 0


if __name__ == "__main__":
    sys.exit(main())
