"""Which CDK engine a synth uses, known without starting it (the incremental synth keys its
cache on it; `compat` imports the engine itself)."""

from __future__ import annotations

import os
from importlib import metadata

# jsii prints an end-of-life banner for Node 20 on every start; it is noise for users. Set
# here, in the module every engine import goes through first (`compat`, the synth pipeline),
# before any jsii library starts its runtime.
os.environ.setdefault("JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION", "1")
# The end-of-life switch takes a list of Node major versions, not a boolean.
os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "18,19,20,21")

ENGINE_ENV = "TEAMS_NOTIFY_CDK"
# Engine -> the distributions whose versions shape the synthesized JSON.
DISTRIBUTIONS = {
    "cdktf": ("cdktf", "cdktf-cdktf-provider-azuread", "constructs"),
    "cdktn": ("cdktn", "cdktn-provider-azuread", "constructs"),
}


def selected_engine() -> str:
    """`cdktf` (default) or `cdktn`, from TEAMS_NOTIFY_CDK (compat refuses anything else)."""
    return os.environ.get(ENGINE_ENV, "cdktf").strip().lower() or "cdktf"


def engine_versions(engine: str) -> dict[str, str]:
    """The installed version of every distribution of `engine` (empty for an unknown engine)."""
    versions = {}
    for name in DISTRIBUTIONS.get(engine, ()):
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "missing"
    return versions
