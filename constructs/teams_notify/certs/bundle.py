"""The certificate bundle: `<name>.crt` for Entra, `<name>.jks` for ServiceNow, `<name>.key`
(0600) and `<name>.thumbprint.json`, written together so they always describe one key pair."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey

from teams_notify.certs.findings import certificate_findings, key_pair_findings, raise_errors
from teams_notify.certs.generate import DEFAULT_DAYS, new_rsa_key, self_signed_certificate
from teams_notify.certs.jks import jks_bytes, normalize_alias
from teams_notify.certs.thumbprint import Thumbprints
from teams_notify.errors import BadInputError
from teams_notify.files import PRIVATE_MODE, PUBLIC_MODE, PendingFile, write_all

_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")


class _BundleFile:
    """`bundle.crt`, `bundle.key`, ...: the path `<dir>/<name><suffix>` of one bundle file."""

    def __init__(self, suffix: str) -> None:
        self.suffix = suffix

    def __get__(self, bundle: Bundle, owner: type[Bundle] | None = None) -> Path:
        return bundle.dir / f"{bundle.name}{self.suffix}"


@dataclass(frozen=True)
class Bundle:
    """Where the files of one bundle live: `<dir>/<name>.crt|.key|.jks|.thumbprint.json`."""

    dir: Path
    name: str

    @classmethod
    def at(cls, dir: Path, name: str) -> Bundle:
        """A bundle location (files need not exist yet); the name becomes part of file names."""
        if not _NAME.fullmatch(name):
            raise BadInputError(
                f"bundle name {name!r} is not a plain file name",
                fix="use letters, digits, '.', '_' or '-' (e.g. contoso-teams)",
            )
        return cls(Path(dir), name)

    @classmethod
    def find(cls, dir: Path) -> Bundle:
        """The one bundle in `dir`, recognised by its `<name>.crt`."""
        folder = Path(dir)
        if not folder.is_dir():
            raise BadInputError(f"{folder} is not a directory", fix="give the directory `cert new` wrote")
        names = sorted(p.name.removesuffix(".crt") for p in folder.glob("*.crt"))
        if len(names) != 1:
            found = ", ".join(f"{n}.crt" for n in names) or "no .crt file"
            raise BadInputError(
                f"expected exactly one bundle in {folder}, found {found}",
                fix="give the bundle's files explicitly, or keep one bundle per directory",
            )
        return cls.at(folder, names[0])

    crt = _BundleFile(".crt")  # PEM certificate, uploaded to Entra
    key = _BundleFile(".key")  # PEM private key, mode 0600
    jks = _BundleFile(".jks")  # keystore, uploaded to ServiceNow
    thumbprint_json = _BundleFile(".thumbprint.json")
    csr = _BundleFile(".csr")  # written by `cert csr` only

    def files(self) -> list[Path]:
        return [self.crt, self.key, self.jks, self.thumbprint_json]


def pem_key(key: RSAPrivateKey) -> bytes:
    """Unencrypted PKCS#8 PEM: the file is protected by its 0600 mode, like `openssl req -nodes`."""
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def refuse_overwrite(paths: list[Path], overwrite: bool) -> None:
    """A bundle holds a private key that may already be registered: never replace it silently."""
    existing = [str(p) for p in paths if p.exists()]
    if existing and not overwrite:
        raise BadInputError(
            f"{', '.join(existing)} already exist(s)",
            fix="choose another --name or --out, or pass --force to replace the bundle",
        )


def write_bundle(
    bundle: Bundle,
    key: RSAPrivateKey,
    chain: list[x509.Certificate],
    *,
    alias: str | None = None,
    store_password: str,
    key_password: str | None = None,
    overwrite: bool = False,
    check_validity: bool = True,
    extra_files: Sequence[PendingFile] = (),
) -> Bundle:
    """Write all four files for `key` and `chain` (leaf first), all or none. The `.crt` holds
    only the leaf, the one certificate Entra needs; the JKS holds the whole chain under `alias`
    (default: the bundle name, lower-cased). `extra_files` (a generated password file) are
    written in the same all-or-none step. `check_validity=False` skips the certificate
    checks (validity window, RSA size) so drills and tests can write a bad bundle on purpose."""
    refuse_overwrite(bundle.files(), overwrite)
    leaf = chain[0]
    if check_validity:
        raise_errors(certificate_findings(leaf, "the certificate", warn_days=0))
    raise_errors(key_pair_findings(key, leaf, "the private key", "the certificate"))
    entry_alias = normalize_alias(alias or bundle.name)
    keystore = jks_bytes(entry_alias, key, chain, store_password, key_password)
    thumbprints = json.dumps(Thumbprints.of(leaf).to_json(), indent=2) + "\n"
    # A key beside the wrong keystore is worse than no bundle: all four files or none.
    write_all(
        [
            PendingFile(bundle.key, pem_key(key), PRIVATE_MODE),
            PendingFile(bundle.crt, leaf.public_bytes(serialization.Encoding.PEM), PUBLIC_MODE),
            PendingFile(bundle.jks, keystore, PRIVATE_MODE),
            PendingFile(bundle.thumbprint_json, thumbprints.encode("utf-8"), PUBLIC_MODE),
            *extra_files,
        ]
    )
    return bundle


def new_self_signed(
    name: str,
    out_dir: Path,
    cn: str,
    days: int = DEFAULT_DAYS,
    key_size: int = 2048,
    alias: str | None = None,
    *,
    store_password: str,
    key_password: str | None = None,
    overwrite: bool = False,
    extra_files: Sequence[PendingFile] = (),
) -> Bundle:
    """A proof-of-concept bundle: new RSA key, self-signed SHA-256 certificate, JKS, thumbprints."""
    bundle = Bundle.at(out_dir, name)
    refuse_overwrite(bundle.files(), overwrite)
    key = new_rsa_key(key_size)
    cert = self_signed_certificate(key, cn, days)
    return write_bundle(
        bundle,
        key,
        [cert],
        alias=alias,
        store_password=store_password,
        key_password=key_password,
        overwrite=overwrite,
        extra_files=extra_files,
    )
