"""Post-synth step: lock a stack's locally installed providers in its `.terraform.lock.hcl`.

`cdktf deploy` / `cdktn deploy` run `terraform providers lock` in a stack folder unless its
lock file already lists every provider at a matching version, and that command asks each
provider's origin host: there is none for `terraform.local/...`, which a local mirror serves
(`teams-notify provider install`). So for every provider whose source host is local-only
(`localhost` or a `.local` name, reserved for local use) we write the lock entry ourselves,
with Terraform's own `h1:` hash of the package Terraform will install from the mirror.

A provider that is not installed gets a warning: in the stack summary (which `teams-notify
synth` prints) and as a warning annotation in `manifest.json`, the one place from which
`cdktf synth` / `deploy` print anything about a successful synth.

Providers from a registry (`hashicorp/azuread`, a Terraform Cloud private registry host) are
left to Terraform: the CLIs' normal locking downloads and hashes them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from terraform_provider_servicenow.install import parse_source
from terraform_provider_servicenow.installed import Lookup, find_installed
from terraform_provider_servicenow.lockfile import LockedProvider, package_hash_v1, write_lock_file

from teams_notify.files import write_atomic
from teams_notify.stacks.synth_cache import MANIFEST_FILE


def is_local_only(source: str) -> bool:
    """True for a provider source no registry serves (its host is localhost or `*.local`)."""
    parts = source.strip().lower().split("/")
    if len(parts) != 3:
        return False  # `namespace/type` or `type`: the public registry
    host = parts[0]
    return host == "localhost" or host.endswith(".local")


def _not_installed(source: str, constraint: str | None, lookup: Lookup) -> str:
    version = f" {constraint}" if constraint else ""
    where = (
        f"in {', '.join(str(m.path) for m in lookup.mirrors)}"
        if lookup.mirrors
        else "in any filesystem_mirror of your Terraform CLI config"
    )
    return (
        f"provider {source}{version} is not installed {where}: run `teams-notify provider install` "
        "(with --dir, the folder of your CLI config's filesystem_mirror), then synth again"
    )


def lock_local_providers(stack_dir: Path, stack_json: dict[str, Any]) -> list[str]:
    """Write the lock entries of the stack's local-only providers; returns one warning per
    provider that is not installed (`cdktf deploy` would then fail to lock it)."""
    required: dict[str, dict[str, Any]] = stack_json.get("terraform", {}).get("required_providers", {})
    locked: list[LockedProvider] = []
    warnings: list[str] = []
    for entry in required.values():
        source, constraint = entry.get("source", ""), entry.get("version")
        if not is_local_only(source):
            continue
        lookup = find_installed(source, constraint)
        if lookup.package is None:
            warnings.append(_not_installed(source, constraint, lookup))
            continue
        package = lookup.package
        address = str(parse_source(source))  # lower case, as Terraform writes it
        locked.append(LockedProvider(address, package.version, constraint, (package_hash_v1(package.path),)))
    if locked:
        write_lock_file(stack_dir, locked)
    return warnings


WARN_LEVEL = "@cdktf/warn"  # AnnotationMetadataEntryType.WARN, the same in cdktf and cdktn


def annotate_manifest(outdir: Path, stack_name: str, warnings: list[str]) -> None:
    """Add `warnings` to the stack's annotations in `outdir/manifest.json`, each text once per
    manifest (the CLIs print every annotation of every stack: one line is enough)."""
    path = outdir / MANIFEST_FILE
    if not warnings or not path.is_file():
        return
    manifest = json.loads(path.read_text(encoding="utf-8"))
    seen = {a.get("message") for s in manifest.get("stacks", {}).values() for a in s.get("annotations", [])}
    annotations = manifest["stacks"][stack_name].setdefault("annotations", [])
    new = [w for w in dict.fromkeys(warnings) if w not in seen]
    annotations.extend({"constructPath": stack_name, "level": WARN_LEVEL, "message": w} for w in new)
    if new:
        write_atomic(path, (json.dumps(manifest, indent=2) + "\n").encode())
