"""Local Entra fixtures (re-exported by tests/conftest.py).

entra_client_cert  session fixture -> ClientCert: the app's certificate (product generator, key
                   `certs_key`), its PEM, key PEM and thumbprints
entra_state(cert)  -> EntraState: one tenant (TENANT_ID, domain TENANT_DOMAIN) with app CLIENT_ID
                   holding `cert` and the 5 Graph roles, and the service user USER_ID
entra              fixture -> a running EntraSandbox on that state (state file in tmp_path, a free
                   port); REQUESTS_CA_BUNDLE / SSL_CERT_FILE point at its CA for the test
ca_context(entra) -> ssl.SSLContext trusting only its CA (for httpx)
msal_app(entra, credential, client_id=CLIENT_ID, tenant=TENANT_ID) -> the real msal
                   ConfidentialClientApplication against it (no instance discovery)
servicenow_assertion(entra, cert, **changes) -> a client assertion built like ServiceNow's JWT
                   provider (typ JWT, RS256, x5t; aud/iss/sub, jti, iat, exp), signed with PyJWT;
                   `changes` replace header/claim values (None removes one)
"""

from __future__ import annotations

import base64
import ssl
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import jwt
import msal
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from teams_notify.certs.generate import self_signed_certificate
from teams_notify.graph import GRAPH_APP_ROLES
from teams_notify.sandbox.entra import EntraApp, EntraSandbox, EntraState, EntraUser, TenantState

TENANT_ID = "0a1b2c3d-1111-4222-8333-444455556666"
TENANT_DOMAIN = "contoso-test.onmicrosoft.com"
CLIENT_ID = "c11e47ad-0000-4000-8000-00000000c1d1"
USER_ID = "5e4f1ce0-0000-4000-8000-000000005e4f"
USER_UPN = "sn-notify@contoso-test.onmicrosoft.com"
GRAPH_SCOPE = ["https://graph.microsoft.com/.default"]
ALL_ROLES = sorted(GRAPH_APP_ROLES)


@dataclass(frozen=True)
class ClientCert:
    key: rsa.RSAPrivateKey
    cert: x509.Certificate

    @property
    def pem(self) -> str:
        return self.cert.public_bytes(serialization.Encoding.PEM).decode()

    @property
    def key_pem(self) -> str:
        return self.key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ).decode()

    @property
    def sha1(self) -> bytes:
        return self.cert.fingerprint(hashes.SHA1())

    @property
    def x5t(self) -> str:
        return base64.urlsafe_b64encode(self.sha1).rstrip(b"=").decode()


def client_cert(key: rsa.RSAPrivateKey, days: int = 365, valid_from: datetime | None = None) -> ClientCert:
    return ClientCert(key, self_signed_certificate(key, "entra test app", days=days, valid_from=valid_from))


@pytest.fixture(scope="session")
def entra_client_cert(certs_key: rsa.RSAPrivateKey) -> ClientCert:
    return client_cert(certs_key)


def entra_state(cert: ClientCert, roles: list[str] | None = None) -> EntraState:
    app = EntraApp(CLIENT_ID, "Notify test app", [cert.pem], ALL_ROLES if roles is None else roles)
    user = EntraUser(USER_ID, USER_UPN, "ServiceNow Notify service user")
    return EntraState(tenants={TENANT_ID: TenantState(apps=[app], users=[user], domains=[TENANT_DOMAIN])})


@pytest.fixture(scope="session")
def entra_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """CA, TLS and signing keys shared by the session's servers (made once, like a real data dir)."""
    return tmp_path_factory.mktemp("entra-keys")


@pytest.fixture
def entra(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, entra_client_cert: ClientCert, entra_data_dir: Path
) -> Iterator[EntraSandbox]:
    state_file = tmp_path / "entra-state.json"
    with EntraSandbox(
        state_file=state_file, state=entra_state(entra_client_cert), data_dir=entra_data_dir
    ) as sb:
        # requests (under msal) takes REQUESTS_CA_BUNDLE over msal's `verify=`: trust goes by env.
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(sb.ca_file))
        monkeypatch.setenv("SSL_CERT_FILE", str(sb.ca_file))
        yield sb


def msal_app(
    entra: EntraSandbox, credential: dict[str, Any] | str, client_id: str = CLIENT_ID, tenant: str = TENANT_ID
) -> msal.ConfidentialClientApplication:
    assertion = credential.get("client_assertion") if isinstance(credential, dict) else None
    if isinstance(assertion, str):  # msal wants a callable (a static string is deprecated)
        credential = {"client_assertion": lambda: assertion}
    return msal.ConfidentialClientApplication(
        client_id,
        client_credential=credential,
        authority=entra.authority(tenant),
        instance_discovery=False,
        validate_authority=False,
    )


def ca_context(entra: EntraSandbox) -> ssl.SSLContext:
    """TLS trust for httpx: only the local Entra's CA."""
    return ssl.create_default_context(cafile=str(entra.ca_file))


def certificate_credential(cert: ClientCert) -> dict[str, Any]:
    """msal's own assertion from key + SHA-1 thumbprint (RS256, x5t)."""
    return {"private_key": cert.key_pem, "thumbprint": cert.sha1.hex()}


def token_endpoint(entra: EntraSandbox, tenant: str = TENANT_ID) -> str:
    return f"{entra.url}/{tenant}/oauth2/v2.0/token"


def servicenow_assertion(
    entra: EntraSandbox, cert: ClientCert, signer: rsa.RSAPrivateKey | None = None, **changes: Any
) -> str:
    """Header `typ`, `alg`, `x5t`; claims aud/iss/sub/jti/iat/exp. `changes` keys: header fields
    (typ, alg, x5t, kid, x5t#S256 given as `x5t_S256`) and claims; a None value removes it."""
    now = int(time.time())
    header: dict[str, Any] = {"typ": "JWT", "alg": "RS256", "x5t": cert.x5t}
    claims: dict[str, Any] = {
        "aud": token_endpoint(entra),
        "iss": CLIENT_ID,
        "sub": CLIENT_ID,
        "jti": str(uuid.uuid4()),
        "iat": now,
        "exp": now + 300,
    }
    for name, value in changes.items():
        name = name.replace("_S256", "#S256")
        target = header if name in ("typ", "alg", "x5t", "kid", "x5t#S256") else claims
        if value is None:
            target.pop(name, None)
        else:
            target[name] = value
    return jwt.encode(claims, signer or cert.key, algorithm=header["alg"], headers=header)
