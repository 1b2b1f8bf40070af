"""Reading certificates and keys from PEM, DER, PKCS#12/PFX and JKS files.

Every failure on a user's file is a BadInputError naming the file and what to do; no parser
exception escapes as a traceback.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
from cryptography.hazmat.primitives.asymmetric.types import CertificatePublicKeyTypes, PublicKeyTypes
from cryptography.hazmat.primitives.serialization import pkcs12

from teams_notify.certs.parsing import parsing
from teams_notify.errors import BadInputError
from teams_notify.files import read_input

Format = Literal["pem", "der", "pkcs12", "jks"]

JKS_MAGIC = (b"\xfe\xed\xfe\xed", b"\xce\xce\xce\xce")  # JKS, JCEKS
_PEM_MARKER = b"-----BEGIN "
_CERT_FORMATS_FIX = "give a certificate as PEM, DER, PKCS#12 (.pfx/.p12) or JKS"


@dataclass(frozen=True)
class KeyAndChain:
    """A private key with its certificate first, then the CA chain (issuer order)."""

    key: RSAPrivateKey
    chain: list[x509.Certificate]

    @property
    def certificate(self) -> x509.Certificate:
        return self.chain[0]


def sniff_format(data: bytes) -> Format | None:
    """Recognise the container from its first bytes; None if it is none of ours."""
    if data[:4] in JKS_MAGIC:
        return "jks"
    if _PEM_MARKER in data[:4096] or data.lstrip().startswith(_PEM_MARKER):
        return "pem"
    if data[:1] != b"\x30":
        return None
    # Both a certificate and a PFX are a DER SEQUENCE; a PFX's first element is INTEGER 3
    # (its version) where a certificate has another SEQUENCE (the TBSCertificate).
    first = _first_inner_element(data)
    return "pkcs12" if first == b"\x02\x01\x03" else "der"


def _first_inner_element(data: bytes) -> bytes:
    if len(data) < 2:
        return b""
    length_byte = data[1]
    header = 2 + (length_byte - 0x80 if length_byte > 0x80 else 0)
    return data[header : header + 3]


def load_certificate(path: Path, password: str | None = None) -> x509.Certificate:
    """The certificate in a PEM, DER, PKCS#12 or JKS file (the leaf: first PEM cert, the PFX's
    key certificate, the JKS private-key entry's certificate)."""
    data = read_input(path, "certificate file")
    fmt = sniff_format(data)
    if fmt == "jks":
        from teams_notify.certs.jks import jks_certificate

        return jks_certificate(path, password)
    if fmt == "pkcs12":
        return _pkcs12_certificate(path, data, password)
    if fmt == "pem":
        return pem_certificates(path, data)[0]
    if fmt == "der":
        with parsing(path, "DER certificate", fix=_CERT_FORMATS_FIX):
            return fully_parsed(x509.load_der_x509_certificate(data))
    raise BadInputError(f"{path} is not a certificate file (unknown format)", fix=_CERT_FORMATS_FIX)


def pem_certificates(path: Path, data: bytes | None = None) -> list[x509.Certificate]:
    """All certificates in a PEM file, in file order; at least one."""
    data = read_input(path, "PEM file") if data is None else data
    if b"-----BEGIN CERTIFICATE-----" not in data:
        raise BadInputError(f"{path} holds no PEM certificate", fix=_CERT_FORMATS_FIX)
    with parsing(path, "PEM certificate", fix="the file looks damaged or truncated; copy it again"):
        return [fully_parsed(cert) for cert in x509.load_pem_x509_certificates(data)]


def fully_parsed(cert: x509.Certificate) -> x509.Certificate:
    """cryptography decodes some fields only when first read; read the ones we use now, so a
    damaged certificate fails here (inside `parsing`) and not later in the middle of a command."""
    cert.subject.rfc4514_string()
    cert.issuer.rfc4514_string()
    _ = cert.not_valid_before_utc, cert.not_valid_after_utc
    cert.public_key()
    return cert


def load_private_key(path: Path, password: str | None = None, *, validate: bool = True) -> RSAPrivateKey:
    """An RSA private key from a PEM or DER file, decrypted with `password` if it is encrypted.

    `validate=False` skips RSA's private-key consistency check (about 35 ms a key): enough when
    only the public half is compared with a certificate, as synth does for every tenant.
    """
    data = read_input(path, "private key file")
    pem = _PEM_MARKER in data
    if pem and b"PRIVATE KEY-----" not in data:
        raise BadInputError(f"{path} holds no PEM private key", fix="give the key file (BEGIN PRIVATE KEY)")
    loader = serialization.load_pem_private_key if pem else serialization.load_der_private_key
    with parsing(path, "private key", fix="check the file and its password"):
        try:
            key = loader(data, password=None, unsafe_skip_rsa_key_validation=not validate)
        except TypeError:  # cryptography's way of saying "this key is encrypted"
            if password is None:
                raise BadInputError(
                    f"private key {path} is encrypted and no password was given",
                    fix="set TEAMS_NOTIFY_INPUT_PASSWORD or answer the prompt",
                ) from None
            key = loader(
                data, password=password.encode("utf-8"), unsafe_skip_rsa_key_validation=not validate
            )
    return require_rsa(key, path)


def require_rsa(key: object, source: Path) -> RSAPrivateKey:
    """ServiceNow signs the assertion with RS256, so only RSA keys will work."""
    if not isinstance(key, RSAPrivateKey):
        raise BadInputError(
            f"the key in {source} is {type(key).__name__.lstrip('_')}, not RSA",
            fix="ServiceNow signs with RS256: use an RSA key of 2048 bits or more",
        )
    return key


def _pkcs12_certificate(path: Path, data: bytes, password: str | None) -> x509.Certificate:
    loaded = _open_pkcs12(path, data, password)
    certs = [item.certificate for item in ([loaded.cert] if loaded.cert else []) + loaded.additional_certs]
    if certs:
        with parsing(path, "PKCS#12 certificate", fix=_CERT_FORMATS_FIX):
            return fully_parsed(certs[0])
    raise BadInputError(f"PKCS#12 file {path} holds no certificate", fix=_CERT_FORMATS_FIX)


def _open_pkcs12(path: Path, data: bytes, password: str | None) -> pkcs12.PKCS12KeyAndCertificates:
    # A PFX exported "without password" is protected either by no password or by the empty one.
    attempts = [password.encode("utf-8")] if password is not None else [None, b""]
    for secret in attempts:
        try:
            return pkcs12.load_pkcs12(data, secret)
        except (ValueError, TypeError) as err:
            failure = err
    raise _pkcs12_error(path, password) from failure


def _pkcs12_error(path: Path, password: str | None) -> BadInputError:
    cause = (
        f"cannot open PKCS#12 file {path}: it needs a password, or the file is damaged"
        if password is None
        else f"cannot open PKCS#12 file {path}: wrong password, or the file is damaged"
    )
    return BadInputError(cause, fix="set TEAMS_NOTIFY_INPUT_PASSWORD to the PFX password")


def load_pkcs12(path: Path, password: str | None) -> KeyAndChain:
    """Key and chain from a PFX (as exported by Windows, Azure Key Vault or `openssl pkcs12`)."""
    data = read_input(path, "PKCS#12 file")
    if sniff_format(data) != "pkcs12":
        raise BadInputError(f"{path} is not a PKCS#12/PFX file", fix="give the .pfx/.p12 file")
    loaded = _open_pkcs12(path, data, password)
    if loaded.key is None or loaded.cert is None:
        raise BadInputError(
            f"PKCS#12 file {path} does not hold both a private key and its certificate",
            fix="export the certificate WITH its private key",
        )
    key = require_rsa(loaded.key, path)
    with parsing(path, "PKCS#12 certificate", fix=_CERT_FORMATS_FIX):
        certs = [fully_parsed(item.certificate) for item in [loaded.cert, *loaded.additional_certs]]
    return KeyAndChain(key, order_chain(key, certs, path))


def key_file_is_encrypted(path: Path) -> bool:
    """True for a PEM key protected by a password (PKCS#8 or the traditional OpenSSL format)."""
    return b"ENCRYPTED" in read_input(path, "private key file")


def load_pem_key_and_chain(cert_path: Path, key_path: Path | None, password: str | None) -> KeyAndChain:
    """Key and chain from PEM files; the key may sit in the certificate file itself."""
    certs = pem_certificates(cert_path)
    key = load_private_key(key_path or cert_path, password)
    return KeyAndChain(key, order_chain(key, certs, cert_path))


def order_chain(key: RSAPrivateKey, certs: list[x509.Certificate], source: Path) -> list[x509.Certificate]:
    """The certificate matching `key` first, then each issuer after its subject; certs that are
    not part of the path keep their file order at the end."""
    leaf = next((c for c in certs if public_key_matches(key, c)), None)
    if leaf is None:
        raise BadInputError(
            f"no certificate in {source} belongs to the private key",
            fix="pair the key with the certificate the CA issued for its CSR",
        )
    ordered = [leaf]
    rest = [c for c in certs if c is not leaf]
    while issuer := next((c for c in rest if c.subject == ordered[-1].issuer), None):
        if issuer.subject == ordered[-1].subject:
            break
        ordered.append(issuer)
        rest.remove(issuer)
    return ordered + rest


def public_key_matches(key: RSAPrivateKey, cert: x509.Certificate) -> bool:
    """True when the certificate carries this key's public half."""
    return _spki(cert.public_key()) == _spki(key.public_key())


def _spki(public_key: CertificatePublicKeyTypes | PublicKeyTypes) -> bytes:
    der = serialization.Encoding.DER
    spki = serialization.PublicFormat.SubjectPublicKeyInfo
    return public_key.public_bytes(der, spki)
