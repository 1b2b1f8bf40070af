"""The pieces of the doctor that need no instance: the assertion exactly as ServiceNow builds it,
the names of the two classic x5t mistakes, and where the doctor talks to (flags, environment)."""

from __future__ import annotations

import time
from pathlib import Path

import jwt
import pytest
from helpers.constructs import BundleFactory
from teams_notify.certs import Thumbprints, load_certificate, load_private_key
from teams_notify.doctor.assertion_builder import AssertionRecipe, servicenow_header
from teams_notify.doctor.cloud_endpoints import combined_ca_bundle, endpoints_from
from teams_notify.doctor.value_checks import x5t_spelling
from teams_notify.errors import BadInputError

CLIENT_ID = "c11e47ad-0000-4000-8000-00000000c1d1"
AUD = "https://login.microsoftonline.com/0a1b2c3d-1111-4222-8333-444455556666/oauth2/v2.0/token"


def _recipe(bundles: BundleFactory, kid: str) -> tuple[AssertionRecipe, Thumbprints]:
    bundle = bundles.make("doctor-assertion")
    cert = load_certificate(bundle.crt)
    key = load_private_key(bundle.dir / f"{bundle.name}.key")
    claims = {"aud": AUD, "iss": CLIENT_ID, "sub": CLIENT_ID, "x5t": Thumbprints.of(cert).x5t}
    return AssertionRecipe(servicenow_header(True, kid, cert), claims, 300, key, CLIENT_ID), Thumbprints.of(
        cert
    )


def test_assertion_is_what_servicenow_sends(constructs_bundles: BundleFactory) -> None:
    recipe, prints = _recipe(constructs_bundles, kid="")
    now = time.time()
    token = recipe.build(now)
    header = jwt.get_unverified_header(token)
    assert header == {"typ": "JWT", "alg": "RS256", "x5t": prints.x5t}  # no kid when none is set
    cert = load_certificate(constructs_bundles.make("doctor-assertion").crt)
    claims = jwt.decode(token, cert.public_key(), algorithms=["RS256"], audience=AUD)  # signature checks
    assert set(claims) == {"aud", "iss", "sub", "x5t", "jti", "iat", "exp"}  # no nbf
    assert claims["iat"] == int(now) and claims["exp"] - claims["iat"] == 300
    assert claims["iss"] == claims["sub"] == CLIENT_ID


def test_kid_is_in_the_header_when_set_and_jti_is_fresh(constructs_bundles: BundleFactory) -> None:
    recipe, _ = _recipe(constructs_bundles, kid="my-key-id")
    first, second = recipe.build(time.time()), recipe.build(time.time())
    assert jwt.get_unverified_header(first)["kid"] == "my-key-id"
    unverified = {"verify_signature": False}
    assert jwt.decode(first, options=unverified)["jti"] != jwt.decode(second, options=unverified)["jti"]


def test_x5t_spellings(constructs_bundles: BundleFactory) -> None:
    prints = Thumbprints.of(load_certificate(constructs_bundles.make("doctor-assertion").crt))
    assert x5t_spelling(prints.sha1_hex, prints) == "the hex thumbprint (as the Azure portal shows it)"
    colons = ":".join(prints.sha1_hex[i : i + 2] for i in range(0, 40, 2)).lower()
    assert x5t_spelling(colons, prints) is not None
    assert "standard Base64" in (x5t_spelling(prints.sha1_base64, prints) or "")
    assert x5t_spelling("AAAAAAAAAAAAAAAAAAAAAAAAAAA", prints) is None


def test_endpoints_defaults_flags_and_environment(tmp_path: Path) -> None:
    default = endpoints_from(None, None, {})
    assert (default.authority_host, default.graph_url) == (
        "https://login.microsoftonline.com",
        "https://graph.microsoft.com",
    )
    assert default.is_default_cloud and default.ca_files == ()
    env = {
        "TEAMS_NOTIFY_AUTHORITY_HOST": "https://login.microsoftonline.us/",
        "TEAMS_NOTIFY_GRAPH_URL": "https://graph.microsoft.us",
    }
    us = endpoints_from(None, None, env)
    assert us.authority_host == "https://login.microsoftonline.us" and not us.is_default_cloud
    assert us.audience_host == "https://login.microsoftonline.us"
    local = endpoints_from("https://127.0.0.1:8443", None, env)
    assert local.authority_host == "https://127.0.0.1:8443"
    assert (
        local.audience_host == "https://login.microsoftonline.com"
    )  # a stand-in answers for the public cloud


def test_endpoints_refuse_plain_http_and_missing_ca_files(tmp_path: Path) -> None:
    with pytest.raises(BadInputError, match="not an https:// URL"):
        endpoints_from("http://login.microsoftonline.com", None, {})
    with pytest.raises(BadInputError, match="from SSL_CERT_FILE"):
        endpoints_from(None, None, {"SSL_CERT_FILE": str(tmp_path / "missing.pem")})


def test_both_ca_files_are_trusted(tmp_path: Path) -> None:
    one, two = tmp_path / "one.pem", tmp_path / "two.pem"
    one.write_bytes(b"-----BEGIN CERTIFICATE-----\nAAA\n-----END CERTIFICATE-----\n")
    two.write_bytes(b"-----BEGIN CERTIFICATE-----\nBBB\n-----END CERTIFICATE-----")
    endpoints = endpoints_from(None, None, {"SSL_CERT_FILE": str(one), "REQUESTS_CA_BUNDLE": str(two)})
    assert endpoints.ca_files == (str(one), str(two))
    bundle = combined_ca_bundle(endpoints.ca_files)
    assert bundle is not None
    assert Path(bundle).read_bytes() == one.read_bytes() + two.read_bytes() + b"\n"
