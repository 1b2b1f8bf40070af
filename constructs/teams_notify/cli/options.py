"""The options the commands share, defined once: `--json`, `--tenant FILE` and `--out`.

Every command that prints for machines takes `--json` (flag `as_json`), every command about
one tenant takes its file with `--tenant FILE` (`tenant_file`), and every command that writes
files takes the place with `--out` (`out_dir`, or `outdir` for synth). Each command keeps its
own help text where it says more than the default.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from teams_notify.errors import BadInputError

F = TypeVar("F", bound=Callable[..., Any])
JSON_HELP = "Print JSON for machines."
TENANT_HELP = "Tenant file (tenants/NAME.toml)."
TENANT_SUFFIX = ".toml"


def json_option(help_: str = JSON_HELP) -> Callable[[F], F]:
    """`--json` (flag `as_json`): machine-readable output instead of the human one."""
    return click.option("--json", "as_json", is_flag=True, help=help_)


def _tenant_file(ctx: click.Context, param: click.Parameter, value: Path) -> Path:
    """A bare name is not a file: say how to give the file, instead of "file not found"."""
    if value.suffix != TENANT_SUFFIX and not value.exists():
        raise BadInputError(
            f"--tenant {value}: no such tenant file (--tenant takes a file, not a tenant name)",
            f"give the tenant file's path, e.g. --tenant tenants/{value.name}{TENANT_SUFFIX}",
        )
    return value


def tenant_option(help_: str = TENANT_HELP) -> Callable[[F], F]:
    """`--tenant FILE` (`tenant_file`, required): one tenant's config file."""
    return click.option(
        "--tenant",
        "tenant_file",
        required=True,
        metavar="FILE",
        type=click.Path(dir_okay=False, path_type=Path),
        callback=_tenant_file,
        help=help_,
    )


def out_option(
    help_: str,
    *,
    dest: str = "out_dir",
    required: bool = False,
    default: Path | None = None,
    folder_only: bool = False,
) -> Callable[[F], F]:
    """`--out DIR`: where a command writes (`folder_only`: refuse an existing file up front)."""
    return click.option(
        "--out",
        dest,
        required=required,
        default=default,
        show_default=default is not None,
        metavar="DIR",
        type=click.Path(file_okay=not folder_only, path_type=Path),
        help=help_,
    )


def apply(func: F, options: list[Callable[[F], F]]) -> F:
    """Decorate `func` with `options`, listed in the order `--help` shows them."""
    for option in reversed(options):
        func = option(func)
    return func
