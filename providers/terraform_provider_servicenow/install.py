"""Install the provider where `terraform init` finds it without a registry.

Terraform's "unpacked" local-mirror layout is
`<dir>/<host>/<namespace>/<type>/<version>/<os>_<arch>/terraform-provider-<type>_v<version>`.
With `<dir>` = `~/.terraform.d/plugins` (the implied local mirror) nothing else is needed; any
other directory needs a `filesystem_mirror` block in the Terraform CLI configuration, which
`cli_config_text` writes. The executable is a short sh wrapper that runs this virtualenv's
Python, so the provider always matches the installed package; `terraform init` hashes it into
`.terraform.lock.hcl` as usual.

Terraform starts the provider three or four times per command, so the wrapper starts Python with
`-S` (no `site`: its `.pth` processing, editable-install finders included, cost about 15-25 ms per
start) and `-P` (the working directory is not put on the import path), and gives the import path
`site` would have built in PYTHONPATH instead. For another interpreter than the installing one
the wrapper is the plain `python -m terraform_provider_servicenow`.
"""

from __future__ import annotations

import os
import platform
import shlex
import sys
from dataclasses import dataclass
from pathlib import Path

from terraform_provider_servicenow import DEFAULT_SOURCE, __version__
from terraform_provider_servicenow.exceptions import ConfigError

__all__ = ["DEFAULT_SOURCE", "cli_config_text", "install", "parse_source", "wrapper_script"]
ARCHES = {"x86_64": "amd64", "amd64": "amd64", "aarch64": "arm64", "arm64": "arm64"}


@dataclass(frozen=True)
class SourceAddress:
    """`<host>/<namespace>/<type>` as written in `required_providers`."""

    host: str
    namespace: str
    type: str

    def __str__(self) -> str:
        return f"{self.host}/{self.namespace}/{self.type}"


def parse_source(source: str) -> SourceAddress:
    """`host/namespace/type` -> SourceAddress (the host is required: there is no registry default)."""
    parts = source.strip().split("/")
    if len(parts) != 3 or not all(parts):
        raise ConfigError(
            f"invalid provider source {source!r}",
            "Use <host>/<namespace>/<type>, e.g. terraform.local/teams-notify/servicenow.",
        )
    return SourceAddress(*(p.lower() for p in parts))


def default_plugin_dir() -> Path:
    """Terraform's implied local mirror on Linux and macOS."""
    return Path.home() / ".terraform.d" / "plugins"


def os_arch() -> str:
    """Terraform's platform name for this machine, e.g. linux_amd64."""
    machine = platform.machine().lower()
    if machine not in ARCHES:
        raise ConfigError(f"unsupported machine architecture {machine!r}", "Use an amd64 or arm64 machine.")
    return f"{platform.system().lower()}_{ARCHES[machine]}"


def executable_path(plugin_dir: Path, source: SourceAddress, version: str = __version__) -> Path:
    """Where the provider executable goes for this source address and version."""
    return (
        plugin_dir
        / source.host
        / source.namespace
        / source.type
        / version
        / os_arch()
        / f"terraform-provider-{source.type}_v{version}"
    )


def import_path() -> list[str]:
    """Where this interpreter finds our package and its dependencies (what `site` would add)."""
    import site

    package_root = str(Path(__file__).resolve().parent.parent)
    return list(dict.fromkeys([package_root, *site.getsitepackages()]))


def wrapper_script(python: str, paths: list[str] | None = None) -> str:
    """The executable Terraform starts: exec this virtualenv's Python on our package; with `paths`
    (the import path of that Python) it starts without `site` (see the module docstring)."""
    head = (
        "#!/bin/sh\n"
        "# Written by `teams-notify provider install`: runs terraform-provider-servicenow from this venv.\n"
    )
    if not paths:
        return head + f'exec {shlex.quote(python)} -m terraform_provider_servicenow "$@"\n'
    joined = shlex.quote(os.pathsep.join(paths))
    return head + (
        f"PYTHONPATH={joined}${{PYTHONPATH:+:$PYTHONPATH}}\n"
        "export PYTHONPATH\n"
        f'exec {shlex.quote(python)} -S -P -m terraform_provider_servicenow "$@"\n'
    )


def install(
    plugin_dir: Path | None = None,
    source: str = DEFAULT_SOURCE,
    version: str = __version__,
    python: str = sys.executable,
) -> Path:
    """Write the provider executable into the unpacked mirror layout; returns its path."""
    target = executable_path(plugin_dir or default_plugin_dir(), parse_source(source), version)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    same_python = Path(python).absolute() == Path(sys.executable).absolute()
    partial.write_text(wrapper_script(python, import_path() if same_python else None))
    partial.chmod(0o755)
    os.replace(partial, target)  # atomic: a concurrent `terraform init` never sees half a file
    return target


def cli_config_text(plugin_dir: Path, source: str = DEFAULT_SOURCE) -> str:
    """A Terraform CLI configuration that takes our provider from `plugin_dir` and everything else
    from the usual places."""
    return provider_installation_text("filesystem_mirror", "path", str(plugin_dir), source)


def provider_installation_text(block: str, key: str, location: str, source: str = DEFAULT_SOURCE) -> str:
    """A CLI configuration taking our provider from one mirror (`filesystem_mirror` + `path`, or
    `network_mirror` + `url`) and everything else from the usual places."""
    address = parse_source(source)
    pattern = f"{address.host}/{address.namespace}/*"
    return (
        "provider_installation {\n"
        f"  {block} {{\n"
        f"    {key:<7} = {_hcl_string(location)}\n"
        f"    include = [{_hcl_string(pattern)}]\n"
        "  }\n"
        "  direct {\n"
        f"    exclude = [{_hcl_string(pattern)}]\n"
        "  }\n"
        "}\n"
    )


def _hcl_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("${", "$${") + '"'
