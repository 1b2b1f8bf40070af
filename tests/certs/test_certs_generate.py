"""`cert new` and `cert csr`: sizes, validity limits, signatures, overwrite protection."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from cryptography import x509
from helpers.certs import run_cli, run_tool
from teams_notify.certs import Bundle, load_certificate, load_private_key
from teams_notify.certs import generate as generate_module
from teams_notify.cli import cert_cmd as cert_cli


def test_cli_defaults_match_the_library() -> None:
    """The CLI keeps copies of these numbers so `--help` does not import cryptography."""
    assert cert_cli._DEFAULT_DAYS == generate_module.DEFAULT_DAYS
    assert cert_cli._MAX_DAYS == generate_module.MAX_DAYS
    assert tuple(int(s) for s in cert_cli._KEY_SIZES) == generate_module.KEY_SIZES


def test_cert_new_makes_a_sha256_self_signed_certificate(tmp_path: Path, certs_store_password: str) -> None:
    result = run_cli("cert", "new", "--name", "n", "--out", tmp_path, "--cn", "notify-poc", "--json")
    assert result.code == 0, result.err
    report = json.loads(result.out)
    bundle = Bundle.at(tmp_path, "n")
    assert report["files"]["jks"] == str(bundle.jks) and report["alias"] == "n"
    cert = load_certificate(bundle.crt)
    assert cert.signature_hash_algorithm is not None and cert.signature_hash_algorithm.name == "sha256"
    assert cert.subject == cert.issuer
    assert cert.subject.rfc4514_string() == "CN=notify-poc"
    lifetime = cert.not_valid_after_utc - cert.not_valid_before_utc
    assert lifetime == dt.timedelta(days=365)
    assert load_private_key(bundle.key).key_size == 2048
    run_tool("openssl", "verify", "-CAfile", bundle.crt, bundle.crt)


@pytest.mark.parametrize("bad", [["--days", "0"], ["--days", "1096"], ["--key-size", "1024"], ["--cn", ""]])
def test_out_of_range_options_are_bad_input(
    tmp_path: Path, certs_store_password: str, bad: list[str]
) -> None:
    args = {"--name": "n", "--out": str(tmp_path), "--cn": "c", "--days": "30"}
    args[bad[0]] = bad[1]
    result = run_cli("cert", "new", *[x for pair in args.items() for x in pair])
    assert result.code == 2
    assert "Traceback" not in result.err
    assert list(tmp_path.iterdir()) == []


def test_longest_allowed_validity(tmp_path: Path, certs_store_password: str) -> None:
    result = run_cli("cert", "new", "--name", "n", "--out", tmp_path, "--cn", "c", "--days", "1095")
    assert result.code == 0, result.err
    cert = load_certificate(tmp_path / "n.crt")
    assert cert.not_valid_after_utc - cert.not_valid_before_utc == dt.timedelta(days=1095)


def test_existing_bundle_is_not_replaced_without_force(tmp_path: Path, certs_store_password: str) -> None:
    cmd = ("cert", "new", "--name", "n", "--out", tmp_path, "--cn", "c")
    assert run_cli(*cmd).code == 0
    first = (tmp_path / "n.crt").read_bytes()
    refused = run_cli(*cmd)
    assert refused.code == 2 and "--force" in refused.err
    assert (tmp_path / "n.crt").read_bytes() == first
    assert run_cli(*cmd, "--force").code == 0
    assert (tmp_path / "n.crt").read_bytes() != first


def test_bad_bundle_name_is_bad_input(tmp_path: Path, certs_store_password: str) -> None:
    result = run_cli("cert", "new", "--name", "../escape", "--out", tmp_path, "--cn", "c")
    assert result.code == 2 and "plain file name" in result.err


def test_csr_is_valid_and_matches_its_key(tmp_path: Path) -> None:
    result = run_cli(
        "cert", "csr", "--name", "prod", "--out", tmp_path, "--cn", "teams-prod", "--org", "Contoso",
        "--country", "de", "--key-size", "4096", "--json",
    )  # fmt: skip
    assert result.code == 0, result.err
    assert json.loads(result.out)["subject"] == "C=DE,O=Contoso,CN=teams-prod"
    run_tool("openssl", "req", "-in", tmp_path / "prod.csr", "-noout", "-verify")
    request = x509.load_pem_x509_csr((tmp_path / "prod.csr").read_bytes())
    key = load_private_key(tmp_path / "prod.key")
    assert key.key_size == 4096
    assert request.public_key() == key.public_key()
    assert request.signature_hash_algorithm is not None and request.signature_hash_algorithm.name == "sha256"


def test_csr_rejects_bad_country(tmp_path: Path) -> None:
    result = run_cli("cert", "csr", "--name", "p", "--out", tmp_path, "--cn", "c", "--country", "Germany")
    assert result.code == 2 and "2-letter" in result.err
