"""`teams-notify provider` commands: install the ServiceNow Terraform provider for offline use;
build it as a self-contained executable, release it for a registry, mirror it."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import click

from teams_notify.cli.options import json_option, out_option
from teams_notify.errors import BadInputError

if TYPE_CHECKING:
    from terraform_provider_servicenow.build import Build


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
@click.option(
    "--standalone",
    is_flag=True,
    help="Install the self-contained executable (`provider build`) instead of the venv wrapper.",
)
@click.option("--cache", "cache_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Build cache for --standalone (default as for `provider build`).")  # fmt: skip
def install_command(
    plugin_dir: Path | None, source: str, standalone: bool, cache_dir: Path | None, as_json: bool
) -> None:
    """Put an executable provider where `terraform init` finds it offline.

    Writes <DIR>/<host>/<namespace>/<type>/<version>/<os_arch>/terraform-provider-<type>_v<version>,
    a small wrapper that runs this virtualenv's Python (with --standalone: the self-contained
    executable and its _internal/ folder). For a DIR other than the default, point Terraform at it
    with a filesystem_mirror block (printed below).
    """
    from terraform_provider_servicenow import __version__
    from terraform_provider_servicenow.exceptions import ServiceNowError
    from terraform_provider_servicenow.install import cli_config_text, default_plugin_dir, install
    from terraform_provider_servicenow.lockfile import package_hash_v1

    directory = (plugin_dir or default_plugin_dir()).expanduser().absolute()
    try:
        if standalone:
            from terraform_provider_servicenow.build import install_build

            build = _cached_build(cache_dir)
            with _release_errors():
                path = install_build(build, directory, source)
        else:
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


CACHE_ENV = "TEAMS_NOTIFY_BUILD_CACHE"
cache_option = click.option(
    "--cache",
    "cache_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help=f"Build cache folder (default ${CACHE_ENV} or ~/.cache/teams-notify/provider-build).",
)


@group.command(name="build")
@out_option(
    "Folder to copy the executable and its _internal/ folder into (default: only the cache).",
    folder_only=True,
)
@cache_option
@json_option("Print the result as JSON.")
def build_command(out_dir: Path | None, cache_dir: Path | None, as_json: bool) -> None:
    """Build the self-contained provider executable for this machine (PyInstaller --onedir).

    It runs without Python or this virtualenv. PyInstaller builds only for the machine it runs on:
    build on each target platform and combine them with `provider release --build OS_ARCH=DIR`.
    A build takes ~40 s; it is cached by a hash of the provider sources.
    """
    import shutil

    from terraform_provider_servicenow.build import folder_size
    from terraform_provider_servicenow.release import unwritable_error

    if out_dir is not None and out_dir.is_dir() and any(out_dir.iterdir()):  # click refuses a file
        raise BadInputError(f"{out_dir} is not empty", "Give --out a new or empty folder.")
    build = _cached_build(cache_dir)
    if out_dir is None:
        out_dir = build.folder
    else:
        try:
            shutil.copytree(build.folder, out_dir, symlinks=True, dirs_exist_ok=True)
        except OSError as err:
            error = unwritable_error(out_dir, err)
            raise BadInputError(error.summary, error.detail) from None
    result = {"folder": str(out_dir), "platform": build.platform, "bytes": folder_size(out_dir)}
    if as_json:
        click.echo(json.dumps(result))
        return
    click.echo(
        f"built {out_dir}/terraform-provider-servicenow for {build.platform} ({result['bytes']} bytes)"
    )


@group.command(name="release")
@out_option("Folder for the zips, manifest, SHA256SUMS and SHA256SUMS.sig.", required=True, folder_only=True)
@click.option("--version", "version", default=None, help="Release version (default: the package version).")
@click.option(
    "--build",
    "extra_builds",
    multiple=True,
    metavar="OS_ARCH=DIR",
    help="Add a build made on another machine with `provider build` (repeatable), e.g. linux_arm64=DIR.",
)
@click.option("--no-host-build", is_flag=True, help="Package only the --build folders, build nothing here.")
@cache_option
@json_option("Print the written files as JSON.")
def release_command(
    out_dir: Path,
    version: str | None,
    extra_builds: tuple[str, ...],
    no_host_build: bool,
    cache_dir: Path | None,
    as_json: bool,
) -> None:
    """Write registry release artifacts for terraform-provider-servicenow.

    terraform-provider-servicenow_<V>_<os>_<arch>.zip, _<V>_manifest.json (protocol 6),
    _<V>_SHA256SUMS and its detached GPG signature _<V>_SHA256SUMS.sig, signed with the key
    whose id is in TEAMS_NOTIFY_GPG_KEY_ID from the keyring in GNUPGHOME (a passphrase, if the
    key has one, from TEAMS_NOTIFY_GPG_PASSPHRASE). Upload them to a registry (docs/terraform-cloud.md)
    or turn them into a mirror with `provider mirror`.
    """
    from terraform_provider_servicenow import __version__
    from terraform_provider_servicenow.release import check_gpg_key, check_version, write_release

    chosen = version or __version__
    with _release_errors():
        check_version(chosen)
        check_gpg_key(os.environ.get("TEAMS_NOTIFY_GPG_KEY_ID", ""))  # fail before a 40 s build
        builds = [_named_build(spec) for spec in extra_builds]
        if not no_host_build:
            builds.insert(0, _cached_build(cache_dir))
        if not builds:
            raise BadInputError("nothing to release", "Drop --no-host-build or add --build OS_ARCH=DIR.")
        release = write_release(out_dir, chosen, builds)
    files = [*release.zips.values(), release.manifest, release.sha256sums, release.signature]
    if as_json:
        click.echo(
            json.dumps(
                {"version": chosen, "platforms": sorted(release.zips), "files": [str(p) for p in files]}
            )
        )
        return
    click.echo(f"released terraform-provider-servicenow {chosen} for {', '.join(sorted(release.zips))}:")
    for path in files:
        click.echo(f"  {path}")


@group.command(name="mirror")
@click.option(
    "--from",
    "release_dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="A folder written by `provider release`.",
)
@out_option("Mirror folder.", required=True, folder_only=True)
@click.option(
    "--kind",
    type=click.Choice(["fs", "network", "registry"]),
    default="fs",
    show_default=True,
    help="fs: packed filesystem_mirror layout; network: also index.json and <version>.json for HTTPS; "
    "registry: a static provider registry (signed; needs TEAMS_NOTIFY_GPG_KEY_ID and GNUPGHOME).",
)
@click.option("--version", "version", default=None, help="Version to mirror when --from holds several.")
@click.option(
    "--source",
    default="terraform.local/teams-notify/servicenow",
    show_default=True,
    help="Provider source address <host>/<namespace>/servicenow used in required_providers.",
)
@click.option(
    "--url", default=None, help="https:// URL the network mirror will be served at (for the CLI config)."
)
@json_option("Print the written files as JSON.")
def mirror_command(
    release_dir: Path,
    out_dir: Path,
    kind: str,
    version: str | None,
    source: str,
    url: str | None,
    as_json: bool,
) -> None:
    """Write a filesystem or network provider mirror, or a static registry, from release artifacts.

    The zips are checked against the release's SHA256SUMS first. A network mirror's <version>.json
    lists each zip's zh: (SHA-256) and h1: hashes; serve the folder over HTTPS. A registry serves
    the signed SHA256SUMS too, so `terraform init` checks the signature and locks zh: hashes for
    every platform; serve it over HTTPS at the host of --source. Other versions already in --out
    stay listed.
    """
    from terraform_provider_servicenow.install import parse_source
    from terraform_provider_servicenow.mirror import Mirror, cli_config_text, write_mirror, write_registry
    from terraform_provider_servicenow.release import check_gpg_key, public_key_armored, read_release

    mirror: Mirror
    with _release_errors():
        release = read_release(release_dir, version)
        if kind == "registry":
            key_id = os.environ.get("TEAMS_NOTIFY_GPG_KEY_ID", "")
            check_gpg_key(key_id)
            namespace = parse_source(source).namespace
            mirror = write_registry(release, out_dir, public_key_armored(key_id), key_id, namespace)
        else:
            mirror = write_mirror(release, out_dir, "network" if kind == "network" else "fs", source)
    if as_json:
        click.echo(
            json.dumps({"root": str(mirror.root), "kind": kind, "files": [str(p) for p in mirror.files]})
        )
        return
    click.echo(f"{kind} mirror of {source} {release.version} in {mirror.folder}")
    if kind == "registry":
        click.echo(
            f"serve {out_dir} over HTTPS as https://{source.split('/')[0]}/ (no CLI configuration needed)"
        )
    elif kind == "fs" or url:
        click.echo("use it with this Terraform CLI configuration (TF_CLI_CONFIG_FILE):")
        with _release_errors():
            click.echo(cli_config_text(mirror, url, source), nl=False)
    else:
        click.echo("serve --out over HTTPS and put its URL in a network_mirror block (or pass --url).")


def _cached_build(cache_dir: Path | None) -> Build:
    from terraform_provider_servicenow.build import cached_build

    default = Path(os.environ.get(CACHE_ENV) or Path.home() / ".cache" / "teams-notify" / "provider-build")
    with _release_errors():
        return cached_build((cache_dir or default).expanduser())


def _named_build(spec: str) -> Build:
    from terraform_provider_servicenow.build import Build, check_build
    from terraform_provider_servicenow.release import PLATFORM

    platform, _, folder = spec.partition("=")
    if not PLATFORM.match(platform) or not folder:
        raise BadInputError(f"--build {spec!r} is not OS_ARCH=DIR", "e.g. --build linux_arm64=./build-arm64")
    with _release_errors():
        return check_build(Build(Path(folder).expanduser(), platform))


@contextmanager
def _release_errors() -> Iterator[None]:
    """Provider-side release (and source address) errors become the CLI's bad-input errors."""
    from terraform_provider_servicenow.build import ReleaseError
    from terraform_provider_servicenow.exceptions import ServiceNowError

    try:
        yield
    except (ReleaseError, ServiceNowError) as err:
        raise BadInputError(err.summary, err.detail) from None
