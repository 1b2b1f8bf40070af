"""Writing the three Teams artifacts into a folder.

Every writer builds its bytes completely (and validates them) before it touches the
disk, then replaces the target files by renames: a failed run leaves the old files or
none, never a half-written package nor a package without its script.
"""

from __future__ import annotations

from pathlib import Path

from teams_notify.files import PendingFile, write_all, write_atomic
from teams_notify.teams.manifest import package_bytes
from teams_notify.teams.policy import policy_script
from teams_notify.teams.runbook import runbook_text
from teams_notify.teams.values import TeamsValues, require_artifact_values


def package_path(values: TeamsValues, out_dir: Path) -> Path:
    return out_dir / f"{values.tenant}-teams-app.zip"


def policy_path(values: TeamsValues, out_dir: Path) -> Path:
    return out_dir / f"{values.tenant}-access-policy.ps1"


def runbook_path(values: TeamsValues, out_dir: Path) -> Path:
    return out_dir / f"{values.tenant}-runbook.md"


def write_package(values: TeamsValues, out_dir: Path) -> Path:
    """`<tenant>-teams-app.zip`; BadInputError (nothing written) when values are missing or invalid."""
    return write_atomic(package_path(values, out_dir), package_bytes(values))


def write_policy_script(values: TeamsValues, out_dir: Path) -> Path:
    """`<tenant>-access-policy.ps1`, UTF-8 with BOM so Windows PowerShell 5.1 reads non-ASCII right."""
    return write_atomic(policy_path(values, out_dir), policy_script(values).encode("utf-8-sig"))


def write_runbook(values: TeamsValues, out_dir: Path, *, durable: bool = True) -> Path:
    """`<tenant>-runbook.md`; works with unknown ids (placeholders say where each comes from)."""
    artifacts_written = package_path(values, out_dir).is_file() and policy_path(values, out_dir).is_file()
    text = runbook_text(values, artifacts_written)
    return write_atomic(runbook_path(values, out_dir), text.encode("utf-8"), durable=durable)


def write_artifacts(values: TeamsValues, out_dir: Path, *, durable: bool = True) -> list[Path]:
    """Package, access-policy script and runbook, all or none; needs the ids (BadInputError
    before any write). `durable`: see `files.write_all`."""
    require_artifact_values(values)
    files = [
        PendingFile(package_path(values, out_dir), package_bytes(values)),
        PendingFile(policy_path(values, out_dir), policy_script(values).encode("utf-8-sig")),
        PendingFile(
            runbook_path(values, out_dir), runbook_text(values, artifacts_written=True).encode("utf-8")
        ),
    ]
    write_all(files, durable=durable)
    return [f.path for f in files]
