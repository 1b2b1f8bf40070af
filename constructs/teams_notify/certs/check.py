"""`cert check`: everything that must agree between the `.crt` (Entra), the `.jks` (ServiceNow),
the key and the thumbprint file, reported as findings with a fix each."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from teams_notify.certs.bundle import Bundle
from teams_notify.certs.findings import (
    DEFAULT_WARN_DAYS,
    Finding,
    certificate_findings,
    error,
    key_pair_findings,
    warning,
)
from teams_notify.certs.jks import JksEntry, read_jks
from teams_notify.certs.load import load_certificate, load_private_key
from teams_notify.certs.thumbprint import Thumbprints
from teams_notify.errors import BadInputError, TeamsNotifyError
from teams_notify.files import parse_input

T = TypeVar("T")


def check_bundle(
    bundle: Bundle,
    store_password: str | None,
    key_password: str | None,
    warn_days: int = DEFAULT_WARN_DAYS,
) -> list[Finding]:
    """Check a bundle directory written by `cert new` / `cert import`. A missing `.key` is only a
    warning (deleting it once the JKS is uploaded is reasonable); a missing JKS or thumbprint
    file is an error."""
    return inspect_files(
        crt=bundle.crt,
        key=bundle.key if bundle.key.exists() else None,
        jks=bundle.jks,
        thumbprint_json=bundle.thumbprint_json,
        store_password=store_password,
        key_password=key_password,
        warn_days=warn_days,
    ).findings + ([] if bundle.key.exists() else [_missing_key(bundle.key)])


def _missing_key(path: Path) -> Finding:
    return warning(
        f"{path.name} is missing; only the keystore holds the private key now",
        "keep a backup of the key or the JKS: without it the certificate cannot be used",
    )


@dataclass(frozen=True)
class Inspection:
    """A certificate's files, checked: the certificate (None when it could not be read) and the
    findings. Callers that need the certificate afterwards (synth) take it from here instead of
    loading the file again."""

    certificate: x509.Certificate | None
    findings: list[Finding]


def inspect_files(
    *,
    crt: Path,
    key: Path | None = None,
    jks: Path | None = None,
    jks_alias: str | None = None,
    thumbprint_json: Path | None = None,
    store_password: str | None = None,
    key_password: str | None = None,
    warn_days: int | None = DEFAULT_WARN_DAYS,
    now: dt.datetime | None = None,
    validate_key: bool = True,
    warn_unchecked_store: bool = True,
) -> Inspection:
    """Check whichever files are given against the certificate in `crt` (the one checker behind
    `cert check`, synth and the doctor). `warn_days` None leaves expiry to the caller;
    `validate_key` False compares only the public half of the key (fast; synth);
    `warn_unchecked_store` False: no warning when the JKS is read without its password."""
    cert, found = _attempt(lambda: load_certificate(crt))
    if cert is None:
        return Inspection(None, found)
    found += certificate_findings(cert, crt.name, warn_days, now)
    if jks is not None:
        found += _jks_findings(
            jks, jks_alias, cert, store_password, key_password, crt.name, warn_unchecked_store
        )
    if key is not None:
        found += _key_findings(key, cert, key_password, validate_key)
    if thumbprint_json is not None:
        found += _thumbprint_file_findings(thumbprint_json, crt, cert)
    return Inspection(cert, found)


def _attempt(action: Callable[[], T]) -> tuple[T | None, list[Finding]]:
    """Run a loader; an expected failure becomes an error finding instead of ending the check."""
    try:
        return action(), []
    except TeamsNotifyError as err:
        return None, [error(err.cause, err.fix or "see the message")]


def _key_findings(
    key_path: Path, cert: x509.Certificate, key_password: str | None, validate: bool
) -> list[Finding]:
    key, found = _attempt(lambda: load_private_key(key_path, key_password, validate=validate))
    if key is None:
        return found
    return key_pair_findings(key, cert, key_path.name, "the certificate")


def _jks_findings(
    jks_path: Path,
    alias: str | None,
    cert: x509.Certificate,
    store_password: str | None,
    key_password: str | None,
    crt_name: str,
    warn_unchecked_store: bool,
) -> list[Finding]:
    entry, found = _attempt(lambda: read_jks(jks_path, store_password, alias))
    if entry is None:
        return found
    found += _same_certificate(entry, cert, crt_name)
    if store_password is None:
        return [*found, _unchecked_store(jks_path)] if warn_unchecked_store else found
    password = key_password if key_password is not None else store_password
    key, key_found = _attempt(lambda: entry.private_key(password))
    if key is None:
        return found + key_found
    return found + key_pair_findings(key, entry.certificate, f"the key in {jks_path.name}", "its certificate")


def _unchecked_store(jks_path: Path) -> Finding:
    return warning(
        f"no store password given: {jks_path.name}'s integrity and key were not checked",
        "set TEAMS_NOTIFY_STORE_PASSWORD (and TEAMS_NOTIFY_KEY_PASSWORD if different)",
    )


def _same_certificate(entry: JksEntry, ours: x509.Certificate, crt_name: str) -> list[Finding]:
    if entry.certificate.public_bytes(Encoding.DER) == ours.public_bytes(Encoding.DER):
        return []
    in_jks, in_crt = Thumbprints.of(entry.certificate).x5t, Thumbprints.of(ours).x5t
    return [
        error(
            f"{entry.path.name} (entry {entry.alias!r}, x5t {in_jks}) holds a different certificate "
            f"than {crt_name} (x5t {in_crt}): Entra would reject ServiceNow's assertions (AADSTS700027)",
            "rebuild both from one key pair with `teams-notify cert import`, then upload both again",
        )
    ]


def _thumbprint_file_findings(path: Path, crt: Path, cert: x509.Certificate) -> list[Finding]:
    regenerate = f"regenerate it: teams-notify cert thumbprint {crt} --json > {path}"
    if not path.exists():
        return [error(f"{path.name} is missing", regenerate)]
    try:
        recorded = parse_input(path, "thumbprint file", json.loads)
    except BadInputError as err:
        return [error(err.cause, regenerate)]
    except ValueError as err:
        return [error(f"{path.name} is not readable JSON ({err})", regenerate)]
    if not isinstance(recorded, dict):
        return [error(f"{path.name} is not a JSON object", regenerate)]
    expected = Thumbprints.of(cert).to_json()
    wrong = [k for k, v in expected.items() if not _same_value(k, v, recorded.get(k))]
    if not wrong:
        return []
    return [error(f"{path.name} disagrees with {crt.name} on: {', '.join(wrong)}", regenerate)]


def _same_value(key: str, expected: str, recorded: object) -> bool:
    if key.endswith("_hex") and isinstance(recorded, str):
        return recorded.replace(":", "").upper() == expected
    return recorded == expected
