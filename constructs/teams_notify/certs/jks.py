"""Java KeyStores for ServiceNow: one private-key entry (key + certificate chain) under an alias.

Written and read with pyjks. A JKS protects its private keys with the key password and its
whole content with a store-password hash; certificates are stored in clear. That is why the
certificate can be read without any password (synth compares it with the `.crt` without
knowing a secret), while the key and the store's integrity need the passwords.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey

from teams_notify.certs.load import JKS_MAGIC, fully_parsed, require_rsa
from teams_notify.certs.parsing import parsing
from teams_notify.errors import BadInputError
from teams_notify.files import read_input

_JKS_FIX = "check the file is the .jks written by `teams-notify cert new` or `cert import`"
_STORE_PASSWORD_FIX = "set TEAMS_NOTIFY_STORE_PASSWORD to the password the keystore was written with"

if TYPE_CHECKING:  # pyjks is imported where a keystore is read or written (`parsing` says why)
    import jks


def normalize_alias(alias: str) -> str:
    """JKS aliases are case-insensitive and stored lower-case (keytool lower-cases them too);
    ServiceNow's JWT key record must then name the same lower-case alias."""
    cleaned = alias.strip().lower()
    if not cleaned or any(ch.isspace() or not ch.isprintable() for ch in cleaned):
        raise BadInputError(
            f"alias {alias!r} is not usable in a keystore", fix="use letters, digits, '-', '_' or '.'"
        )
    return cleaned


def jks_bytes(
    alias: str,
    key: RSAPrivateKey,
    chain: list[x509.Certificate],
    store_password: str,
    key_password: str | None = None,
) -> bytes:
    """A JKS with one private-key entry; the key password defaults to the store password."""
    import jks

    pkcs8 = key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    ders = [cert.public_bytes(serialization.Encoding.DER) for cert in chain]
    entry = jks.PrivateKeyEntry.new(normalize_alias(alias), ders, pkcs8, "pkcs8")
    # Encrypting the entry ourselves first makes pyjks keep our key password instead of
    # silently re-encrypting with the store password when it saves.
    entry.encrypt(key_password if key_password is not None else store_password)
    store = jks.KeyStore.new("jks", [entry])
    data: bytes = store.saves(store_password)
    return data


@dataclass(frozen=True)
class JksEntry:
    """The private-key entry of a keystore, key still encrypted."""

    path: Path
    alias: str
    chain: list[x509.Certificate]
    entry: jks.PrivateKeyEntry

    @property
    def certificate(self) -> x509.Certificate:
        return self.chain[0]

    def private_key(self, key_password: str) -> RSAPrivateKey:
        """Decrypt the entry's key; BadInputError if the key password is wrong."""
        from jks.util import DecryptionFailureException

        with parsing(self.path, "keystore key entry", fix=_JKS_FIX):
            try:
                self.entry.decrypt(key_password)
            except DecryptionFailureException as err:
                raise BadInputError(
                    f"the key password does not open entry {self.alias!r} in {self.path}",
                    fix="set TEAMS_NOTIFY_KEY_PASSWORD (it defaults to the store password)",
                ) from err
            key = serialization.load_der_private_key(self.entry.pkey_pkcs8, password=None)
        return require_rsa(key, self.path)


def read_jks(path: Path, store_password: str | None, alias: str | None = None) -> JksEntry:
    """The private-key entry of a JKS (the only one, or the one under `alias`).

    With `store_password` None the store's integrity is NOT verified: fine for reading a
    certificate, never for trusting the key.
    """
    return parse_jks(read_input(path, "keystore"), path, store_password, alias)


def parse_jks(data: bytes, path: Path, store_password: str | None, alias: str | None = None) -> JksEntry:
    """`read_jks` for keystore bytes from elsewhere (e.g. an instance's attachment); `path` names
    where they came from in messages."""
    import jks
    from jks.util import KeystoreSignatureException

    if data[:4] not in JKS_MAGIC:
        raise BadInputError(f"{path} is not a Java KeyStore (JKS)", fix=_JKS_FIX)
    try:
        with parsing(path, "Java KeyStore", fix="the keystore looks damaged or truncated; copy it again"):
            store = jks.KeyStore.loads(data, store_password, try_decrypt_keys=False)
    except BadInputError as err:
        if isinstance(err.__cause__, KeystoreSignatureException):
            raise BadInputError(f"wrong store password for keystore {path}", fix=_STORE_PASSWORD_FIX) from err
        raise
    entry = _pick_entry(path, store.private_keys, alias)
    with parsing(path, "keystore certificate", fix=_JKS_FIX):
        chain = [fully_parsed(x509.load_der_x509_certificate(der)) for _, der in entry.cert_chain]
    if not chain:
        raise BadInputError(f"entry {entry.alias!r} in {path} has no certificate", fix=_JKS_FIX)
    return JksEntry(path=path, alias=entry.alias, chain=chain, entry=entry)


def _pick_entry(
    path: Path, entries: dict[str, jks.PrivateKeyEntry], alias: str | None
) -> jks.PrivateKeyEntry:
    if alias is not None:
        wanted = normalize_alias(alias)
        if wanted not in entries:
            raise BadInputError(
                f"keystore {path} has no private-key entry {wanted!r} (it has: {_names(entries)})",
                fix="use the alias the keystore was written with",
            )
        return entries[wanted]
    if len(entries) != 1:
        raise BadInputError(
            f"keystore {path} has {len(entries)} private-key entries ({_names(entries)}), expected one",
            fix="name the entry with --alias, or build the keystore with `teams-notify cert import`",
        )
    return next(iter(entries.values()))


def _names(entries: dict[str, jks.PrivateKeyEntry]) -> str:
    return ", ".join(sorted(entries)) or "none"


def jks_certificate(path: Path, store_password: str | None, alias: str | None = None) -> x509.Certificate:
    """The certificate of the keystore's private-key entry (see `read_jks` on store_password None)."""
    return read_jks(path, store_password, alias).certificate


def jks_private_key(
    path: Path, store_password: str, key_password: str | None = None, alias: str | None = None
) -> RSAPrivateKey:
    """The entry's private key; the key password defaults to the store password."""
    entry = read_jks(path, store_password, alias)
    return entry.private_key(key_password if key_password is not None else store_password)
