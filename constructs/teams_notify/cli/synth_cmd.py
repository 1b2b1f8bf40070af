"""`teams-notify synth`: the same as `python main.py` (synthesize every tenant, run the hook)."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from teams_notify.cli.options import json_option, out_option


def _folder(flag: str, dest: str, default: str, help_: str) -> Callable[[Any], Any]:
    return click.option(
        flag,
        dest,
        type=click.Path(file_okay=False, path_type=Path),
        default=Path(default),
        show_default=True,
        help=help_,
    )


FULL_ENV = "TEAMS_NOTIFY_FULL_SYNTH"
# Below this many tenants a synth is over before a progress bar is worth drawing.
PROGRESS_MIN_TENANTS = 5


@click.command(name="synth")
@_folder("--tenants", "tenants_dir", "tenants", "folder of tenant files (*.toml)")
@out_option("synth output folder", dest="outdir", default=Path("cdktf.out"), folder_only=True)
@click.option(
    "--engine",
    type=click.Choice(["cdktf", "cdktn"]),
    default=None,
    help="CDK engine (default: $TEAMS_NOTIFY_CDK or cdktf)",
)
@click.option(
    "--full",
    is_flag=True,
    help=f"synthesize every tenant, reuse nothing from the previous output (also ${FULL_ENV}=1)",
)
@click.option(
    "--jobs",
    type=click.IntRange(1, 256),
    default=None,
    help="processes to synthesize with (default: $TEAMS_NOTIFY_SYNTH_JOBS, else by tenant count and cores)",
)
@json_option("Print the result as JSON (no progress bar).")
@click.pass_obj
def command(
    obj: dict[str, bool] | None,
    tenants_dir: Path,
    outdir: Path,
    engine: str | None,
    full: bool,
    jobs: int | None,
    as_json: bool,
) -> None:
    """Synthesize <tenant>-entra and <tenant>-servicenow for every tenant file, then run the
    post-synth hook (x5t, certificate checks, teams-notify.json, Teams artifacts).

    The output folder is replaced only when everything passed; tenants whose inputs did not
    change are reused from it. The engine runs in a process of its own, started first
    (TEAMS_NOTIFY_ENGINE_PROCESS=0: in this one), its jsii kernel in one Node process
    (TEAMS_NOTIFY_JSII_HOST=0: jsii's own launcher, two). Exit 2 for a bad tenant file, 1 when
    a check fails."""
    if engine:
        os.environ["TEAMS_NOTIFY_CDK"] = engine  # read once, when compat is first imported
    from teams_notify.stacks import engine_process, jsii_host
    from teams_notify.stacks.engine import own_temporary_folder, restart_optimized, warm_up
    from teams_notify.stacks.synth_cache import written_since_index
    from teams_notify.stacks.tenant_synth import TENANTS_PER_JOB

    full = full or os.environ.get(FULL_ENV, "").strip() in ("1", "true", "yes")
    changed = None if full else written_since_index(outdir.resolve(), tenants_dir.glob("*.toml"))
    program = bool((obj or {}).get("program"))
    if program and (changed is None or changed >= TENANTS_PER_JOB):
        restart_optimized()  # many tenants to build: worth a second interpreter start
    if program:
        own_temporary_folder()
        jsii_host.install()  # inherited by the engine process and workers
    # The engine loads while the tenant files are read and checked: in a process of its own
    # for a program (this one is not a caller's Python), else in a thread.
    if changed != 0 and not (program and engine_process.start()):
        warm_up()
    try:
        from teams_notify.config import load_tenants
        from teams_notify.stacks.app import synth

        tenants = load_tenants(tenants_dir)
        with _progress(len(tenants), quiet=as_json) as tick:
            result = synth(
                tenants, outdir, full=full, jobs=jobs, progress=tick, notify=lambda m: click.echo(m, err=True)
            )
    finally:
        engine_process.stop()
    warnings = [w for summary in result.summaries for w in summary.warnings]
    # A CDK CLI running this app (it sets CDKTF_CONTEXT_JSON) prints the manifest's annotations,
    # provider warnings included: once is enough.
    if "CDKTF_CONTEXT_JSON" not in os.environ:
        warnings += [w for summary in result.summaries for w in summary.provider_warnings]
    # Each distinct warning once: a provider that is not installed concerns every tenant alike.
    warnings = list(dict.fromkeys(warnings))
    for warning in warnings:
        click.secho(f"warning: {warning}", fg="yellow", err=True)
    if as_json:
        report = {
            "outdir": str(outdir),
            "stacks": result.stack_names,
            "synthesized": result.built,
            "reused": result.reused,
            "warnings": warnings,
        }
        click.echo(json.dumps(report, indent=2))
        return
    names = ", ".join(result.stack_names)
    reused = f" ({len(result.reused)} of {len(tenants)} tenants unchanged, reused)" if result.reused else ""
    click.echo(f"synthesized {len(result.stack_names)} stacks into {outdir}{reused}: {names}")


@contextmanager
def _progress(tenants: int, *, quiet: bool) -> Iterator[Callable[[str], None] | None]:
    """A progress bar per tenant on a terminal, for more than a few tenants; nothing in CI,
    with --json, or when stderr is not a terminal."""
    if quiet or tenants < PROGRESS_MIN_TENANTS or os.environ.get("CI") or not sys.stderr.isatty():
        yield None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    columns = (TextColumn("synth"), BarColumn(), MofNCompleteColumn(), TextColumn("{task.description}"))
    with Progress(*columns, TimeElapsedColumn(), transient=True, console=_stderr_console()) as bar:
        task = bar.add_task("", total=tenants)

        def tick(name: str) -> None:
            bar.update(task, advance=1, description=name)

        yield tick


def _stderr_console() -> Any:
    from rich.console import Console

    return Console(stderr=True)
