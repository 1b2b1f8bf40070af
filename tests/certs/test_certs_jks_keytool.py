"""Keystores we write are read by Java's own keytool: same alias, same certificate as the .crt."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers.certs import (
    OpensslChain,
    export_pfx,
    keytool_field,
    keytool_list,
    openssl_fingerprint,
    run_cli,
    run_tool,
)
from teams_notify.certs import Bundle, Thumbprints, jks_certificate, jks_private_key, load_certificate
from teams_notify.errors import BadInputError

pytestmark = pytest.mark.java


def _colon_hex(hex_text: str) -> str:
    return ":".join(hex_text[i : i + 2] for i in range(0, len(hex_text), 2))


def _assert_keytool_agrees(bundle: Bundle, password: str, alias: str, chain_length: int = 1) -> None:
    listing = keytool_list(bundle.jks, password)
    assert keytool_field(listing, "Alias name") == alias
    assert keytool_field(listing, "Entry type") == "PrivateKeyEntry"
    assert keytool_field(listing, "Certificate chain length") == str(chain_length)
    crt_sha1 = openssl_fingerprint(bundle.crt, "sha1")
    assert keytool_field(listing, "SHA1") == _colon_hex(crt_sha1)
    recorded = json.loads(bundle.thumbprint_json.read_text())
    assert recorded["sha1_hex"] == crt_sha1


def test_cert_new_jks_is_read_by_keytool(tmp_path: Path, certs_store_password: str) -> None:
    result = run_cli(
        "cert", "new", "--name", "poc", "--out", tmp_path, "--cn", "teams-poc", "--alias", "Teams-JWT"
    )
    assert result.code == 0, result.err
    assert "proofs of concept only" in result.err
    _assert_keytool_agrees(Bundle.at(tmp_path, "poc"), certs_store_password, alias="teams-jwt")


def test_separate_key_password_is_the_one_keytool_needs(
    tmp_path: Path, certs_store_password: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TEAMS_NOTIFY_KEY_PASSWORD", "key-pw-Zz9")
    result = run_cli(
        "cert", "new", "--name", "split", "--out", tmp_path, "--cn", "split", "--key-size", "3072"
    )
    assert result.code == 0, result.err
    bundle = Bundle.at(tmp_path, "split")
    _assert_keytool_agrees(bundle, certs_store_password, alias="split")
    # Converting to PKCS#12 makes keytool decrypt the key entry: only the key password works.
    dest = tmp_path / "out.p12"
    env = {"SRC": certs_store_password, "DEST": "dest-pw-123", "KEYPW": "key-pw-Zz9"}
    run_tool(
        "keytool",
        "-importkeystore",
        "-srckeystore",
        bundle.jks,
        "-srcstorepass:env",
        "SRC",
        "-srckeypass:env",
        "KEYPW",
        "-srcalias",
        "split",
        "-destkeystore",
        dest,
        "-deststoretype",
        "PKCS12",
        "-deststorepass:env",
        "DEST",
        "-noprompt",
        env=env,
    )
    assert dest.stat().st_size > 0
    key = jks_private_key(bundle.jks, certs_store_password, "key-pw-Zz9")
    assert key.key_size == 3072


def test_pem_import_with_chain_is_read_by_keytool(
    tmp_path: Path, certs_store_password: str, certs_openssl_chain: OpensslChain
) -> None:
    chain = certs_openssl_chain
    result = run_cli(
        "cert",
        "import",
        "--cert",
        chain.chain_pem,
        "--key",
        chain.leaf_key,
        "--name",
        "issued",
        "--out",
        tmp_path,
    )
    assert result.code == 0, result.err
    bundle = Bundle.at(tmp_path, "issued")
    _assert_keytool_agrees(bundle, certs_store_password, alias="issued", chain_length=2)
    assert openssl_fingerprint(bundle.crt, "sha1") == openssl_fingerprint(chain.leaf_pem, "sha1")
    listing = keytool_list(bundle.jks, certs_store_password)
    assert "Issuer: CN=test-ca" in listing


def test_ca_then_leaf_order_in_the_file_still_puts_the_leaf_first(
    tmp_path: Path, certs_store_password: str, certs_openssl_chain: OpensslChain
) -> None:
    reversed_chain = tmp_path / "ca-first.pem"
    reversed_chain.write_bytes(
        certs_openssl_chain.ca_pem.read_bytes() + certs_openssl_chain.leaf_pem.read_bytes()
    )
    result = run_cli(
        "cert",
        "import",
        "--cert",
        reversed_chain,
        "--key",
        certs_openssl_chain.leaf_key,
        "--name",
        "rev",
        "--out",
        tmp_path / "b",
    )
    assert result.code == 0, result.err
    bundle = Bundle.at(tmp_path / "b", "rev")
    leaf = load_certificate(certs_openssl_chain.leaf_pem)
    assert jks_certificate(bundle.jks, None) == leaf == load_certificate(bundle.crt)


def test_pfx_from_openssl_imports_correctly(
    tmp_path: Path,
    certs_store_password: str,
    certs_openssl_chain: OpensslChain,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    chain = certs_openssl_chain
    pfx = export_pfx(chain, tmp_path / "issued.pfx", "pfx-pw-456", with_ca=True)
    monkeypatch.setenv("TEAMS_NOTIFY_INPUT_PASSWORD", "pfx-pw-456")
    result = run_cli("cert", "import", "--pfx", pfx, "--name", "frompfx", "--out", tmp_path / "b", "--json")
    assert result.code == 0, result.err
    bundle = Bundle.at(tmp_path / "b", "frompfx")
    _assert_keytool_agrees(bundle, certs_store_password, alias="frompfx", chain_length=2)
    assert json.loads(result.out)["thumbprints"] == Thumbprints.of(load_certificate(chain.leaf_pem)).to_json()
    assert (
        run_cli("cert", "thumbprint", pfx, "--json").out
        == run_cli("cert", "thumbprint", bundle.crt, "--json").out
    )


def test_pfx_with_wrong_password_is_bad_input(
    tmp_path: Path,
    certs_store_password: str,
    certs_openssl_chain: OpensslChain,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pfx = export_pfx(certs_openssl_chain, tmp_path / "issued.pfx", "right-pw")
    monkeypatch.setenv("TEAMS_NOTIFY_INPUT_PASSWORD", "wrong-pw")
    result = run_cli("cert", "import", "--pfx", pfx, "--name", "x", "--out", tmp_path / "b")
    assert result.code == 2
    assert "wrong password" in result.err and "TEAMS_NOTIFY_INPUT_PASSWORD" in result.err
    assert not (tmp_path / "b").exists()
    thumb = run_cli("cert", "thumbprint", pfx)
    assert thumb.code == 2 and "wrong password" in thumb.err


def test_encrypted_pem_key_imports_with_input_password(
    tmp_path: Path,
    certs_store_password: str,
    certs_openssl_chain: OpensslChain,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    encrypted = tmp_path / "enc.key"
    run_tool(
        "openssl",
        "pkcs8",
        "-topk8",
        "-in",
        certs_openssl_chain.leaf_key,
        "-passout",
        "env:KP",
        "-out",
        encrypted,
        env={"KP": "input-pw-789"},
    )
    cmd = ("cert", "import", "--cert", certs_openssl_chain.leaf_pem, "--key", encrypted, "--name", "e")
    no_password = run_cli(*cmd, "--out", tmp_path / "a")
    assert no_password.code == 2 and "TEAMS_NOTIFY_INPUT_PASSWORD" in no_password.err
    monkeypatch.setenv("TEAMS_NOTIFY_INPUT_PASSWORD", "input-pw-789")
    result = run_cli(*cmd, "--out", tmp_path / "b")
    assert result.code == 0, result.err
    _assert_keytool_agrees(Bundle.at(tmp_path / "b", "e"), certs_store_password, alias="e")


def test_key_that_does_not_match_is_refused(
    tmp_path: Path, certs_store_password: str, certs_openssl_chain: OpensslChain
) -> None:
    ca_key = certs_openssl_chain.folder / "test-ca.key"
    result = run_cli(
        "cert",
        "import",
        "--cert",
        certs_openssl_chain.leaf_pem,
        "--key",
        ca_key,
        "--name",
        "x",
        "--out",
        tmp_path,
    )
    assert result.code == 2
    assert "belongs to the private key" in result.err
    assert list(tmp_path.iterdir()) == []


def _keytool_keypair(jks: Path, alias: str, password: str) -> None:
    """One more private-key entry, made by keytool itself, in a JKS."""
    run_tool(
        "keytool",
        "-genkeypair",
        "-alias",
        alias,
        "-keyalg",
        "RSA",
        "-keysize",
        "2048",
        "-dname",
        f"CN={alias}",
        "-validity",
        "30",
        "-storetype",
        "JKS",
        "-keystore",
        jks,
        "-storepass:env",
        "KT_PASS",
        "-keypass:env",
        "KT_PASS",
        env={"KT_PASS": password},
    )


def test_two_private_key_entries_need_an_alias(tmp_path: Path) -> None:
    """Without an alias a keystore with two keys is refused (taking the first would sign with
    a key nobody chose); with one, that entry is read."""
    password = "keytool-two-entries-pw"
    jks = tmp_path / "two.jks"
    _keytool_keypair(jks, "first", password)
    _keytool_keypair(jks, "second", password)
    with pytest.raises(BadInputError) as refused:
        jks_certificate(jks, password)
    assert refused.value.cause == f"keystore {jks} has 2 private-key entries (first, second), expected one"
    assert refused.value.fix is not None and "--alias" in refused.value.fix
    for alias in ("first", "second"):
        cert = jks_certificate(jks, password, alias=alias)
        assert cert.subject.rfc4514_string() == f"CN={alias}"
    result = run_cli("cert", "thumbprint", jks)
    assert result.code == 2
    assert (
        result.err.splitlines()[0]
        == f"error: keystore {jks} has 2 private-key entries (first, second), expected one"
    )
