"""Release fixtures: the self-contained provider build, a throwaway GPG key, a signed release,
and an HTTPS server with its own test CA (re-exported by tests/conftest.py).

release_build        session fixture -> Build: the PyInstaller --onedir build, made ONCE per session and
                     cached across sessions in <repo>/.cache/provider-build by a hash of the provider
                     sources (a cold build takes ~40 s; a cached one is instant).
release_gpg          session fixture -> GpgKey: a fresh GNUPGHOME with an RSA signing key (no
                     passphrase); its gpg-agent is stopped at the end of the session.
release_dir          session fixture -> Release: `write_release` of release_build, signed with release_gpg,
                     version RELEASE_VERSION. Tests must not modify it: copy before tampering.
https_server(root)   context manager -> HttpsServer: serves `root` over HTTPS on 127.0.0.1 with a
                     certificate for localhost from a throwaway CA; `.url`, `.ca_file` (give it to
                     terraform as SSL_CERT_FILE), `.requests` (paths asked for). Files without an
                     extension (registry protocol documents) are served as application/json.
gpg(home, *args)     run gpg --batch with GNUPGHOME=home -> CompletedProcess (no check).
install_built(build, plugin_dir) -> Path: the frozen build in Terraform's unpacked mirror layout (the
                     executable renamed terraform-provider-servicenow_v<version>, `_internal/` beside it).
                     With TEAMS_NOTIFY_TEST_PROVIDER=built, tests/helpers/terraform.py's
                     `terraform_plugin_dir` serves this instead of the venv wrapper, so every
                     Terraform test runs against the self-contained provider (`make test-built`).
handshake(argv, env) start a provider -> (seconds from spawn to its go-plugin handshake line, the line,
                     the running Popen); the caller kills it.
"""

from __future__ import annotations

import datetime
import http.server
import ipaddress
import os
import ssl
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from terraform_provider_servicenow.build import Build, cached_build, install_build
from terraform_provider_servicenow.release import Release, write_release

REPO = Path(__file__).resolve().parents[2]
BUILD_CACHE = REPO / ".cache" / "provider-build"
RELEASE_VERSION = "0.1.0"


@dataclass(frozen=True)
class GpgKey:
    home: Path
    fingerprint: str

    def env(self) -> dict[str, str]:
        return {"GNUPGHOME": str(self.home), "TEAMS_NOTIFY_GPG_KEY_ID": self.fingerprint}


def gpg(home: Path, *args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        ["gpg", "--batch", "--no-tty", *args],
        env=os.environ | {"GNUPGHOME": str(home)},
        input=stdin,
        capture_output=True,
        check=False,
    )


def new_gpg_home(path: Path) -> Path:
    path.mkdir(mode=0o700, parents=True)
    return path


def stop_gpg_agent(home: Path) -> None:
    """The agent gpg started for this GNUPGHOME (ours alone) exits; nothing else is touched."""
    subprocess.run(
        ["gpgconf", "--homedir", str(home), "--kill", "gpg-agent"], capture_output=True, check=False
    )


def handshake(argv: list[str], env: dict[str, str] | None = None) -> tuple[float, str, subprocess.Popen[str]]:
    started = time.perf_counter()
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    return time.perf_counter() - started, line, proc


def install_built(build: Build, plugin_dir: Path) -> Path:
    install_build(build, plugin_dir)
    return plugin_dir


@pytest.fixture(scope="session")
def release_build() -> Build:
    return cached_build(BUILD_CACHE)


@pytest.fixture(scope="session")
def release_gpg(tmp_path_factory: pytest.TempPathFactory) -> Iterator[GpgKey]:
    home = new_gpg_home(tmp_path_factory.mktemp("gpg") / "home")
    made = gpg(home, "--passphrase", "", "--quick-gen-key", "teams-notify test <test@example.invalid>",
               "rsa2048", "sign", "never")  # fmt: skip
    assert made.returncode == 0, made.stderr.decode()
    listing = gpg(home, "--list-secret-keys", "--with-colons").stdout.decode()
    fingerprint = next(line.split(":")[9] for line in listing.splitlines() if line.startswith("fpr:"))
    yield GpgKey(home, fingerprint)
    stop_gpg_agent(home)


@pytest.fixture(scope="session")
def release_dir(
    tmp_path_factory: pytest.TempPathFactory, release_build: Build, release_gpg: GpgKey
) -> Iterator[Release]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("GNUPGHOME", str(release_gpg.home))
        yield write_release(
            tmp_path_factory.mktemp("release"), RELEASE_VERSION, [release_build], release_gpg.fingerprint
        )


@dataclass
class HttpsServer:
    url: str
    ca_file: Path
    requests: list[str] = field(default_factory=list)


@contextmanager
def https_server(root: Path, cert_dir: Path) -> Iterator[HttpsServer]:
    """Serve `root` read-only over HTTPS on a free loopback port; the CA is written to cert_dir."""
    ca_file, chain_file, key_file = _test_pki(cert_dir)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(chain_file, key_file)
    requests: list[str] = []

    class Handler(http.server.SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            requests.append(self.path)

        def guess_type(self, path: str | os.PathLike[str]) -> str:
            # The registry protocol's documents have no extension; Terraform wants them as JSON.
            return "application/json" if not Path(path).suffix else super().guess_type(path)

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), partial(Handler, directory=str(root)))
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield HttpsServer(f"https://localhost:{server.server_address[1]}/", ca_file, requests)
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def _test_pki(folder: Path) -> tuple[Path, Path, Path]:
    """A CA and a localhost/127.0.0.1 server certificate signed by it (EC P-256, one day)."""
    folder.mkdir(parents=True, exist_ok=True)
    now = datetime.datetime.now(datetime.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "teams-notify test CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True
        )
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    leaf = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    pem = serialization.Encoding.PEM
    ca_file, chain_file, key_file = folder / "ca.pem", folder / "server.pem", folder / "server.key"
    ca_file.write_bytes(ca.public_bytes(pem))
    chain_file.write_bytes(leaf.public_bytes(pem) + ca.public_bytes(pem))
    key_file.write_bytes(
        key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    key_file.chmod(0o600)
    return ca_file, chain_file, key_file
