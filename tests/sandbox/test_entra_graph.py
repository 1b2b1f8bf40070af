"""The local Graph users API with tokens from the local Entra, and TLS trust through its CA."""

from __future__ import annotations

import ssl
import time
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from helpers.entra import (
    CLIENT_ID,
    GRAPH_SCOPE,
    TENANT_ID,
    USER_ID,
    USER_UPN,
    ClientCert,
    ca_context,
    certificate_credential,
    msal_app,
)
from teams_notify.errors import BadInputError
from teams_notify.sandbox.entra import EntraSandbox


def graph_token(entra: EntraSandbox, cert: ClientCert) -> str:
    result = msal_app(entra, certificate_credential(cert)).acquire_token_for_client(GRAPH_SCOPE)
    assert "access_token" in result, result
    token: str = result["access_token"]
    return token


def get_user(entra: EntraSandbox, key: str, token: str | None) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    return httpx.get(f"{entra.url}/v1.0/users/{key}", headers=headers, verify=ca_context(entra))


def graph_error(response: httpx.Response) -> dict[str, Any]:
    error: dict[str, Any] = response.json()["error"]
    assert set(error) == {"code", "message", "innerError"}
    assert error["innerError"]["request-id"]
    return error


@pytest.mark.parametrize("key", [USER_ID, USER_UPN])
def test_service_user_resolves_by_object_id_or_upn(
    entra: EntraSandbox, entra_client_cert: ClientCert, key: str
) -> None:
    response = get_user(entra, key, graph_token(entra, entra_client_cert))
    assert response.status_code == 200
    body = response.json()
    assert (body["id"], body["userPrincipalName"]) == (USER_ID, USER_UPN)
    assert body["displayName"] == "ServiceNow Notify service user"


def test_unknown_user_is_404_naming_the_id(entra: EntraSandbox, entra_client_cert: ClientCert) -> None:
    missing = "00000000-dead-4000-8000-000000000000"
    response = get_user(entra, missing, graph_token(entra, entra_client_cert))
    assert response.status_code == 404
    error = graph_error(response)
    assert error["code"] == "Request_ResourceNotFound"
    assert f"'{missing}'" in error["message"]


def test_no_token_is_401(entra: EntraSandbox) -> None:
    response = get_user(entra, USER_ID, None)
    assert response.status_code == 401
    assert graph_error(response)["code"] == "InvalidAuthenticationToken"
    assert "WWW-Authenticate" in response.headers


def test_token_not_signed_by_the_local_entra_is_401(
    entra: EntraSandbox, certs_other_key: rsa.RSAPrivateKey
) -> None:
    pem = certs_other_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    forged = jwt.encode(
        {
            "aud": "https://graph.microsoft.com",
            "tid": TENANT_ID,
            "appid": CLIENT_ID,
            "roles": ["User.Read.All"],
            "exp": int(time.time()) + 600,
        },
        pem,
        algorithm="RS256",
    )
    for token in (forged, "not-a-token"):
        response = get_user(entra, USER_ID, token)
        assert response.status_code == 401
        assert graph_error(response)["code"] == "InvalidAuthenticationToken"


def test_token_without_a_user_read_role_is_403(entra: EntraSandbox, entra_client_cert: ClientCert) -> None:
    entra.state.tenants[TENANT_ID].apps[0].granted_roles = ["Calls.JoinGroupCall.All"]
    response = get_user(entra, USER_ID, graph_token(entra, entra_client_cert))
    assert response.status_code == 403
    assert graph_error(response)["code"] == "Authorization_RequestDenied"


def test_tls_is_trusted_only_through_the_ca_file(entra: EntraSandbox) -> None:
    url = f"{entra.url}/{TENANT_ID}/v2.0/.well-known/openid-configuration"
    with pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"):
        httpx.get(url, verify=ssl.create_default_context(cafile=None, capath="/nonexistent"))
    assert httpx.get(url, verify=ca_context(entra)).status_code == 200
    local = url.replace("127.0.0.1", "localhost")  # the server certificate names both
    assert (
        httpx.get(local, verify=ca_context(entra))
        .json()["token_endpoint"]
        .startswith(local.split(f"/{TENANT_ID}/")[0])
    )


def test_restart_on_the_same_data_dir_keeps_the_ca(entra: EntraSandbox) -> None:
    ca = entra.ca_file.read_bytes()
    entra.stop()
    entra.start()
    assert entra.ca_file.read_bytes() == ca
    url = f"{entra.url}/{TENANT_ID}/v2.0/.well-known/openid-configuration"
    assert httpx.get(url, verify=ca_context(entra)).status_code == 200


def test_a_corrupt_key_folder_is_bad_input(tmp_path: Path) -> None:
    (tmp_path / "entra-ca-key.pem").write_text("not a key")
    with pytest.raises(BadInputError, match="cannot use the local Entra's key folder") as caught:
        EntraSandbox(data_dir=tmp_path).start()
    assert "delete this one" in str(caught.value.fix)
