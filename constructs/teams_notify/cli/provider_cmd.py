"""`teams-notify provider` commands: install the ServiceNow Terraform provider for offline use."""

from __future__ import annotations

import json
from pathlib import Path

import click

from teams_notify.cli.options import json_option
from teams_notify.errors import BadInputError


@click.group(name="provider")
def group() -> None:
    """The ServiceNow Terraform provider (terraform-provider-servicenow)."""


@group.command(name="install")
@click.option(
    "--dir",
    "plugin_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Plugin directory (default ~/.terraform.d/plugins, Terraform's implied local mirror).",
)
@click.option(
    "--source",
    default="terraform.local/teams-notify/servicenow",
    show_default=True,
    help="Provider source address <host>/<namespace>/<type> used in required_providers.",
)
@json_option("Print the result as JSON.")
def install_command(plugin_dir: Path | None, source: str, as_json: bool) -> None:
    """Put an executable provider where `terraform init` finds it offline.

    Writes <DIR>/<host>/<namespace>/<type>/<version>/<os_arch>/terraform-provider-<type>_v<version>,
    a small wrapper that runs this virtualenv's Python. For a DIR other than the default, point
    Terraform at it with a filesystem_mirror block (printed below).
    """
    from terraform_provider_servicenow import __version__
    from terraform_provider_servicenow.exceptions import ServiceNowError
    from terraform_provider_servicenow.install import cli_config_text, default_plugin_dir, install
    from terraform_provider_servicenow.lockfile import package_hash_v1

    directory = (plugin_dir or default_plugin_dir()).expanduser().absolute()
    try:
        path = install(directory, source)
    except ServiceNowError as err:
        raise BadInputError(err.summary, err.detail) from None
    except OSError as err:
        raise BadInputError(
            f"cannot write to {err.filename or directory}: {err.strerror}",
            "Choose a directory you can write to with --dir (it is created if missing).",
        ) from None
    custom = plugin_dir is not None and directory != default_plugin_dir()
    # What `teams-notify synth` writes into each stack's .terraform.lock.hcl for this install.
    h1 = package_hash_v1(path.parent)
    if as_json:
        fields = {"path": str(path), "source": source, "version": __version__, "dir": str(directory)}
        click.echo(json.dumps(fields | {"h1": h1}))
        return
    click.echo(f"installed {source} {__version__} at {path}")
    entry = f'servicenow = {{ source = "{source}", version = "{__version__}" }}'
    click.echo(f"use it with: required_providers {{ {entry} }}")
    click.echo(f"lock hash {h1} (synth writes it into each stack's .terraform.lock.hcl)")
    if not custom:
        click.echo("terraform init finds it there (Terraform's implied local mirror) with no network.")
        return
    click.echo("Terraform looks there only with this in your CLI configuration (TF_CLI_CONFIG_FILE):")
    click.echo(cli_config_text(directory, source), nl=False)
