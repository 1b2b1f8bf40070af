"""The local Entra's token endpoint through the real msal: certificate credentials accepted,
each broken link answered with Entra's AADSTS code, status and error body."""

from __future__ import annotations

import base64
import json
import time
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from helpers.entra import (
    ALL_ROLES,
    CLIENT_ID,
    GRAPH_SCOPE,
    TENANT_DOMAIN,
    TENANT_ID,
    ClientCert,
    ca_context,
    certificate_credential,
    client_cert,
    entra_state,
    msal_app,
    servicenow_assertion,
    token_endpoint,
)
from teams_notify.sandbox.entra import EntraSandbox


def acquire(entra: EntraSandbox, credential: Any, **kwargs: Any) -> dict[str, Any]:
    result: dict[str, Any] = msal_app(entra, credential, **kwargs).acquire_token_for_client(GRAPH_SCOPE)
    return result


def claims_of(result: dict[str, Any]) -> dict[str, Any]:
    assert "access_token" in result, result
    data: dict[str, Any] = jwt.decode(result["access_token"], options={"verify_signature": False})
    return data


def post_assertion(entra: EntraSandbox, assertion: str, **form: str) -> httpx.Response:
    """The raw token request ServiceNow makes, for status codes and headers msal hides."""
    body = {
        "grant_type": "client_credentials",
        "client_id": CLIENT_ID,
        "scope": GRAPH_SCOPE[0],
        "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        "client_assertion": assertion,
        **form,
    }
    return httpx.post(
        token_endpoint(entra, form.pop("tenant", TENANT_ID)), data=body, verify=ca_context(entra)
    )


def assert_entra_error(result: dict[str, Any], code: int, text: str = "") -> None:
    assert result.get("error_codes") == [code], result
    assert result["error_description"].startswith(f"AADSTS{code}: ")
    assert text in result["error_description"]
    for field in ("timestamp", "trace_id", "correlation_id"):
        assert result[field]
    assert f"Trace ID: {result['trace_id']}" in result["error_description"]


def test_msal_certificate_credential_gets_a_graph_token_with_the_granted_roles(
    entra: EntraSandbox, entra_client_cert: ClientCert
) -> None:
    started = time.time()
    result = acquire(entra, certificate_credential(entra_client_cert))
    assert result["token_type"] == "Bearer"
    assert 3000 < result["expires_in"] <= 3600
    claims = claims_of(result)
    assert claims["aud"] == "https://graph.microsoft.com"
    assert claims["tid"] == TENANT_ID
    assert claims["appid"] == CLIENT_ID
    assert sorted(claims["roles"]) == ALL_ROLES
    assert claims["exp"] >= started + 3000


def test_access_token_verifies_with_the_published_keys_over_tls(
    entra: EntraSandbox, entra_client_cert: ClientCert
) -> None:
    """PyJWT's JWKS client (urllib, trusting SSL_CERT_FILE) fetches jwks_uri from discovery."""
    result = acquire(entra, certificate_credential(entra_client_cert))
    discovery = httpx.get(
        f"{entra.url}/{TENANT_ID}/v2.0/.well-known/openid-configuration", verify=ca_context(entra)
    ).json()
    assert discovery["token_endpoint"] == token_endpoint(entra)
    key = jwt.PyJWKClient(discovery["jwks_uri"]).get_signing_key_from_jwt(result["access_token"])
    claims = jwt.decode(
        result["access_token"], key.key, algorithms=["RS256"], audience="https://graph.microsoft.com"
    )
    assert claims["appid"] == CLIENT_ID


def test_msal_sha256_thumbprint_credential_ps256_is_accepted(
    entra: EntraSandbox, entra_client_cert: ClientCert
) -> None:
    credential = {"private_key": entra_client_cert.key_pem, "public_certificate": entra_client_cert.pem}
    assert claims_of(acquire(entra, credential))["appid"] == CLIENT_ID


def test_servicenow_style_assertion_is_accepted(entra: EntraSandbox, entra_client_cert: ClientCert) -> None:
    assertion = servicenow_assertion(entra, entra_client_cert)
    assert jwt.get_unverified_header(assertion) == {
        "typ": "JWT",
        "alg": "RS256",
        "x5t": entra_client_cert.x5t,
    }
    assert claims_of(acquire(entra, {"client_assertion": assertion}))["tid"] == TENANT_ID


@pytest.mark.parametrize(
    "aud",
    [
        f"https://login.microsoftonline.com/{TENANT_ID}/oauth2/v2.0/token",
        f"https://login.microsoftonline.com/{TENANT_DOMAIN}/oauth2/v2.0/token",
    ],
)
def test_public_entra_token_endpoint_is_an_accepted_audience(
    entra: EntraSandbox, entra_client_cert: ClientCert, aud: str
) -> None:
    assertion = servicenow_assertion(entra, entra_client_cert, aud=aud)
    assert "access_token" in acquire(entra, {"client_assertion": assertion})


def test_kid_with_the_hex_thumbprint_selects_the_certificate(
    entra: EntraSandbox, entra_client_cert: ClientCert
) -> None:
    assertion = servicenow_assertion(
        entra, entra_client_cert, x5t=None, kid=entra_client_cert.sha1.hex().upper()
    )
    assert "access_token" in acquire(entra, {"client_assertion": assertion})


def test_nbf_and_exp_within_the_five_minute_skew_are_accepted(
    entra: EntraSandbox, entra_client_cert: ClientCert
) -> None:
    now = int(time.time())
    assertion = servicenow_assertion(entra, entra_client_cert, nbf=now + 200, exp=now - 200)
    assert "access_token" in acquire(entra, {"client_assertion": assertion})


# --- each broken link: (assertion changes, AADSTS code, text in the description, HTTP status) ---

ASSERTION_FAULTS: dict[str, tuple[dict[str, Any], int, str, int]] = {
    "x5t is the hex thumbprint": ({"x5t": "HEX"}, 700027, "The key was not found", 401),
    "no x5t nor kid": ({"x5t": None}, 700027, "names no key", 401),
    "wrong aud": (
        {"aud": f"https://login.microsoftonline.com/{TENANT_ID}/oauth2/token"},
        700023,
        "audience",
        401,
    ),
    "iss is not the client id": ({"iss": "someone-else"}, 700021, "'iss' is 'someone-else'", 401),
    "sub is not the client id": ({"sub": "someone-else"}, 700021, "'sub' is 'someone-else'", 401),
    "expired": ({"exp": "PAST"}, 700024, "not within its valid time range", 401),
    "not yet valid": ({"nbf": "FUTURE"}, 700024, "not within its valid time range", 401),
    "no exp": ({"exp": None}, 50027, "no 'exp' claim", 400),
}


@pytest.mark.parametrize("fault", sorted(ASSERTION_FAULTS))
def test_broken_assertion_gets_entras_error(
    entra: EntraSandbox, entra_client_cert: ClientCert, fault: str
) -> None:
    changes, code, text, status = ASSERTION_FAULTS[fault]
    now = int(time.time())
    values = {"HEX": entra_client_cert.sha1.hex().upper(), "PAST": now - 400, "FUTURE": now + 400}
    changes = {k: values.get(v, v) if isinstance(v, str) else v for k, v in changes.items()}
    assertion = servicenow_assertion(entra, entra_client_cert, **changes)
    assert_entra_error(acquire(entra, {"client_assertion": assertion}), code, text)
    response = post_assertion(entra, assertion)
    assert response.status_code == status
    assert response.json()["error_codes"] == [code]
    assert response.headers["Content-Type"].startswith("application/json")


def test_certificate_not_registered_names_its_thumbprint(
    entra: EntraSandbox, certs_other_key: rsa.RSAPrivateKey
) -> None:
    stranger = client_cert(certs_other_key)
    result = acquire(entra, certificate_credential(stranger))
    assert_entra_error(result, 700027, f"Thumbprint of key used by client: '{stranger.sha1.hex().upper()}'")
    assert "not registered on application" in result["error_description"]


def test_signature_by_another_key_is_an_invalid_signature(
    entra: EntraSandbox, entra_client_cert: ClientCert, certs_other_key: rsa.RSAPrivateKey
) -> None:
    assertion = servicenow_assertion(entra, entra_client_cert, signer=certs_other_key)
    assert_entra_error(acquire(entra, {"client_assertion": assertion}), 700027, "invalid signature")


def test_expired_certificate_is_rejected(entra: EntraSandbox, certs_other_key: rsa.RSAPrivateKey) -> None:
    old = client_cert(certs_other_key, days=1, valid_from=_days_ago(3))
    entra.state.tenants[TENANT_ID].apps[0].certificates.append(old.pem)
    assertion = servicenow_assertion(entra, old)
    assert_entra_error(acquire(entra, {"client_assertion": assertion}), 700027, "expired")


def _days_ago(days: int) -> Any:
    import datetime as dt

    return dt.datetime.now(dt.UTC) - dt.timedelta(days=days)


def _cert_with_slash_or_plus(key: rsa.RSAPrivateKey) -> ClientCert:
    """A certificate whose SHA-1 in standard Base64 has `+` or `/` (about 3 in 5 do)."""
    while True:
        cert = client_cert(key)
        if set(base64.b64encode(cert.sha1).decode()) & {"+", "/"}:
            return cert


def test_x5t_in_standard_base64_with_plus_or_slash_is_not_found(
    entra: EntraSandbox, certs_other_key: rsa.RSAPrivateKey
) -> None:
    cert = _cert_with_slash_or_plus(certs_other_key)
    entra.state.tenants[TENANT_ID].apps[0].certificates.append(cert.pem)
    standard = base64.b64encode(cert.sha1).decode()
    result = acquire(entra, {"client_assertion": servicenow_assertion(entra, cert, x5t=standard)})
    assert_entra_error(result, 700027, f"Thumbprint of key used by client: '{cert.sha1.hex().upper()}'")
    entra.state.accept_standard_base64_x5t = True  # the knob for Entra's undocumented leniency
    assert "access_token" in acquire(
        entra, {"client_assertion": servicenow_assertion(entra, cert, x5t=standard)}
    )


def test_x5t_with_base64_padding_is_accepted(entra: EntraSandbox, entra_client_cert: ClientCert) -> None:
    """msal itself sends `=` padding; Entra accepts it."""
    padded = base64.urlsafe_b64encode(entra_client_cert.sha1).decode()
    assert padded.endswith("=")
    assertion = servicenow_assertion(entra, entra_client_cert, x5t=padded)
    assert "access_token" in acquire(entra, {"client_assertion": assertion})


def test_malformed_assertion_is_50027(entra: EntraSandbox) -> None:
    assert_entra_error(acquire(entra, {"client_assertion": "not.a-jwt"}), 50027, "malformed")
    assert post_assertion(entra, "not-a-jwt").status_code == 400


def test_client_secret_is_7000215(entra: EntraSandbox) -> None:
    assert_entra_error(acquire(entra, "a-client-secret"), 7000215, "Invalid client secret")


def test_unknown_client_is_700016(entra: EntraSandbox, entra_client_cert: ClientCert) -> None:
    other = "0000dead-0000-4000-8000-000000000000"
    assertion = servicenow_assertion(entra, entra_client_cert, iss=other, sub=other)
    result = acquire(entra, {"client_assertion": assertion}, client_id=other)
    assert_entra_error(result, 700016, f"'{other}' was not found in the directory '{TENANT_ID}'")
    assert result["error"] == "unauthorized_client"


def test_unknown_tenant_is_90002(entra: EntraSandbox, entra_client_cert: ClientCert) -> None:
    other = "0000beef-0000-4000-8000-000000000000"
    with pytest.raises(ValueError, match="double check your tenant name") as caught:
        msal_app(entra, certificate_credential(entra_client_cert), tenant=other)  # stops at discovery
    assert "AADSTS90002" in str(caught.value.__context__)
    response = post_assertion(entra, servicenow_assertion(entra, entra_client_cert), tenant=other)
    assert response.status_code == 400
    assert response.json()["error_codes"] == [90002]
    assert response.json()["error"] == "invalid_request"


def test_tenant_domain_is_an_authority_too(entra: EntraSandbox, entra_client_cert: ClientCert) -> None:
    result = acquire(entra, certificate_credential(entra_client_cert), tenant=TENANT_DOMAIN)
    assert claims_of(result)["tid"] == TENANT_ID


def test_replayed_assertion_is_rejected_unless_allowed(
    entra: EntraSandbox, entra_client_cert: ClientCert
) -> None:
    assertion = servicenow_assertion(entra, entra_client_cert)
    assert "access_token" in acquire(entra, {"client_assertion": assertion})
    assert_entra_error(acquire(entra, {"client_assertion": assertion}), 50013, "already used")
    entra.state.reject_replayed_jti = False
    assert "access_token" in acquire(entra, {"client_assertion": assertion})


def test_a_failed_request_does_not_spend_the_jti(entra: EntraSandbox, entra_client_cert: ClientCert) -> None:
    """A client retrying the same assertion after a transient failure (replication) still succeeds."""
    assertion = servicenow_assertion(entra, entra_client_cert)
    app = entra.state.tenants[TENANT_ID].apps[0]
    registered, app.certificates = app.certificates, []
    assert_entra_error(acquire(entra, {"client_assertion": assertion}), 700027)
    app.certificates = registered
    assert "access_token" in acquire(entra, {"client_assertion": assertion})


def test_scope_without_default_is_rejected(entra: EntraSandbox, entra_client_cert: ClientCert) -> None:
    app = msal_app(entra, certificate_credential(entra_client_cert))
    result = app.acquire_token_for_client(["https://graph.microsoft.com/User.Read.All"])
    assert_entra_error(result, 1002012, "/.default")


def test_no_roles_granted_means_no_roles_claim(entra: EntraSandbox, entra_client_cert: ClientCert) -> None:
    entra.state.tenants[TENANT_ID].apps[0].granted_roles = ["User.Read.All"]
    assert claims_of(acquire(entra, certificate_credential(entra_client_cert)))["roles"] == ["User.Read.All"]
    entra.state.tenants[TENANT_ID].apps[0].granted_roles = []
    assert "roles" not in claims_of(acquire(entra, certificate_credential(entra_client_cert)))


def test_new_certificate_is_usable_only_after_the_replication_delay(
    entra: EntraSandbox, certs_other_key: rsa.RSAPrivateKey
) -> None:
    new = client_cert(certs_other_key)
    state, state_file = entra.state, entra.state_file
    assert state_file is not None
    state.replication_delay_seconds = 1.0
    state.tenants[TENANT_ID].apps[0].certificates.append(new.pem)
    first, second = (msal_app(entra, certificate_credential(new)) for _ in range(2))  # discovery done
    state.save(state_file)  # as `entra-load` does
    entra.reload()  # the server sees the new certificate now
    assert_entra_error(first.acquire_token_for_client(GRAPH_SCOPE), 700027, "The key was not found")
    time.sleep(1.1)
    assert "access_token" in second.acquire_token_for_client(GRAPH_SCOPE)


@pytest.mark.parametrize("alg", ["none", "HS256"])
def test_an_unsigned_or_symmetric_assertion_is_rejected(
    entra: EntraSandbox, entra_client_cert: ClientCert, alg: str
) -> None:
    """Built by hand: `alg` none / HS256 with an empty or made-up signature (no JWT library signs that)."""

    def part(data: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    genuine = jwt.decode(servicenow_assertion(entra, entra_client_cert), options={"verify_signature": False})
    header = {"typ": "JWT", "alg": alg, "x5t": entra_client_cert.x5t}
    forged = f"{part(header)}.{part(genuine)}.{'' if alg == 'none' else 'c2lnbmF0dXJl'}"
    assert_entra_error(acquire(entra, {"client_assertion": forged}), 700027, f"'{alg}' is not supported")


def test_new_role_grant_shows_in_tokens_only_after_the_replication_delay(
    tmp_path: Path, entra_client_cert: ClientCert, entra_data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    state = entra_state(entra_client_cert, roles=["User.Read.All"])
    state.replication_delay_seconds = 1.0
    state_file = tmp_path / "state.json"
    with EntraSandbox(state_file=state_file, state=state, data_dir=entra_data_dir) as entra:
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(entra.ca_file))
        # One msal app per token (each has its own token cache), built up front: discovery is
        # done before the clock matters, so each call below is one token request.
        apps = [msal_app(entra, certificate_credential(entra_client_cert)) for _ in range(3)]

        def roles(app: Any) -> list[str]:
            return list(claims_of(app.acquire_token_for_client(GRAPH_SCOPE))["roles"])

        time.sleep(1.1)  # what the server loaded at start has replicated
        assert roles(apps[0]) == ["User.Read.All"]
        state.tenants[TENANT_ID].apps[0].granted_roles.append("Calls.JoinGroupCall.All")
        state.save(state_file)
        entra.reload()
        assert roles(apps[1]) == ["User.Read.All"]
        time.sleep(1.1)
        assert roles(apps[2]) == ["User.Read.All", "Calls.JoinGroupCall.All"]
