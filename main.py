"""The CDKTF app: `python main.py` synthesizes every tenant under tenants/ into cdktf.out/.

`cdktf synth` / `cdktf deploy` (or `cdktn ...`) run this same file. Environment:
TEAMS_NOTIFY_TENANTS (folder of tenant files, default tenants/), TEAMS_NOTIFY_CDK (cdktf | cdktn),
CDKTF_OUTDIR (set by the CLI; default cdktf.out), TEAMS_NOTIFY_FULL_SYNTH=1 (reuse no tenant
from the previous output), TEAMS_NOTIFY_SYNTH_JOBS (processes), TEAMS_NOTIFY_SYNTH_LOCK_TIMEOUT,
TEAMS_NOTIFY_OPTIMIZE=0 (run as started: the synth starts itself again as `python -O`),
TEAMS_NOTIFY_ENGINE_PROCESS=0 (the engine in this process, not a forked one),
TEAMS_NOTIFY_JSII_HOST=0 (jsii's own two-process launcher for the engine's Node; all in
docs/constructs.md, "How a synth runs"). It is `teams-notify synth` with those folders, so
errors, warnings and exit codes are the same (0 ok, 1 a check failed, 2 bad input).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> int:
    from teams_notify.cli import main as cli_main

    tenants_dir = os.environ.get("TEAMS_NOTIFY_TENANTS", str(HERE / "tenants"))
    outdir = os.environ.get("CDKTF_OUTDIR", str(HERE / "cdktf.out"))
    return cli_main(["synth", "--tenants", tenants_dir, "--out", outdir], program=True)


if __name__ == "__main__":
    sys.exit(main())
