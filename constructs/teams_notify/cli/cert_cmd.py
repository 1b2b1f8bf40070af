"""`teams-notify cert`: keys, certificates, the JKS for ServiceNow and the thumbprints Entra checks.

Passwords never come from the command line: TEAMS_NOTIFY_STORE_PASSWORD (keystore),
TEAMS_NOTIFY_KEY_PASSWORD (key entry, defaults to the store password), TEAMS_NOTIFY_INPUT_PASSWORD
(a PFX or encrypted key you import), or a hidden prompt at a terminal. The library is imported
inside the commands so `teams-notify --help` stays fast.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from teams_notify.errors import BadInputError, CheckFailedError

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
    from cryptography.x509 import Certificate
    from rich.console import Console

    from teams_notify.certs.bundle import Bundle
    from teams_notify.certs.findings import Finding
    from teams_notify.certs.load import KeyAndChain

_DEFAULT_DAYS = 365  # kept in step with teams_notify.certs.generate.DEFAULT_DAYS (checked by a test)
_MAX_DAYS = 3 * 365  # ditto for MAX_DAYS
_KEY_SIZES = ("2048", "3072", "4096")
_CERT_SUFFIXES = {".crt", ".pem", ".cer", ".der"}

_WHAT_GOES_WHERE = {
    "sha1_hex": "Azure portal > App registration > Certificates & secrets > Thumbprint",
    "sha1_base64": "standard Base64 (what ServiceNow's thumbprint helper shows); NOT a valid x5t",
    "x5t": "JWT header x5t: base64url of the SHA-1, no padding (ServiceNow x5t claim)",
    "sha256_hex": "SHA-256 fingerprint (openssl x509 -fingerprint -sha256)",
    "x5t_s256": "JWT header x5t#S256: base64url of the SHA-256, no padding",
}


def _console(stderr: bool = False) -> Console:
    from rich.console import Console

    # soft_wrap: thumbprints and paths must stay on one line to be copy-pasted.
    return Console(stderr=stderr, soft_wrap=True, highlight=False)


def _print_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2))


def _json_option(func: Any) -> Any:
    return click.option("--json", "as_json", is_flag=True, help="Print JSON for machines.")(func)


def _bundle_options(func: Any) -> Any:
    """Options shared by the commands that write a bundle (new, import)."""
    options = [
        click.option("--name", required=True, help="Bundle name: files become NAME.crt, NAME.key, ..."),
        click.option(
            "--out", "out_dir", required=True, type=click.Path(path_type=Path), help="Directory to write."
        ),
        click.option(
            "--alias", help="JKS entry alias (default: NAME, lower-cased; keytool lower-cases it too)."
        ),
        click.option(
            "--generate-password",
            "password_file",
            type=click.Path(path_type=Path),
            help="Generate a strong store password into this new 0600 file instead of reading "
            "TEAMS_NOTIFY_STORE_PASSWORD or prompting.",
        ),
        click.option("--force", is_flag=True, help="Replace an existing bundle of the same name."),
        _json_option,
    ]
    for option in reversed(options):
        func = option(func)
    return func


@click.group(name="cert")
def group() -> None:
    """Certificates: self-signed or CA-issued key pairs, the JKS for ServiceNow, x5t thumbprints."""


@group.command(name="new")
@_bundle_options
@click.option("--cn", required=True, help="Certificate subject common name, e.g. servicenow-teams-notify.")
@click.option(
    "--days",
    type=click.IntRange(1, _MAX_DAYS),
    default=_DEFAULT_DAYS,
    show_default=True,
    help=f"Validity in days (at most {_MAX_DAYS}: Entra's own certificate credentials stop at 3 years).",
)
@click.option("--key-size", type=click.Choice(_KEY_SIZES), default="2048", show_default=True)
def new(
    name: str,
    out_dir: Path,
    cn: str,
    days: int,
    key_size: str,
    alias: str | None,
    password_file: Path | None,
    force: bool,
    as_json: bool,
) -> None:
    """Self-signed key + certificate for a proof of concept, written as a bundle:
    NAME.crt (upload to Entra), NAME.jks (upload to ServiceNow), NAME.key (0600), NAME.thumbprint.json.

    Store password: TEAMS_NOTIFY_STORE_PASSWORD, a prompt, or --generate-password FILE.
    Key password: TEAMS_NOTIFY_KEY_PASSWORD (default: the store password).
    """
    from teams_notify.certs.bundle import Bundle, refuse_overwrite
    from teams_notify.certs.generate import new_rsa_key, self_signed_certificate

    _console(stderr=True).print(
        "[yellow]warning:[/] a self-signed certificate is for proofs of concept only; in production "
        "use a CA-issued one (`teams-notify cert csr`, then `teams-notify cert import`)."
    )
    bundle = Bundle.at(out_dir, name)
    refuse_overwrite(bundle.files(), force)
    key = new_rsa_key(int(key_size))
    _write_bundle(bundle, key, [self_signed_certificate(key, cn, days)], alias, password_file, force, as_json)


def _write_bundle(
    bundle: Bundle,
    key: RSAPrivateKey,
    chain: list[Certificate],
    alias: str | None,
    password_file: Path | None,
    force: bool,
    as_json: bool,
) -> None:
    """Ask for the passwords only now that every input is known to be good, then write and report."""
    from teams_notify.certs.bundle import write_bundle
    from teams_notify.certs.secrets import passwords_for_new_keystore

    passwords = passwords_for_new_keystore(password_file)
    write_bundle(
        bundle,
        key,
        chain,
        alias=alias,
        store_password=passwords.store,
        key_password=passwords.key,
        overwrite=force,
        extra_files=passwords.files,
    )
    _report_bundle(bundle, alias, password_file, as_json)


def _report_bundle(bundle: Bundle, alias: str | None, password_file: Path | None, as_json: bool) -> None:
    from rich.markup import escape

    from teams_notify.certs.jks import normalize_alias
    from teams_notify.certs.load import load_certificate
    from teams_notify.certs.thumbprint import Thumbprints

    thumbprints = Thumbprints.of(load_certificate(bundle.crt)).to_json()
    entry_alias = normalize_alias(alias or bundle.name)
    files = {
        "crt": str(bundle.crt),
        "key": str(bundle.key),
        "jks": str(bundle.jks),
        "thumbprint_json": str(bundle.thumbprint_json),
    }
    if as_json:
        extra = {"password_file": str(password_file)} if password_file else {}
        _print_json({"files": files, "alias": entry_alias, "thumbprints": thumbprints, **extra})
        return
    out = _console()
    out.print(f"[green]wrote bundle[/] {escape(str(bundle.dir))}/{escape(bundle.name)}.*")
    out.print(f"  {escape(files['crt'])}  [dim]upload to Entra (App registration > Certificates)[/]")
    out.print(
        f"  {escape(files['jks'])}  [dim]upload to ServiceNow (sys_certificate, alias {entry_alias})[/]"
    )
    out.print(f"  {escape(files['key'])}  [dim]private key, mode 0600: keep it out of git[/]")
    out.print(f"  {escape(files['thumbprint_json'])}  [dim]every thumbprint encoding[/]")
    if password_file:
        out.print(f"  store password generated into {escape(str(password_file))} (mode 0600)")
    out.print(f"  x5t {thumbprints['x5t']}  expires {thumbprints['not_after']}")


@group.command(name="csr")
@click.option("--name", required=True, help="Files become NAME.key (0600) and NAME.csr.")
@click.option("--out", "out_dir", required=True, type=click.Path(path_type=Path), help="Directory to write.")
@click.option("--cn", required=True, help="Subject common name.")
@click.option("--org", help="Subject organization (O).")
@click.option("--country", help="Subject country (C), two letters.")
@click.option("--key-size", type=click.Choice(_KEY_SIZES), default="2048", show_default=True)
@click.option("--force", is_flag=True, help="Replace an existing key/CSR of the same name.")
@_json_option
def csr(
    name: str,
    out_dir: Path,
    cn: str,
    org: str | None,
    country: str | None,
    key_size: str,
    force: bool,
    as_json: bool,
) -> None:
    """New key + certificate signing request for a CA-issued certificate (the production path).

    Send NAME.csr to your CA, then build the bundle with
    `teams-notify cert import --cert issued.pem --key NAME.key --name NAME --out DIR`.
    """
    from cryptography.hazmat.primitives.serialization import Encoding
    from rich.markup import escape

    from teams_notify.certs.bundle import Bundle, pem_key, refuse_overwrite
    from teams_notify.certs.generate import new_csr, new_rsa_key
    from teams_notify.files import PRIVATE_MODE, PendingFile, write_all

    bundle = Bundle.at(out_dir, name)
    refuse_overwrite([bundle.key, bundle.csr], force)
    key = new_rsa_key(int(key_size))
    request = new_csr(key, cn, org, country)
    write_all(
        [
            PendingFile(bundle.key, pem_key(key), PRIVATE_MODE),
            PendingFile(bundle.csr, request.public_bytes(Encoding.PEM)),
        ]
    )
    if as_json:
        _print_json(
            {"key": str(bundle.key), "csr": str(bundle.csr), "subject": request.subject.rfc4514_string()}
        )
        return
    out = _console()
    out.print(f"[green]wrote[/] {escape(str(bundle.csr))} and {escape(str(bundle.key))} (mode 0600)")
    out.print(
        f"next: have your CA sign {escape(str(bundle.csr))}, then run `teams-notify cert import "
        f"--cert ISSUED.pem --key {escape(str(bundle.key))} --name {escape(name)} --out DIR`"
    )


@group.command(name="import")
@_bundle_options
@click.option(
    "--cert",
    "cert_path",
    type=click.Path(path_type=Path),
    help="CA-issued PEM certificate, optionally followed by its chain (and the key).",
)
@click.option(
    "--key",
    "key_path",
    type=click.Path(path_type=Path),
    help="PEM private key for --cert (if encrypted: TEAMS_NOTIFY_INPUT_PASSWORD or a prompt).",
)
@click.option(
    "--pfx",
    "pfx_path",
    type=click.Path(path_type=Path),
    help="PKCS#12/PFX with key and chain; its password from TEAMS_NOTIFY_INPUT_PASSWORD or a prompt.",
)
def import_(
    name: str,
    out_dir: Path,
    alias: str | None,
    password_file: Path | None,
    force: bool,
    as_json: bool,
    cert_path: Path | None,
    key_path: Path | None,
    pfx_path: Path | None,
) -> None:
    """Build a bundle from a CA-issued certificate: PEM (--cert [--key]) or PKCS#12 (--pfx).

    The certificate that matches the key becomes NAME.crt; the JKS holds the whole chain.
    """
    from teams_notify.certs.bundle import Bundle, refuse_overwrite
    from teams_notify.certs.findings import certificate_findings

    bundle = Bundle.at(out_dir, name)
    refuse_overwrite(bundle.files(), force)
    source = _read_import_source(cert_path, key_path, pfx_path)
    for finding in certificate_findings(source.certificate, "the imported certificate"):
        if finding.level == "warning":
            _print_finding(_console(stderr=True), finding)
    _write_bundle(bundle, source.key, source.chain, alias, password_file, force, as_json)


def _read_import_source(cert_path: Path | None, key_path: Path | None, pfx_path: Path | None) -> KeyAndChain:
    from teams_notify.certs.load import key_file_is_encrypted, load_pem_key_and_chain, load_pkcs12
    from teams_notify.certs.secrets import INPUT_PASSWORD_ENV, from_env_or_prompt, optional_from_env_or_prompt

    if (cert_path is None) == (pfx_path is None) or (pfx_path is not None and key_path is not None):
        raise BadInputError(
            "give either --cert (with --key unless the key is in the same file) or --pfx",
            fix="e.g. --cert issued.pem --key my.key, or --pfx bundle.pfx",
        )
    if pfx_path is not None:
        return load_pkcs12(pfx_path, optional_from_env_or_prompt(INPUT_PASSWORD_ENV, "PFX password"))
    assert cert_path is not None  # guaranteed by the either/or check above
    key_file = key_path or cert_path
    password = (
        from_env_or_prompt(INPUT_PASSWORD_ENV, "Private key password")
        if key_file_is_encrypted(key_file)
        else None
    )
    return load_pem_key_and_chain(cert_path, key_path, password)


@group.command(name="thumbprint")
@click.argument("source", metavar="INPUT")
@click.option("--alias", help="JKS entry to read when the keystore has several.")
@_json_option
def thumbprint(source: str, alias: str | None, as_json: bool) -> None:
    """Every thumbprint encoding of a certificate (PEM, DER, PKCS#12, JKS file) or of a hex
    SHA-1 thumbprint as Azure shows it (any case, colons/spaces allowed).

    A hex thumbprint gives only the SHA-1 encodings; the SHA-256 ones need the certificate.
    """
    values = _thumbprint_values(source, alias)
    if as_json:
        _print_json(values)
        return
    from rich.markup import escape

    out = _console()
    for field, value in values.items():
        note = f"  [dim]{escape(_WHAT_GOES_WHERE[field])}[/]" if field in _WHAT_GOES_WHERE else ""
        out.print(f"[bold]{field:<12}[/] {escape(value)}{note}")
    if "sha256_hex" not in values:
        out.print("[dim]sha256_hex / x5t_s256 need the certificate itself: pass the file instead.[/]")


def _thumbprint_values(source: str, alias: str | None) -> dict[str, str]:
    from teams_notify.certs.thumbprint import Thumbprints, parse_hex, sha1_encodings

    path = Path(source)
    if source.strip() and path.exists():  # Path("") is ".", which exists
        return Thumbprints.of(_certificate_from_any_file(path, alias)).to_json()
    try:
        return sha1_encodings(parse_hex(source))
    except BadInputError as err:
        if _looks_like_path(source):
            raise BadInputError(f"certificate file {source} does not exist", fix="check the path") from err
        raise BadInputError(
            f"{err.cause}; and no file of that name exists",
            fix="pass a certificate file (PEM, DER, PKCS#12, JKS) or the 40-hex-digit SHA-1 thumbprint",
        ) from err


def _looks_like_path(text: str) -> bool:
    return (
        "/" in text or "\\" in text or Path(text).suffix.lower() in _CERT_SUFFIXES | {".jks", ".pfx", ".p12"}
    )


def _certificate_from_any_file(path: Path, alias: str | None) -> Any:
    from teams_notify.certs.jks import jks_certificate
    from teams_notify.certs.load import load_certificate, sniff_format
    from teams_notify.certs.secrets import INPUT_PASSWORD_ENV, optional_from_env_or_prompt
    from teams_notify.files import read_input

    fmt = sniff_format(read_input(path, "certificate file"))
    if fmt == "jks":
        # Certificates in a JKS are not encrypted: no password needed to read one.
        return jks_certificate(path, None, alias)
    password = optional_from_env_or_prompt(INPUT_PASSWORD_ENV, "PFX password") if fmt == "pkcs12" else None
    return load_certificate(path, password)


@group.command(name="check")
@click.argument(
    "targets", metavar="BUNDLE_DIR|FILES...", nargs=-1, required=True, type=click.Path(path_type=Path)
)
@click.option(
    "--warn-days",
    type=click.IntRange(0, None),
    default=30,
    show_default=True,
    help="Warn below this many days.",
)
@click.option(
    "--password-file",
    type=click.Path(path_type=Path),
    help="Read the store password from this file (as written by --generate-password).",
)
@_json_option
def check(targets: tuple[Path, ...], warn_days: int, password_file: Path | None, as_json: bool) -> None:
    """Check a bundle: key matches certificate, RSA >= 2048, validity and days to expiry, the JKS
    opens with the passwords and holds the same certificate as the .crt, the thumbprint file agrees.

    Give the bundle directory, or files (.crt/.pem/.cer/.der, .key, .jks, .thumbprint.json).
    Passwords: TEAMS_NOTIFY_STORE_PASSWORD / TEAMS_NOTIFY_KEY_PASSWORD, --password-file, or a
    prompt; without one the JKS certificate is still compared but its key is not checked.
    Exit 1 if any error is found (warnings alone pass).
    """
    from teams_notify.certs.check import check_bundle, inspect_files
    from teams_notify.certs.secrets import KEY_PASSWORD_ENV

    store_password = _check_store_password(password_file)
    key_password = os.environ.get(KEY_PASSWORD_ENV) or None
    if len(targets) == 1 and targets[0].is_dir():
        from teams_notify.certs.bundle import Bundle

        findings = check_bundle(Bundle.find(targets[0]), store_password, key_password, warn_days)
    else:
        roles = _classify_files(targets)
        findings = inspect_files(
            crt=roles["crt"],
            key=roles.get("key"),
            jks=roles.get("jks"),
            thumbprint_json=roles.get("thumbprint_json"),
            store_password=store_password,
            key_password=key_password,
            warn_days=warn_days,
        ).findings
    _report_findings(findings, targets, as_json)


def _check_store_password(password_file: Path | None) -> str | None:
    from teams_notify.certs.secrets import STORE_PASSWORD_ENV, optional_from_env_or_prompt, read_password_file

    if password_file is not None:
        return read_password_file(password_file)
    return optional_from_env_or_prompt(STORE_PASSWORD_ENV, "Keystore password")


def _classify_files(paths: tuple[Path, ...]) -> dict[str, Path]:
    """Which given file is the certificate, key, keystore and thumbprint file (by extension)."""
    roles: dict[str, Path] = {}
    for path in paths:
        role = _role_of(path)
        if role in roles:
            raise BadInputError(f"two {role} files given: {roles[role]} and {path}", fix="give one of each")
        roles[role] = path
    if "crt" not in roles:
        raise BadInputError("no certificate file given", fix="add the .crt (or .pem/.cer/.der) file")
    return roles


def _role_of(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix in _CERT_SUFFIXES:
        return "crt"
    if suffix in {".key", ".jks", ".json"}:
        return {".key": "key", ".jks": "jks", ".json": "thumbprint_json"}[suffix]
    raise BadInputError(
        f"cannot tell what {path} is from its extension",
        fix="name files .crt/.pem/.cer/.der, .key, .jks or .thumbprint.json, or give the bundle directory",
    )


def _print_finding(console: Console, finding: Finding) -> None:
    from rich.markup import escape

    color = "red" if finding.level == "error" else "yellow"
    console.print(
        f"[{color}]{finding.level}:[/] {escape(finding.message)}  [dim]fix: {escape(finding.fix)}[/]"
    )


def _report_findings(findings: list[Finding], targets: tuple[Path, ...], as_json: bool) -> None:
    errors = [f for f in findings if f.level == "error"]
    if as_json:
        _print_json({"ok": not errors, "findings": [f.to_json() for f in findings]})
    else:
        out = _console()
        for finding in findings:
            _print_finding(out, finding)
        if not errors:
            out.print(
                f"[green]ok[/] {', '.join(str(t) for t in targets)}"
                + (" (with warnings)" if findings else "")
            )
    if errors:
        raise CheckFailedError(f"{len(errors)} problem(s) found", fix="see the lines above")
