"""`cert check` finds each way a bundle can be inconsistent, with exit 1 and a fix per line."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
from helpers.certs import CERTS_STORE_PASSWORD, make_bundle, run_cli
from teams_notify.certs import Bundle, check_bundle
from teams_notify.certs.bundle import pem_key
from teams_notify.certs.findings import certificate_findings, days_left
from teams_notify.certs.generate import self_signed_certificate

NOW = dt.datetime.now(dt.UTC)


def _check(target: Path | Bundle, *extra: str) -> tuple[int, dict[str, object], str]:
    paths = target.files() if isinstance(target, Bundle) else [target]
    result = run_cli("cert", "check", *(paths if len(paths) > 1 else [target]), "--json", *extra)
    return result.code, json.loads(result.out), result.err


def _messages(report: dict[str, object], level: str) -> list[str]:
    findings = report["findings"]
    assert isinstance(findings, list)
    return [f["message"] for f in findings if f["level"] == level]


def test_good_bundle_passes(tmp_path: Path, certs_key: RSAPrivateKey, certs_store_password: str) -> None:
    bundle = make_bundle(tmp_path, certs_key)
    code, report, _ = _check(tmp_path)
    assert (code, report) == (0, {"ok": True, "findings": []})
    human = run_cli("cert", "check", tmp_path)
    assert human.code == 0 and human.out.startswith("ok ")
    assert check_bundle(bundle, certs_store_password, None) == []


def test_explicit_files_are_checked_like_the_directory(
    tmp_path: Path, certs_key: RSAPrivateKey, certs_store_password: str
) -> None:
    bundle = make_bundle(tmp_path, certs_key)
    code, report, _ = _check(bundle)
    assert (code, report["ok"]) == (0, True)
    only_crt = run_cli("cert", "check", bundle.crt, "--json")
    assert only_crt.code == 0


def test_mismatched_key_is_an_error(
    tmp_path: Path, certs_key: RSAPrivateKey, certs_other_key: RSAPrivateKey, certs_store_password: str
) -> None:
    bundle = make_bundle(tmp_path, certs_key)
    bundle.key.write_bytes(pem_key(certs_other_key))
    code, report, err = _check(tmp_path)
    assert code == 1
    assert _messages(report, "error") == ["demo.key does not belong to the certificate"]
    assert "1 problem(s) found" in err


def test_expired_certificate_is_an_error(
    tmp_path: Path, certs_key: RSAPrivateKey, certs_store_password: str
) -> None:
    make_bundle(tmp_path, certs_key, days=30, valid_from=NOW - dt.timedelta(days=40))
    code, report, _ = _check(tmp_path)
    assert code == 1
    [message] = _messages(report, "error")
    assert message.startswith("demo.crt expired on ")


def test_soon_expiring_certificate_is_a_warning(
    tmp_path: Path, certs_key: RSAPrivateKey, certs_store_password: str
) -> None:
    make_bundle(tmp_path, certs_key, days=20, valid_from=NOW - dt.timedelta(days=10))
    code, report, _ = _check(tmp_path)
    assert code == 0
    [message] = _messages(report, "warning")
    assert message.startswith("demo.crt expires in 9 days")
    assert _check(tmp_path, "--warn-days", "5")[1]["findings"] == []


@pytest.mark.parametrize(("left", "warned"), [(30, False), (29, True)])
def test_expiry_warning_starts_below_warn_days(certs_key: RSAPrivateKey, left: int, warned: bool) -> None:
    """"Fewer than --warn-days days left" is the rule: exactly `warn_days` left is not yet a
    warning, one day fewer is."""
    now = dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC)
    # Valid from a day ago (plus an hour, so whole days left is exactly `left`).
    cert = self_signed_certificate(certs_key, "edge", days=left + 1, valid_from=now - dt.timedelta(hours=23))
    assert days_left(cert, now) == left
    messages = [f.message for f in certificate_findings(cert, "edge.crt", warn_days=30, now=now)]
    ends = f"{cert.not_valid_after_utc:%Y-%m-%d}"
    assert messages == ([f"edge.crt expires in {left} days ({ends})"] if warned else [])


def test_not_yet_valid_certificate_is_an_error(
    tmp_path: Path, certs_key: RSAPrivateKey, certs_store_password: str
) -> None:
    make_bundle(tmp_path, certs_key, valid_from=NOW + dt.timedelta(days=2))
    code, report, _ = _check(tmp_path)
    assert code == 1
    assert _messages(report, "error")[0].startswith("demo.crt is not valid before")


def test_jks_holding_another_certificate_is_an_error(
    tmp_path: Path, certs_key: RSAPrivateKey, certs_other_key: RSAPrivateKey, certs_store_password: str
) -> None:
    bundle = make_bundle(tmp_path / "a", certs_key)
    other = make_bundle(tmp_path / "b", certs_other_key)
    shutil.copyfile(other.jks, bundle.jks)
    code, report, _ = _check(tmp_path / "a")
    assert code == 1
    [message] = _messages(report, "error")
    assert "holds a different certificate than demo.crt" in message and "AADSTS700027" in message
    # The certificate comparison needs no password at all.
    store_less = check_bundle(bundle, None, None)
    assert any("different certificate" in f.message for f in store_less if f.level == "error")


def test_wrong_store_password_is_an_error(
    tmp_path: Path, certs_key: RSAPrivateKey, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_bundle(tmp_path, certs_key)
    monkeypatch.setenv("TEAMS_NOTIFY_STORE_PASSWORD", "not-the-password")
    code, report, _ = _check(tmp_path)
    assert code == 1
    assert _messages(report, "error") == [f"wrong store password for keystore {tmp_path / 'demo.jks'}"]


def test_wrong_key_password_is_an_error(
    tmp_path: Path, certs_key: RSAPrivateKey, certs_store_password: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_bundle(tmp_path, certs_key, key_password="the-key-pw")
    assert _check(tmp_path)[0] == 1  # key password defaults to the store password: wrong here
    monkeypatch.setenv("TEAMS_NOTIFY_KEY_PASSWORD", "the-key-pw")
    assert _check(tmp_path)[0] == 0


def test_without_password_the_keystore_is_compared_but_warned_about(
    tmp_path: Path, certs_key: RSAPrivateKey, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_bundle(tmp_path, certs_key)
    monkeypatch.delenv("TEAMS_NOTIFY_STORE_PASSWORD", raising=False)
    code, report, _ = _check(tmp_path)
    assert code == 0
    [message] = _messages(report, "warning")
    assert "no store password given" in message


def test_password_file_is_used(
    tmp_path: Path, certs_key: RSAPrivateKey, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_bundle(tmp_path / "b", certs_key)
    monkeypatch.delenv("TEAMS_NOTIFY_STORE_PASSWORD", raising=False)
    password_file = tmp_path / "store.pw"
    password_file.write_text(CERTS_STORE_PASSWORD + "\n")
    code, report, _ = _check(tmp_path / "b", "--password-file", str(password_file))
    assert (code, report["findings"]) == (0, [])


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (lambda d: {**d, "x5t": d["sha1_base64"]}, "disagrees with demo.crt on: x5t"),
        (
            lambda d: {k: v for k, v in d.items() if k != "sha256_hex"},
            "disagrees with demo.crt on: sha256_hex",
        ),
        (lambda d: {**d, "not_after": "2099-01-01T00:00:00Z"}, "disagrees with demo.crt on: not_after"),
    ],
)
def test_inconsistent_thumbprint_file_is_an_error(
    tmp_path: Path, certs_key: RSAPrivateKey, certs_store_password: str, edit: object, expected: str
) -> None:
    bundle = make_bundle(tmp_path, certs_key)
    recorded = json.loads(bundle.thumbprint_json.read_text())
    bundle.thumbprint_json.write_text(json.dumps(edit(recorded)))  # type: ignore[operator]
    code, report, _ = _check(tmp_path)
    assert code == 1
    assert _messages(report, "error") == [f"demo.thumbprint.json {expected}"]


def test_thumbprint_file_can_be_regenerated_with_cert_thumbprint(
    tmp_path: Path, certs_key: RSAPrivateKey, certs_store_password: str
) -> None:
    bundle = make_bundle(tmp_path, certs_key)
    bundle.thumbprint_json.write_text("not json")
    assert _check(tmp_path)[0] == 1
    bundle.thumbprint_json.write_text(run_cli("cert", "thumbprint", bundle.crt, "--json").out)
    assert _check(tmp_path)[0] == 0


def test_missing_parts(tmp_path: Path, certs_key: RSAPrivateKey, certs_store_password: str) -> None:
    bundle = make_bundle(tmp_path, certs_key)
    bundle.key.unlink()
    code, report, _ = _check(tmp_path)
    assert code == 0 and "demo.key is missing" in _messages(report, "warning")[0]
    bundle.jks.unlink()
    code, report, _ = _check(tmp_path)
    assert code == 1 and "does not exist" in _messages(report, "error")[0]


def test_directory_without_one_bundle_is_bad_input(tmp_path: Path, certs_store_password: str) -> None:
    result = run_cli("cert", "check", tmp_path)
    assert result.code == 2 and "no .crt file" in result.err
    unknown = tmp_path / "notes.txt"
    unknown.write_text("x")
    result = run_cli("cert", "check", unknown, tmp_path / "a.jks")
    assert result.code == 2 and "extension" in result.err


def test_import_refuses_an_expired_certificate(
    tmp_path: Path, certs_key: RSAPrivateKey, certs_store_password: str
) -> None:
    expired = make_bundle(tmp_path / "old", certs_key, days=10, valid_from=NOW - dt.timedelta(days=20))
    result = run_cli(
        "cert",
        "import",
        "--cert",
        expired.crt,
        "--key",
        expired.key,
        "--name",
        "n",
        "--out",
        tmp_path / "new",
    )
    assert result.code == 2 and "expired on" in result.err
    assert not (tmp_path / "new").exists()


def test_short_rsa_key_is_an_error(tmp_path: Path, certs_store_password: str) -> None:
    weak = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    make_bundle(tmp_path, weak)
    code, report, _ = _check(tmp_path)
    assert code == 1
    assert _messages(report, "error") == ["demo.crt has a 1024-bit RSA key"]
