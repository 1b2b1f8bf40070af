"""Reading certificates from every container, and clear errors for the files people mix up."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
from helpers.certs import CERTS_STORE_PASSWORD, OpensslChain, export_pfx, make_bundle, run_tool
from teams_notify.certs import jks_certificate, jks_private_key, load_certificate, read_jks
from teams_notify.certs.load import load_pem_key_and_chain, sniff_format
from teams_notify.errors import BadInputError


def test_every_container_gives_the_same_certificate(
    tmp_path: Path, certs_openssl_chain: OpensslChain, certs_key: RSAPrivateKey
) -> None:
    chain = certs_openssl_chain
    der, pfx = tmp_path / "leaf.der", tmp_path / "leaf.p12"
    run_tool("openssl", "x509", "-in", chain.leaf_pem, "-outform", "DER", "-out", der)
    export_pfx(chain, pfx, "pfx-pass")
    leaf = load_certificate(chain.leaf_pem)
    assert load_certificate(chain.chain_pem) == leaf  # first certificate of a chain file
    assert load_certificate(der) == leaf
    assert load_certificate(pfx, "pfx-pass") == leaf
    assert [sniff_format(p.read_bytes()) for p in (chain.leaf_pem, der, pfx)] == ["pem", "der", "pkcs12"]
    bundle = make_bundle(tmp_path / "b", certs_key)
    assert load_certificate(bundle.jks) == load_certificate(bundle.crt) == jks_certificate(bundle.jks, None)
    assert sniff_format(bundle.jks.read_bytes()) == "jks"


def test_jks_alias_lookup_and_key(tmp_path: Path, certs_key: RSAPrivateKey) -> None:
    bundle = make_bundle(tmp_path, certs_key, name="Named")
    entry = read_jks(bundle.jks, CERTS_STORE_PASSWORD, alias="NAMED")
    assert entry.alias == "named"
    assert jks_private_key(bundle.jks, CERTS_STORE_PASSWORD).private_numbers() == certs_key.private_numbers()
    with pytest.raises(BadInputError, match="no private-key entry 'other'"):
        read_jks(bundle.jks, None, alias="other")
    with pytest.raises(BadInputError, match="wrong store password"):
        read_jks(bundle.jks, "nope-nope")


def _pem_block(label: str, body: bytes) -> bytes:
    return b"-----BEGIN %s-----\n%s\n-----END %s-----\n" % (label.encode(), body, label.encode())


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "is empty"),
        (b"hello world", "not a certificate file"),
        # A PEM block that is not a certificate (a dummy body; built so no key marker sits in git).
        (_pem_block("PRIVATE KEY", b"AAAA"), "holds no PEM certificate"),
        (b"\xfe\xed\xfe\xed\x00\x00\x00\x02\x00\x00\x00\x01", "not a readable Java KeyStore"),
        (b"\x30\x03\x02\x01\x03", "PKCS#12"),
        (b"\x30\x03\x30\x01\x00", "not a readable DER certificate"),
    ],
)
def test_unreadable_files_name_the_problem(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "input.crt"
    path.write_bytes(content)
    with pytest.raises(BadInputError, match=message) as caught:
        load_certificate(path)
    assert caught.value.fix


def test_missing_and_directory_inputs(tmp_path: Path) -> None:
    with pytest.raises(BadInputError, match="does not exist"):
        load_certificate(tmp_path / "nope.crt")
    with pytest.raises(BadInputError, match="is a directory"):
        load_certificate(tmp_path)


def test_key_and_certificate_in_one_pem_file(tmp_path: Path, certs_openssl_chain: OpensslChain) -> None:
    combined = tmp_path / "combined.pem"
    combined.write_bytes(
        certs_openssl_chain.leaf_key.read_bytes() + certs_openssl_chain.chain_pem.read_bytes()
    )
    loaded = load_pem_key_and_chain(combined, None, None)
    assert loaded.certificate == load_certificate(certs_openssl_chain.leaf_pem)
    assert [c.subject.rfc4514_string() for c in loaded.chain] == [
        "O=Contoso,CN=servicenow-teams",
        "CN=test-ca",
    ]
