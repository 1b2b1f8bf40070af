"""Writing the three Teams artifacts into a folder.

Every writer builds its bytes completely (and validates them) before it touches the
disk, then replaces the target file in one rename: a failed run leaves either the old
file or none, never a half-written package.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

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


def _write_atomic(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def write_package(values: TeamsValues, out_dir: Path) -> Path:
    """`<tenant>-teams-app.zip`; BadInputError (nothing written) when values are missing or invalid."""
    return _write_atomic(package_path(values, out_dir), package_bytes(values))


def write_policy_script(values: TeamsValues, out_dir: Path) -> Path:
    """`<tenant>-access-policy.ps1`, UTF-8 with BOM so Windows PowerShell 5.1 reads non-ASCII right."""
    return _write_atomic(policy_path(values, out_dir), policy_script(values).encode("utf-8-sig"))


def write_runbook(values: TeamsValues, out_dir: Path) -> Path:
    """`<tenant>-runbook.md`; works with unknown ids (placeholders say where each comes from)."""
    artifacts_written = package_path(values, out_dir).is_file() and policy_path(values, out_dir).is_file()
    text = runbook_text(values, artifacts_written)
    return _write_atomic(runbook_path(values, out_dir), text.encode("utf-8"))


def write_artifacts(values: TeamsValues, out_dir: Path) -> list[Path]:
    """Package, access-policy script and runbook; needs the ids (BadInputError before any write)."""
    require_artifact_values(values)
    package = package_bytes(values)
    script = policy_script(values).encode("utf-8-sig")
    written = [
        _write_atomic(package_path(values, out_dir), package),
        _write_atomic(policy_path(values, out_dir), script),
    ]
    written.append(write_runbook(values, out_dir))
    return written
