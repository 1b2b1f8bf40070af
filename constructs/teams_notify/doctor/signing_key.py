"""The private key the assertion is signed with: from the tenant's local bundle (the `.jks`
ServiceNow got a copy of), or with `--key-from-instance` from the JKS attached on the instance.

Passwords come from the environment or a prompt, never from argv: the store password from
TEAMS_NOTIFY_STORE_PASSWORD or the stack's TF_VAR_keystore_password_<key>; the key password
from TEAMS_NOTIFY_KEY_PASSWORD or TF_VAR_key_password_<key>, else the store password. A wrong
password is bad input (exit 2), not a finding.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey

from teams_notify.certs import JksEntry, parse_jks, read_jks
from teams_notify.certs.load import public_key_matches
from teams_notify.certs.secrets import KEY_PASSWORD_ENV, STORE_PASSWORD_ENV, from_env_or_prompt
from teams_notify.config import CertificateConfig
from teams_notify.doctor.outcome import Check, failed, passed
from teams_notify.doctor.snapshot import JksFile
from teams_notify.stacks.variable_names import key_password_variable, keystore_password_variable


@dataclass(frozen=True)
class SigningKey:
    key: RSAPrivateKey
    certificate: x509.Certificate
    source: str


def store_password(cert: CertificateConfig) -> str:
    tf_var = f"TF_VAR_{keystore_password_variable(cert.key)}"
    found = os.environ.get(STORE_PASSWORD_ENV) or os.environ.get(tf_var)
    return found or from_env_or_prompt(STORE_PASSWORD_ENV, f"Store password of {cert.jks.name}")


def key_password(cert: CertificateConfig, store: str) -> str:
    tf_var = f"TF_VAR_{key_password_variable(cert.key)}"
    return os.environ.get(KEY_PASSWORD_ENV) or os.environ.get(tf_var) or store


def _unlock(entry: JksEntry, cert: CertificateConfig, store: str, source: str) -> SigningKey:
    return SigningKey(entry.private_key(key_password(cert, store)), entry.certificate, source)


def local_signing_key(cert: CertificateConfig) -> SigningKey:
    """The key in the tenant's local `.jks` (BadInputError on a wrong password)."""
    store = store_password(cert)
    return _unlock(read_jks(cert.jks, store), cert, store, str(cert.jks))


def instance_signing_key(jks: JksFile, cert: CertificateConfig, instance_url: str) -> SigningKey:
    """The key in the JKS attached on the instance's keystore record."""
    source = f"{instance_url} attachment {jks.file_name}"
    store = store_password(cert)
    return _unlock(parse_jks(jks.content, Path(source), store), cert, store, source)


def signing_key_check(key: SigningKey, instance_certificate: x509.Certificate | None) -> Check:
    """The key signs for the certificate ServiceNow holds (else Entra finds a mismatch: 700027)."""
    name = "signing key"
    if instance_certificate is None:
        return passed(name, f"key from {key.source} (no certificate on the instance to compare with)")
    if public_key_matches(key.key, instance_certificate):
        return passed(name, f"the key from {key.source} belongs to the instance's keystore certificate")
    return failed(
        name,
        f"the key from {key.source} does not belong to the certificate in the instance's keystore",
        "apply the stack with this bundle, or run the doctor with --key-from-instance",
    )
