"""Serve the provider over go-plugin's gRPC protocol, built to start fast.

Terraform starts a provider process several times per command (`plan`: schema, validate, plan;
`apply`: one more), so start-up is paid three or four times. Compared with `tf.runner.run_provider`
this server:

- loads the TLS certificate go-plugin needs from a cache whose JSON carries the expiry, so no
  `cryptography` import and no key generation on a normal start; on a miss it makes an EC P-256
  key (milliseconds, not an RSA key);
- declares the `GetProviderSchemaOptional` capability in the schema response too (Terraform reads
  it there): within one Terraform command only the first process is asked for the schema;
- builds the schema response once per process.

The protocol itself (every resource RPC) is the framework's `ProviderServicer`.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tf.iface import Provider

# go-plugin's handshake: core protocol 1, Terraform plugin protocol 6.
CORE_PROTOCOL = 1
PLUGIN_PROTOCOL = 6
CERT_DAYS = 30
CERT_RENEW_MARGIN_SECONDS = 24 * 3600.0  # never hand out a certificate that expires during a run
CACHE_ENV = "TERRAFORM_PROVIDER_SERVICENOW_CACHE_DIR"


@dataclass(frozen=True)
class TlsIdentity:
    """The server's certificate and key for the plugin socket (local only, never a secret of users)."""

    key_pem: bytes
    cert_pem: bytes
    cert_der: bytes
    not_after: float  # epoch seconds

    def usable(self, now: float) -> bool:
        return self.not_after - CERT_RENEW_MARGIN_SECONDS > now


def cache_dir() -> Path:
    """Where the TLS identity is kept: $TERRAFORM_PROVIDER_SERVICENOW_CACHE_DIR, else the user cache."""
    configured = os.environ.get(CACHE_ENV)
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "terraform-provider-servicenow"


def load_identity(path: Path, now: float) -> TlsIdentity | None:
    try:
        data = json.loads(path.read_text())
        identity = TlsIdentity(
            key_pem=data["key_pem"].encode(),
            cert_pem=data["cert_pem"].encode(),
            cert_der=base64.b64decode(data["cert_der"]),
            not_after=float(data["not_after"]),
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return identity if identity.usable(now) else None


def new_identity(now: float) -> TlsIdentity:
    """A self-signed certificate for `localhost`, as go-plugin's AutoMTLS client expects."""
    from datetime import UTC, datetime, timedelta

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    start = datetime.fromtimestamp(now, UTC) - timedelta(minutes=1)
    end = start + timedelta(days=CERT_DAYS)
    usage = x509.KeyUsage(
        digital_signature=True,
        content_commitment=False,
        key_encipherment=True,
        data_encipherment=False,
        key_agreement=True,
        key_cert_sign=True,
        crl_sign=False,
        encipher_only=False,
        decipher_only=False,
    )
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(end)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
        .add_extension(usage, critical=True)
        .add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH]),
            critical=True,
        )
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return TlsIdentity(
        key_pem=key_pem,
        cert_pem=cert.public_bytes(serialization.Encoding.PEM),
        cert_der=cert.public_bytes(serialization.Encoding.DER),
        not_after=end.timestamp(),
    )


def save_identity(path: Path, identity: TlsIdentity) -> None:
    """Write the cache atomically, readable by its owner only (it holds the socket's private key)."""
    data = {
        "key_pem": identity.key_pem.decode(),
        "cert_pem": identity.cert_pem.decode(),
        "cert_der": base64.b64encode(identity.cert_der).decode(),
        "not_after": identity.not_after,
    }
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        partial = path.with_name(f"{path.name}.{os.getpid()}.partial")
        fd = os.open(partial, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as out:
            json.dump(data, out)
        os.replace(partial, path)
    except OSError:
        pass  # no writable cache: the next start makes another one, which is only slower


def tls_identity(now: float | None = None) -> TlsIdentity:
    """The cached identity, or a new one (then cached)."""
    now = time.time() if now is None else now
    path = cache_dir() / "plugin-tls.json"
    identity = load_identity(path, now)
    if identity is None:
        identity = new_identity(now)
        save_identity(path, identity)
    return identity


def handshake_line(socket_path: str, identity: TlsIdentity) -> str:
    """What go-plugin reads from the plugin's stdout to connect (its certificate without padding)."""
    cert = base64.b64encode(identity.cert_der).decode().rstrip("=")
    return f"{CORE_PROTOCOL}|{PLUGIN_PROTOCOL}|unix|{socket_path}|grpc|{cert}\n"


def serve(provider: Provider, threads: int = 10) -> None:
    """Serve until Terraform shuts the plugin down. `threads`: how many RPCs run at once (Terraform's
    default parallelism is 10)."""
    from concurrent.futures import ThreadPoolExecutor

    import grpc
    from tf.gen import grpc_controller_pb2, grpc_controller_pb2_grpc, grpc_stdio_pb2_grpc, tfplugin_pb2_grpc
    from tf.gen import tfplugin_pb2 as pb
    from tf.provider import ProviderServicer

    stopped = threading.Event()

    class Servicer(ProviderServicer):
        _schema: Any = None

        def GetProviderSchema(self, request: Any, context: Any) -> Any:
            if self._schema is None:
                response = super().GetProviderSchema(request, context)
                # Not plan_destroy: the framework's PlanResourceChange refuses destroy plans.
                response.server_capabilities.CopyFrom(pb.ServerCapabilities(get_provider_schema_optional=True))
                self._schema = response
            return self._schema

        # No StopProvider override: Terraform sends it on Ctrl-C and then waits for the running
        # calls to finish; ending the process there would lose the answer of an insert that
        # landed. The server ends on Controller.Shutdown, sent when no call is running.

    class Controller(grpc_controller_pb2_grpc.GRPCControllerServicer):
        def Shutdown(self, request: Any, context: Any) -> Any:
            stopped.set()
            return grpc_controller_pb2.Empty()

    class Stdio(grpc_stdio_pb2_grpc.GRPCStdioServicer):
        def StreamStdio(self, request: Any, context: Any) -> Any:
            return iter(())  # stderr goes to Terraform's log directly

    server = grpc.server(ThreadPoolExecutor(max_workers=threads))
    tfplugin_pb2_grpc.add_ProviderServicer_to_server(Servicer(provider), server)
    grpc_controller_pb2_grpc.add_GRPCControllerServicer_to_server(Controller(), server)
    grpc_stdio_pb2_grpc.add_GRPCStdioServicer_to_server(Stdio(), server)

    identity = tls_identity()
    credentials = grpc.ssl_server_credentials([(identity.key_pem, identity.cert_pem)])
    socket_dir = private_dir()
    socket_path = f"{socket_dir}/plugin.sock"
    try:
        server.add_secure_port(f"unix://{socket_path}", credentials)
        server.start()
        sys.stdout.write(handshake_line(socket_path, identity))
        sys.stdout.flush()
        with contextlib.suppress(KeyboardInterrupt):
            stopped.wait()
        server.stop(grace=0.5).wait()
    finally:
        with contextlib.suppress(OSError):
            os.unlink(socket_path)
        with contextlib.suppress(OSError):
            os.rmdir(socket_dir)


def private_dir() -> str:
    """A new directory only we can enter, for the socket (`tempfile` costs ~10 ms to import)."""
    base = os.environ.get("TMPDIR") or "/tmp"
    while True:
        path = os.path.join(base, f"tf-servicenow-{os.urandom(6).hex()}")
        try:
            os.mkdir(path, 0o700)
        except FileExistsError:
            continue
        return path
