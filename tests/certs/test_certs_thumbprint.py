"""Thumbprints agree with openssl, and every spelling of the SHA-1 converts to every other."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers.certs import FIXTURES, OpensslCert, openssl_fingerprint, run_cli, run_tool
from teams_notify.certs import Thumbprints, load_certificate
from teams_notify.certs.thumbprint import (
    b64url,
    base64_to_hex,
    base64url_to_hex,
    hex_to_base64,
    hex_to_base64url,
    parse_hex,
)
from teams_notify.errors import BadInputError

PLUS_SLASH = FIXTURES / "x5t_plus_slash.pem"


@pytest.mark.parametrize("bits", [2048, 4096])
@pytest.mark.parametrize("form", ["pem", "der"])
def test_thumbprints_equal_openssl_fingerprints(
    certs_openssl: dict[int, OpensslCert], bits: int, form: str
) -> None:
    made = certs_openssl[bits]
    path = made.pem if form == "pem" else made.der
    prints = Thumbprints.of(load_certificate(path))
    inform = form.upper()
    assert prints.sha1_hex == openssl_fingerprint(path, "sha1", inform)
    assert prints.sha256_hex == openssl_fingerprint(path, "sha256", inform)
    assert prints.x5t == b64url(bytes.fromhex(prints.sha1_hex))
    assert prints.subject == f"CN=rsa{bits}"


@pytest.mark.parametrize("form", ["pem", "der"])
def test_cli_thumbprint_json_equals_openssl(certs_openssl: dict[int, OpensslCert], form: str) -> None:
    path = certs_openssl[2048].pem if form == "pem" else certs_openssl[2048].der
    result = run_cli("cert", "thumbprint", path, "--json")
    assert result.code == 0, result.err
    values = json.loads(result.out)
    assert values["sha1_hex"] == openssl_fingerprint(path, "sha1", form.upper())
    assert values["sha256_hex"] == openssl_fingerprint(path, "sha256", form.upper())
    assert set(values) == {
        "sha1_hex", "sha1_base64", "x5t", "sha256_hex", "x5t_s256", "not_before", "not_after", "subject",
    }  # fmt: skip


def test_plus_slash_fixture_gives_base64url_x5t(tmp_path: Path) -> None:
    """The fixture was made by `openssl req` and kept because its standard Base64 SHA-1 has
    both '+' and '/': exactly the case where pasting ServiceNow's Base64 into x5t fails."""
    der = tmp_path / "fixture.der"
    run_tool("openssl", "x509", "-in", PLUS_SLASH, "-outform", "DER", "-out", der)
    run_tool("openssl", "dgst", "-sha1", "-binary", "-out", tmp_path / "digest", der)
    digest = (tmp_path / "digest").read_bytes()
    prints = Thumbprints.of(load_certificate(PLUS_SLASH))
    assert "+" in prints.sha1_base64 and "/" in prints.sha1_base64
    assert prints.sha1_hex == openssl_fingerprint(PLUS_SLASH, "sha1") == digest.hex().upper()
    assert prints.x5t == prints.sha1_base64.rstrip("=").replace("+", "-").replace("/", "_")
    assert not set("+/=") & set(prints.x5t)
    assert Thumbprints.of(load_certificate(der)) == prints


@pytest.mark.parametrize(
    "spelling",
    [
        "DB2F3E41FF392AC64FF5C2E95F3CC1E6014633FC",
        "db2f3e41ff392ac64ff5c2e95f3cc1e6014633fc",
        "DB:2F:3E:41:FF:39:2A:C6:4F:F5:C2:E9:5F:3C:C1:E6:01:46:33:FC",
        "db 2f 3e 41 ff 39 2a c6 4f f5 c2 e9 5f 3c c1 e6 01 46 33 fc",
        "  DB2F3E41FF392AC6 4FF5C2E95F3CC1E6014633FC\n",
        "sha1 Fingerprint=DB:2F:3E:41:FF:39:2A:C6:4F:F5:C2:E9:5F:3C:C1:E6:01:46:33:FC",
    ],
)
def test_azure_hex_in_any_spelling_gives_the_fixture_x5t(spelling: str) -> None:
    expected = Thumbprints.of(load_certificate(PLUS_SLASH))
    assert hex_to_base64url(spelling) == expected.x5t
    assert hex_to_base64(spelling) == expected.sha1_base64
    result = run_cli("cert", "thumbprint", spelling, "--json")
    assert result.code == 0, result.err
    assert json.loads(result.out) == {
        "sha1_hex": expected.sha1_hex, "sha1_base64": expected.sha1_base64, "x5t": expected.x5t,
    }  # fmt: skip


def test_base64_spellings_convert_back_to_hex() -> None:
    prints = Thumbprints.of(load_certificate(PLUS_SLASH))
    assert base64_to_hex(prints.sha1_base64) == prints.sha1_hex
    assert base64url_to_hex(prints.x5t) == prints.sha1_hex
    with pytest.raises(BadInputError):
        base64url_to_hex(prints.x5t_s256)  # a SHA-256 is not a SHA-1 thumbprint


def test_sha256_hex_is_refused_with_a_hint() -> None:
    prints = Thumbprints.of(load_certificate(PLUS_SLASH))
    with pytest.raises(BadInputError, match="SHA-256"):
        parse_hex(prints.sha256_hex)
    result = run_cli("cert", "thumbprint", prints.sha256_hex)
    assert result.code == 2
    assert "SHA-256" in result.err and "Traceback" not in result.err


def test_human_output_names_where_each_value_goes() -> None:
    result = run_cli("cert", "thumbprint", PLUS_SLASH)
    assert result.code == 0, result.err
    prints = Thumbprints.of(load_certificate(PLUS_SLASH))
    lines = {line.split()[0]: line for line in result.out.splitlines() if line.strip()}
    assert prints.x5t in lines["x5t"] and "base64url" in lines["x5t"]
    assert prints.sha1_base64 in lines["sha1_base64"] and "NOT a valid x5t" in lines["sha1_base64"]
    assert prints.sha1_hex in lines["sha1_hex"] and "Azure portal" in lines["sha1_hex"]


def test_missing_file_and_nonsense_are_bad_input() -> None:
    missing = run_cli("cert", "thumbprint", "no/such/file.pem")
    assert missing.code == 2 and "does not exist" in missing.err
    nonsense = run_cli("cert", "thumbprint", "hello")
    assert nonsense.code == 2 and "not a hex thumbprint" in nonsense.err
