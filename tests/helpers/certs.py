"""Certificate fixtures shared by tests/certs (and usable by other areas).

RSA key generation is the slow part, so keys and openssl-made certificates are session-scoped:
each is made once per test process and shared. Helpers that run tools never put a password in
argv: openssl gets `env:VAR`, keytool gets `-storepass:env VAR`.
"""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from teams_notify.certs.bundle import Bundle, write_bundle
from teams_notify.certs.generate import self_signed_certificate
from teams_notify.cli import main

CERTS_STORE_PASSWORD = "store-pw-Xq7!"
FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "certs"


@dataclass(frozen=True)
class CliResult:
    code: int
    out: str
    err: str


def run_cli(*argv: str | Path) -> CliResult:
    """Run `teams-notify ARGV` in this process (through the real entry point) and capture output."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([str(a) for a in argv])
    return CliResult(code, out.getvalue(), err.getvalue())


def run_tool(*argv: str | Path, env: dict[str, str] | None = None, cwd: Path | None = None) -> str:
    """Run openssl/keytool; fail the test with the tool's stderr if it fails."""
    proc = subprocess.run(
        [str(a) for a in argv],
        env={**os.environ, **(env or {})},
        cwd=cwd,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        check=False,
    )
    assert proc.returncode == 0, f"{argv[0]} failed: {proc.stderr}"
    return proc.stdout


def openssl_fingerprint(cert: Path, digest: str, inform: str = "PEM") -> str:
    """`openssl x509 -fingerprint -<digest>` as bare upper-case hex."""
    out = run_tool("openssl", "x509", "-in", cert, "-inform", inform, "-noout", "-fingerprint", f"-{digest}")
    return out.strip().split("=", 1)[1].replace(":", "").upper()


def keytool_list(jks: Path, password: str) -> str:
    """`keytool -list -v` with the store password passed through the environment."""
    return run_tool(
        "keytool",
        "-list",
        "-v",
        "-keystore",
        jks,
        "-storepass:env",
        "KT_STOREPASS",
        env={"KT_STOREPASS": password},
    )


def keytool_field(listing: str, label: str) -> str:
    """The value after `label:` in keytool output (first occurrence)."""
    for line in listing.splitlines():
        if line.strip().startswith(f"{label}:"):
            return line.split(":", 1)[1].strip()
    raise AssertionError(f"{label!r} not in keytool output:\n{listing}")


@dataclass(frozen=True)
class OpensslCert:
    """A certificate and key made by `openssl req`, with a DER copy of the certificate."""

    pem: Path
    der: Path
    key: Path


def _openssl_req(folder: Path, name: str, bits: int) -> OpensslCert:
    pem, der, key = folder / f"{name}.pem", folder / f"{name}.der", folder / f"{name}.key"
    run_tool(
        "openssl", "req", "-x509", "-newkey", f"rsa:{bits}", "-sha256", "-nodes", "-days", "30",
        "-subj", f"/CN={name}", "-keyout", key, "-out", pem,
    )  # fmt: skip
    run_tool("openssl", "x509", "-in", pem, "-outform", "DER", "-out", der)
    return OpensslCert(pem, der, key)


@pytest.fixture(scope="session")
def certs_openssl(tmp_path_factory: pytest.TempPathFactory) -> dict[int, OpensslCert]:
    """Self-signed certificates made by `openssl req`, RSA 2048 and 4096."""
    folder = tmp_path_factory.mktemp("openssl-certs")
    return {bits: _openssl_req(folder, f"rsa{bits}", bits) for bits in (2048, 4096)}


@dataclass(frozen=True)
class OpensslChain:
    """A CA and a leaf it signed, all made by openssl; `chain_pem` is leaf then CA."""

    folder: Path
    ca_pem: Path
    leaf_pem: Path
    leaf_key: Path
    chain_pem: Path


@pytest.fixture(scope="session")
def certs_openssl_chain(tmp_path_factory: pytest.TempPathFactory) -> OpensslChain:
    """A CA-issued certificate as a customer would get it: leaf + CA certificate + key."""
    folder = tmp_path_factory.mktemp("openssl-chain")
    ca = _openssl_req(folder, "test-ca", 2048)
    leaf_key, csr, leaf = folder / "leaf.key", folder / "leaf.csr", folder / "leaf.pem"
    run_tool(
        "openssl", "req", "-new", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=servicenow-teams/O=Contoso",
        "-keyout", leaf_key, "-out", csr,
    )  # fmt: skip
    run_tool(
        "openssl", "x509", "-req", "-in", csr, "-CA", ca.pem, "-CAkey", ca.key, "-CAcreateserial",
        "-days", "90", "-sha256", "-out", leaf,
    )  # fmt: skip
    chain = folder / "chain.pem"
    chain.write_bytes(leaf.read_bytes() + ca.pem.read_bytes())
    return OpensslChain(folder, ca.pem, leaf, leaf_key, chain)


@pytest.fixture(scope="session")
def certs_key() -> rsa.RSAPrivateKey:
    """One RSA 2048 key shared by the session."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="session")
def certs_other_key() -> rsa.RSAPrivateKey:
    """A second key, for "does not belong to" cases."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture
def certs_store_password(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Sets TEAMS_NOTIFY_STORE_PASSWORD for the test (and clears the other password variables)."""
    monkeypatch.setenv("TEAMS_NOTIFY_STORE_PASSWORD", CERTS_STORE_PASSWORD)
    monkeypatch.delenv("TEAMS_NOTIFY_KEY_PASSWORD", raising=False)
    monkeypatch.delenv("TEAMS_NOTIFY_INPUT_PASSWORD", raising=False)
    yield CERTS_STORE_PASSWORD


def make_bundle(
    folder: Path,
    key: rsa.RSAPrivateKey,
    *,
    name: str = "demo",
    days: int = 365,
    valid_from: datetime | None = None,
    store_password: str = CERTS_STORE_PASSWORD,
    key_password: str | None = None,
) -> Bundle:
    """A bundle for a shared key through the library (no key generation, so it is fast)."""
    cert = self_signed_certificate(key, f"{name}-cn", days, valid_from=valid_from)
    return write_bundle(
        Bundle.at(folder, name),
        key,
        [cert],
        store_password=store_password,
        key_password=key_password,
        check_validity=False,
    )


def export_pfx(chain: OpensslChain, out: Path, password: str, with_ca: bool = False) -> Path:
    """`openssl pkcs12 -export` of the leaf and its key (and the CA), password via env."""
    extra = ["-certfile", str(chain.ca_pem), "-name", "from-pfx"] if with_ca else []
    run_tool(
        "openssl", "pkcs12", "-export", "-in", chain.leaf_pem, "-inkey", chain.leaf_key, *extra,
        "-passout", "env:PFX_PASSWORD", "-out", out, env={"PFX_PASSWORD": password},
    )  # fmt: skip
    return out
