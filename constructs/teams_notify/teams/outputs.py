"""The Entra stack's outputs: from `terraform output -json` of its workspace, or a file.

Both the plain `{"name": "value"}` form and Terraform's `{"name": {"value": ..., "type": ...,
"sensitive": ...}}` form are accepted, so a file saved with `terraform output -json > FILE`
works as it is. Only string outputs are kept: the ids are strings.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

from teams_notify.errors import BadInputError
from teams_notify.files import parse_input


def parse_outputs(data: object, source: str) -> dict[str, str]:
    """Name -> string value from parsed `terraform output -json` (or plain name -> value) data."""
    if not isinstance(data, dict):
        raise BadInputError(
            f"{source}: expected a JSON object of outputs", "save it with `terraform output -json > FILE`"
        )
    result: dict[str, str] = {}
    for name, entry in data.items():
        value = entry.get("value") if isinstance(entry, dict) else entry
        if isinstance(value, str):
            result[str(name)] = value
    return result


def read_outputs_file(path: Path) -> dict[str, str]:
    """Outputs saved with `terraform output -json > FILE`; BadInputError for anything else."""
    try:
        data = parse_input(path, "outputs file", json.loads)
    except json.JSONDecodeError as err:
        fix = "save it with `terraform output -json > FILE`"
        raise BadInputError(f"{path}: not JSON: {err}", fix) from None
    return parse_outputs(data, str(path))


def workspace_outputs(stack_dir: Path, terraform: str = "terraform") -> dict[str, str]:
    """`terraform output -json` run in the stack's synthesized folder (it must be initialised).

    Raises BadInputError saying why when the folder, the binary or the state is not there.
    """
    binary = shutil.which(terraform)
    if binary is None:
        raise BadInputError("terraform is not on PATH", "install terraform, or pass --outputs FILE")
    if not stack_dir.is_dir():
        raise BadInputError(
            f"{stack_dir}: no synthesized Entra stack here",
            "run `teams-notify synth` and `cdktf deploy` first, or pass --outputs FILE",
        )
    proc = subprocess.run(
        [binary, "output", "-json", "-no-color"], cwd=stack_dir, capture_output=True, text=True, check=False
    )
    if proc.returncode != 0:
        first = (proc.stderr.strip().splitlines() or ["no message"])[0]
        raise BadInputError(
            f"{stack_dir}: `terraform output -json` failed: {first}",
            "deploy the Entra stack (it initialises the folder), or pass --outputs FILE",
        )
    try:
        data = json.loads(proc.stdout or "{}")
    except json.JSONDecodeError as err:
        raise BadInputError(f"{stack_dir}: `terraform output -json` printed no JSON: {err}", None) from None
    return parse_outputs(data, f"{stack_dir} (terraform output -json)")
