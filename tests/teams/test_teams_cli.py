"""`teams-notify teams package|policy|runbook` with --outputs FILE and with a real workspace."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from helpers.teams import assignments
from teams_notify.cli import main

EXAMPLE_TENANT = Path(__file__).parents[2] / "tenants" / "example.toml"
CLIENT_ID = "0a0b0c0d-1111-4222-8333-444455556666"
OBJECT_ID = "12345678-aaaa-4bbb-8ccc-ddddeeeeffff"


@pytest.fixture
def tenants_dir(tmp_path: Path) -> Path:
    """The example tenant without the ids in config, so they must come from the Entra outputs."""
    source = EXAMPLE_TENANT.read_text(encoding="utf-8")
    source = re.sub(r"^(client_id|service_user_object_id) = .*$", "", source, flags=re.MULTILINE)
    folder = tmp_path / "tenants"
    folder.mkdir()
    (folder / "example.toml").write_text(source, encoding="utf-8")
    return folder


def _outputs_file(tmp_path: Path) -> Path:
    """The shape `terraform output -json` prints (sensitive outputs included in clear)."""
    data = {
        "client_id": {"sensitive": True, "type": "string", "value": CLIENT_ID},
        "tenant_id": {"sensitive": False, "type": "string", "value": "11111111-2222-4333-8444-555555555555"},
        "service_user_object_id": {"sensitive": False, "type": "string", "value": OBJECT_ID},
        "service_principal_id": {"sensitive": False, "type": "string", "value": "ignored"},
    }
    path = tmp_path / "entra-outputs.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def _common(tenants_dir: Path, tmp_path: Path) -> list[str]:
    return [
        "--tenant",
        str(tenants_dir / "example.toml"),
        "--cdktf-out",
        str(tmp_path / "cdktf.out"),
    ]


def test_package_and_policy_from_outputs_file(tenants_dir: Path, tmp_path: Path) -> None:
    args = [
        *_common(tenants_dir, tmp_path),
        "--outputs",
        str(_outputs_file(tmp_path)),
        "--out",
        str(tmp_path / "o"),
    ]
    assert main(["teams", "package", *args]) == 0
    assert main(["teams", "policy", *args]) == 0
    with zipfile.ZipFile(tmp_path / "o" / "example-teams-app.zip") as archive:
        manifest = json.loads(archive.read("manifest.json"))
    assert manifest["bots"][0]["botId"] == CLIENT_ID
    script = (tmp_path / "o" / "example-access-policy.ps1").read_text(encoding="utf-8-sig")
    assert assignments(script)["AppId"].value == CLIENT_ID
    assert assignments(script)["ServiceUserObjectId"].value == OBJECT_ID


def test_without_outputs_package_is_refused_and_runbook_has_placeholders(
    tenants_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = _common(tenants_dir, tmp_path)
    assert main(["teams", "package", *args]) == 2
    err = capsys.readouterr().err
    assert "unknown client_id, service_user_object_id" in err
    assert "no synthesized Entra stack" in err
    assert not (tmp_path / "cdktf.out").exists()

    assert main(["teams", "runbook", *args, "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["unknown"] == ["client_id", "service_user_object_id"]
    runbook = Path(report["written"])
    assert runbook == tmp_path / "cdktf.out" / "stacks" / "example-entra" / "artifacts" / "example-runbook.md"
    assert "unknown yet" in runbook.read_text(encoding="utf-8")


def test_bad_outputs_file_is_bad_input(
    tenants_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    assert main(["teams", "package", *_common(tenants_dir, tmp_path), "--outputs", str(bad)]) == 2
    assert "not JSON" in capsys.readouterr().err
    wrong_id = tmp_path / "wrong.json"
    wrong_id.write_text(json.dumps({"client_id": "x'; rm -rf /", "service_user_object_id": OBJECT_ID}))
    assert main(["teams", "policy", *_common(tenants_dir, tmp_path), "--outputs", str(wrong_id)]) == 2
    assert "client_id: not a GUID" in capsys.readouterr().err


@pytest.mark.parametrize("command", [["teams", "package"], ["teams", "runbook"], ["schema", "check"]])
def test_tenant_takes_a_file_and_a_bare_name_says_which_file(
    command: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`--tenant` is a file for every command; the old name form gets the path to give instead."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "tenants").mkdir()  # a folder that holds no tenant "example"
    assert main([*command, "--tenant", "example"]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err == [
        "error: --tenant example: no such tenant file (--tenant takes a file, not a tenant name)",
        "  fix: give the tenant file's path, e.g. --tenant tenants/example.toml",
    ]


@pytest.mark.terraform
def test_outputs_read_from_the_entra_workspace_with_real_terraform(tenants_dir: Path, tmp_path: Path) -> None:
    terraform = shutil.which("terraform")
    if terraform is None:
        pytest.skip("terraform binary not installed")
    stack_dir = tmp_path / "cdktf.out" / "stacks" / "example-entra"
    stack_dir.mkdir(parents=True)
    (stack_dir / "main.tf").write_text(
        f'output "client_id" {{\n  value     = "{CLIENT_ID}"\n  sensitive = true\n}}\n'
        f'output "service_user_object_id" {{\n  value = "{OBJECT_ID}"\n}}\n',
        encoding="utf-8",
    )
    env = {"TF_IN_AUTOMATION": "1", "CHECKPOINT_DISABLE": "1", "PATH": "/usr/local/bin:/usr/bin:/bin"}
    for command in (["init", "-input=false"], ["apply", "-auto-approve", "-input=false"]):
        subprocess.run([terraform, *command], cwd=stack_dir, env=env, check=True, capture_output=True)
    assert main(["teams", "package", *_common(tenants_dir, tmp_path)]) == 0
    package = stack_dir / "artifacts" / "example-teams-app.zip"
    with zipfile.ZipFile(package) as archive:
        assert json.loads(archive.read("manifest.json"))["bots"][0]["botId"] == CLIENT_ID


def _one_clear_error(code: int, err: str, *expected: str) -> None:
    """Exit 2, `error: ...` and `  fix: ...` lines, no traceback, and the words that say why."""
    assert code == 2, err
    lines = err.strip().splitlines()
    assert [line.split(":")[0] for line in lines] == ["error", "  fix"], err
    for words in expected:
        assert words in lines[0], err


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (None, "outputs file"),  # no such file
        ("dir", "is a directory"),
        (b"", "is empty"),
        (b"\xff\xfe{}", "not UTF-8"),
        (b"{not json", "not JSON"),
        (b"[1, 2]", "expected a JSON object of outputs"),
    ],
)
def test_unusable_outputs_file_is_one_clear_error(
    tenants_dir: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    content: bytes | str | None,
    expected: str,
) -> None:
    outputs = tmp_path / "outputs.json"
    if content == "dir":
        outputs.mkdir()
    elif isinstance(content, bytes):
        outputs.write_bytes(content)
    out = tmp_path / "o"
    code = main(
        ["teams", "package", *_common(tenants_dir, tmp_path), "--outputs", str(outputs), "--out", str(out)]
    )
    _one_clear_error(code, capsys.readouterr().err, str(outputs), expected)
    assert not out.exists()


def test_outputs_without_the_client_id_name_what_is_missing_and_where(
    tenants_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    outputs = tmp_path / "partial.json"
    outputs.write_text(json.dumps({"service_user_object_id": {"value": OBJECT_ID}}), encoding="utf-8")
    args = [*_common(tenants_dir, tmp_path), "--outputs", str(outputs), "--out", str(tmp_path / "o")]
    for kind in ("package", "policy"):
        code = main(["teams", kind, *args])
        err = capsys.readouterr().err
        _one_clear_error(code, err, "unknown client_id", f"neither in {outputs}")
        assert "service_user_object_id" not in err.splitlines()[0]
        assert "entra.client_id" in err  # the fix names the config key
    assert not (tmp_path / "o").exists()


def test_output_folder_that_is_a_file_is_one_clear_error(
    tenants_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("x", encoding="utf-8")
    outputs = str(_outputs_file(tmp_path))
    for kind in ("package", "policy", "runbook"):
        code = main(
            ["teams", kind, *_common(tenants_dir, tmp_path), "--outputs", outputs, "--out", str(blocker)]
        )
        _one_clear_error(code, capsys.readouterr().err, f"{blocker} is not a directory")
    assert blocker.read_text(encoding="utf-8") == "x"
