"""Bad tenant configs through `teams-notify synth --tenants DIR` and `python main.py`: each is one
`error:` line naming the file and key, one `fix:` line, exit 2 (a failed certificate check: 1),
and never a traceback."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from helpers.constructs import BundleFactory, tenant_toml
from teams_notify.cli import main

ROOT = Path(__file__).resolve().parents[2]
GOOD_GUID = 'tenant_id = "0a1b2c3d-1111-4222-8333-444455556666"'
BREAKS = {
    "bad-guid": (GOOD_GUID, 'tenant_id = "0a1b2c3d-1111"', "tenant_id: not a GUID"),
    "http-url": (
        "https://acme.service-now",
        "http://acme.service-now",
        "servicenow.instance_url: not an https",
    ),
    "unknown-key": (
        '[backend]\ntype = "local"',
        '[backend]\ntype = "local"\nbucket = "x"',
        "backend.bucket: unknown",
    ),
    "secret-key": (
        "[servicenow]\n",
        '[servicenow]\npassword = "x"\n',
        "servicenow.password: looks like a secret",
    ),
    "missing-bundle": ('name = "cli-cert"', 'name = "gone"', "certificates[0].dir: crt file not found"),
    "bad-toml": ("[servicenow]\n", "[servicenow\n", "not valid TOML"),
}


def two_lines(err: str, cause: str) -> None:
    lines = err.splitlines()
    assert len(lines) == 2, err
    assert lines[0].startswith("error: ") and cause in lines[0], err
    assert lines[1].startswith("  fix: ") and len(lines[1]) > len("  fix: "), err
    assert "Traceback" not in err


def synth_cli(tenants: Path, out: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(["synth", "--tenants", str(tenants), "--out", str(out)])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def good(constructs_bundles: BundleFactory) -> str:
    return tenant_toml("acme", [("current", constructs_bundles.make("cli-cert"), True)])


@pytest.mark.parametrize("case", sorted(BREAKS))
def test_bad_tenant_file(tmp_path: Path, good: str, case: str, capsys: pytest.CaptureFixture[str]) -> None:
    old, new, cause = BREAKS[case]
    assert old in good
    (tmp_path / "t").mkdir()
    (tmp_path / "t" / "acme.toml").write_text(good.replace(old, new))
    code, out, err = synth_cli(tmp_path / "t", tmp_path / "out", capsys)
    assert (code, out) == (2, "")
    two_lines(err, f"{tmp_path / 't' / 'acme.toml'}: {cause}")
    assert not (tmp_path / "out").exists()


def test_two_active_certificates(
    tmp_path: Path, constructs_bundles: BundleFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    certs = [
        ("current", constructs_bundles.make("cli-cert"), True),
        ("next", constructs_bundles.make("cli-b"), True),
    ]
    (tmp_path / "t").mkdir()
    (tmp_path / "t" / "acme.toml").write_text(tenant_toml("acme", certs))
    code, _, err = synth_cli(tmp_path / "t", tmp_path / "out", capsys)
    assert code == 2
    two_lines(err, "certificates: exactly one certificate must have active = true (found 2")
    assert "set active = true on the one" in err


@pytest.mark.parametrize(
    ("folder", "cause"), [("missing", "tenant folder not found"), ("empty", "no tenant files")]
)
def test_missing_or_empty_folder(
    tmp_path: Path, folder: str, cause: str, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "empty").mkdir()
    code, _, err = synth_cli(tmp_path / folder, tmp_path / "out", capsys)
    assert code == 2
    two_lines(err, cause)


def test_swapped_keystore_is_a_failed_check(
    tmp_path: Path, constructs_bundles: BundleFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    mine = constructs_bundles.make("cli-cert").copy_to(tmp_path / "bundle")
    shutil.copy(constructs_bundles.make("cli-b").dir / "cli-b.jks", mine.dir / "cli-cert.jks")
    (tmp_path / "t").mkdir()
    (tmp_path / "t" / "acme.toml").write_text(tenant_toml("acme", [("current", mine, True)]))
    code, _, err = synth_cli(tmp_path / "t", tmp_path / "out", capsys)
    assert code == 1
    two_lines(err, "holds a different certificate than cli-cert.crt")


def run_main(tenants: Path, out: Path, **env: str) -> subprocess.CompletedProcess[str]:
    full_env = os.environ | {"TEAMS_NOTIFY_TENANTS": str(tenants), "CDKTF_OUTDIR": str(out)} | env
    return subprocess.run(
        [sys.executable, str(ROOT / "main.py")], env=full_env, capture_output=True, text=True, check=False
    )


def test_python_main_reports_like_the_cli(tmp_path: Path, good: str) -> None:
    (tmp_path / "t").mkdir()
    (tmp_path / "t" / "acme.toml").write_text(good.replace(*BREAKS["bad-guid"][:2]))
    run = run_main(tmp_path / "t", tmp_path / "out")
    assert (run.returncode, run.stdout) == (2, "")
    two_lines(run.stderr, "tenant_id: not a GUID")

    (tmp_path / "t" / "acme.toml").write_text(good)
    run = run_main(tmp_path / "t", tmp_path / "out", TEAMS_NOTIFY_CDK="cdk9")
    assert run.returncode == 2
    two_lines(run.stderr, "TEAMS_NOTIFY_CDK='cdk9' is not an engine we know")
