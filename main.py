"""The CDKTF app: `python main.py` synthesizes every tenant under tenants/ into cdktf.out/.

`cdktf synth` / `cdktf deploy` (or `cdktn ...`) run this same file. Environment:
TEAMS_NOTIFY_TENANTS (folder of tenant files, default tenants/), TEAMS_NOTIFY_CDK (cdktf | cdktn),
CDKTF_OUTDIR (set by the CLI; default cdktf.out).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> int:
    from teams_notify.app import synth
    from teams_notify.cli import report_error
    from teams_notify.config import load_tenants
    from teams_notify.errors import TeamsNotifyError

    tenants_dir = Path(os.environ.get("TEAMS_NOTIFY_TENANTS", HERE / "tenants"))
    outdir = Path(os.environ.get("CDKTF_OUTDIR", HERE / "cdktf.out"))
    try:
        result = synth(load_tenants(tenants_dir), outdir)
    except TeamsNotifyError as err:
        report_error(err)
        return err.exit_code
    for summary in result.summaries:
        for warning in summary["warnings"]:
            print(f"warning: {warning}", file=sys.stderr)
    names = ", ".join(s.stack_name for s in result.stacks)
    print(f"synthesized {len(result.stacks)} stacks into {outdir}: {names}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
