"""Secrets stay secret: key files 0600, passwords only from env/prompt/files, never echoed."""

from __future__ import annotations

import logging
import os
import stat
import subprocess
import sys
from pathlib import Path

import click
import pytest
from helpers.certs import keytool_field, keytool_list, run_cli
from teams_notify.certs import Bundle, check_bundle
from teams_notify.cli import cert_cmd as cert


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_no_cert_option_takes_a_password_value() -> None:
    """argv is readable by every local user (ps, /proc): the only password options name files."""
    for command in cert.group.commands.values():
        for param in command.params:
            if "password" in (param.name or ""):
                assert isinstance(param.type, click.Path), f"{command.name} --{param.name} takes a value"


def test_key_and_keystore_are_private(tmp_path: Path, certs_store_password: str) -> None:
    old_umask = os.umask(0o022)
    try:
        assert run_cli("cert", "new", "--name", "m", "--out", tmp_path, "--cn", "m").code == 0
        assert run_cli("cert", "csr", "--name", "c", "--out", tmp_path, "--cn", "c").code == 0
    finally:
        os.umask(old_umask)
    bundle = Bundle.at(tmp_path, "m")
    assert _mode(bundle.key) == 0o600
    assert _mode(bundle.jks) == 0o600
    assert _mode(tmp_path / "c.key") == 0o600
    assert _mode(bundle.crt) == 0o644
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "c.csr",
        "c.key",
        "m.crt",
        "m.jks",
        "m.key",
        "m.thumbprint.json",
    ]  # fmt: skip  (no temp files left behind)


def test_passwords_never_appear_in_output_or_logs(
    tmp_path: Path,
    certs_store_password: str,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setenv("TEAMS_NOTIFY_KEY_PASSWORD", "key-secret-42")
    caplog.set_level(logging.DEBUG)
    runs = [
        run_cli("cert", "new", "--name", "s", "--out", tmp_path, "--cn", "s"),
        run_cli("cert", "new", "--name", "s", "--out", tmp_path, "--cn", "s", "--json"),  # refused: exists
        run_cli("cert", "check", tmp_path),
        run_cli("cert", "check", tmp_path, "--json"),
        run_cli("cert", "thumbprint", tmp_path / "s.jks", "--json"),
    ]
    assert [r.code for r in runs] == [0, 2, 0, 0, 0]
    texts = [r.out + r.err for r in runs] + [caplog.text]
    texts += [p.read_text() for p in (tmp_path / "s.crt", tmp_path / "s.thumbprint.json")]
    for secret in (certs_store_password, "key-secret-42"):
        assert all(secret not in text for text in texts)


def test_generated_password_goes_only_into_a_private_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TEAMS_NOTIFY_STORE_PASSWORD", raising=False)
    monkeypatch.delenv("TEAMS_NOTIFY_KEY_PASSWORD", raising=False)
    password_file = tmp_path / "secret" / "store.pw"
    result = run_cli(
        "cert",
        "new",
        "--name",
        "g",
        "--out",
        tmp_path / "b",
        "--cn",
        "g",
        "--generate-password",
        password_file,
    )
    assert result.code == 0, result.err
    password = password_file.read_text().strip()
    assert len(password) >= 32
    assert _mode(password_file) == 0o600
    assert password not in result.out + result.err
    listing = keytool_list(tmp_path / "b" / "g.jks", password)
    assert keytool_field(listing, "Alias name") == "g"
    assert check_bundle(Bundle.at(tmp_path / "b", "g"), password, None) == []
    again = run_cli(
        "cert",
        "new",
        "--name",
        "h",
        "--out",
        tmp_path / "b",
        "--cn",
        "h",
        "--generate-password",
        password_file,
    )
    assert again.code == 2 and "already exists" in again.err
    assert password_file.read_text().strip() == password


def test_no_password_and_no_terminal_is_bad_input(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Scripts never hang on a prompt: without a terminal the env var is required."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TEAMS_NOTIFY_")}
    script = Path(sys.executable).with_name("teams-notify")
    proc = subprocess.run(
        [str(script), "cert", "new", "--name", "n", "--out", str(tmp_path), "--cn", "n"],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        env=env,
        check=False,
    )
    assert proc.returncode == 2
    assert "TEAMS_NOTIFY_STORE_PASSWORD" in proc.stderr
    assert list(tmp_path.iterdir()) == []


def test_short_password_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TEAMS_NOTIFY_STORE_PASSWORD", "abc")
    result = run_cli("cert", "new", "--name", "n", "--out", tmp_path, "--cn", "n")
    assert result.code == 2 and "shorter than 6" in result.err
    assert "abc" not in result.err
