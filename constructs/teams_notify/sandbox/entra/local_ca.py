"""The local Entra's own keys: a CA, a TLS server certificate it signs for 127.0.0.1/localhost,
and the RSA key that signs access tokens. Kept in a data folder so clients that trust the CA
file keep trusting it across restarts; private keys are written mode 0600.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from teams_notify.errors import BadInputError

CA_FILE = "entra-ca.pem"
CA_KEY_FILE = "entra-ca-key.pem"
SERVER_CERT_FILE = "entra-server.pem"
SERVER_KEY_FILE = "entra-server-key.pem"
SIGNING_KEY_FILE = "entra-signing-key.pem"
LIFETIME = dt.timedelta(days=365)
RENEW_BEFORE = dt.timedelta(days=7)

PrivateKey = ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey


@dataclass(frozen=True)
class LocalKeys:
    ca_file: Path
    server_cert_file: Path
    server_key_file: Path
    signing_key: rsa.RSAPrivateKey

    def tls_context(self) -> ssl.SSLContext:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.server_cert_file, self.server_key_file)
        return context


def local_keys(data_dir: Path, hosts: tuple[str, ...]) -> LocalKeys:
    """Load the keys in `data_dir`, creating what is missing; a server certificate that expires
    soon or does not name every host in `hosts` is issued again under the same CA."""
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        ca_key = _load_or_create_key(data_dir / CA_KEY_FILE, _new_ec_key)
        ca_cert = _load_or_create_ca(data_dir / CA_FILE, ca_key)
        server_key = _load_or_create_key(data_dir / SERVER_KEY_FILE, _new_ec_key)
        _ensure_server_cert(data_dir / SERVER_CERT_FILE, server_key, ca_cert, ca_key, hosts)
        signing_key = _load_or_create_key(data_dir / SIGNING_KEY_FILE, _new_rsa_key)
        if not isinstance(signing_key, rsa.RSAPrivateKey):
            raise ValueError(f"{SIGNING_KEY_FILE} is not an RSA key")
    except (OSError, ValueError) as err:
        raise BadInputError(
            f"cannot use the local Entra's key folder {data_dir}: {err}",
            fix="point --data-dir at a writable folder, or delete this one to get a new CA "
            "(clients must then trust the new CA file)",
        ) from None
    return LocalKeys(data_dir / CA_FILE, data_dir / SERVER_CERT_FILE, data_dir / SERVER_KEY_FILE, signing_key)


def _new_ec_key() -> PrivateKey:
    return ec.generate_private_key(ec.SECP256R1())  # fast to generate, fine for TLS


def _new_rsa_key() -> PrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)  # access tokens are RS256


def _load_or_create_key(path: Path, new: Callable[[], PrivateKey]) -> PrivateKey:
    if path.exists():
        # Our own key file: skipping the RSA consistency check saves ~70 ms per start.
        key = serialization.load_pem_private_key(
            path.read_bytes(), password=None, unsafe_skip_rsa_key_validation=True
        )
        if not isinstance(key, ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey):
            raise ValueError(f"{path.name} is neither an EC nor an RSA key")
        return key
    key = new()
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(pem)
    return key


def _name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def _load_or_create_ca(path: Path, key: PrivateKey) -> x509.Certificate:
    if path.exists():
        cert = x509.load_pem_x509_certificate(path.read_bytes())
        if cert.public_key() == key.public_key():
            return cert
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name("teams-notify local Entra CA"))
        .issuer_name(_name("teams-notify local Entra CA"))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + 10 * LIFETIME)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return cert


def _san(host: str) -> x509.GeneralName:
    try:
        return x509.IPAddress(ipaddress.ip_address(host))
    except ValueError:
        return x509.DNSName(host)


def _ensure_server_cert(
    path: Path,
    key: PrivateKey,
    ca_cert: x509.Certificate,
    ca_key: PrivateKey,
    hosts: tuple[str, ...],
) -> None:
    names = [_san(h) for h in dict.fromkeys(("localhost", "127.0.0.1", "::1", *hosts))]
    now = dt.datetime.now(dt.UTC)
    if path.exists():
        cert = x509.load_pem_x509_certificate(path.read_bytes())
        sans = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        if (
            cert.issuer == ca_cert.subject
            and cert.public_key() == key.public_key()
            and cert.not_valid_after_utc - RENEW_BEFORE > now
            and all(n in sans for n in names)
        ):
            return
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name("localhost"))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + LIFETIME)
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
