"""Property tests: conversions round-trip, and bad input always ends in one clear error line
(exit 2), never a traceback."""

from __future__ import annotations

import base64
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from helpers.certs import FIXTURES, run_cli
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from teams_notify.certs import load_certificate
from teams_notify.certs.thumbprint import (
    b64,
    b64url,
    base64_to_hex,
    base64url_to_hex,
    from_b64,
    from_b64url,
    hex_to_base64,
    hex_to_base64url,
    parse_hex,
    to_hex,
)
from teams_notify.errors import BadInputError

PLUS_SLASH_PEM = (FIXTURES / "x5t_plus_slash.pem").read_bytes()
PLUS_SLASH_DER = base64.b64decode(b"".join(PLUS_SLASH_PEM.splitlines()[1:-1]))

sha1_digests = st.binary(min_size=20, max_size=20)
separators = st.sampled_from(["", ":", " ", "-"])


@st.composite
def azure_hex(draw: st.DrawFn) -> tuple[bytes, str]:
    """A SHA-1 digest and one way a person might paste it: any case, any separator."""
    digest = draw(sha1_digests)
    pairs = [draw(st.sampled_from([p.upper(), p.lower()])) for p in (f"{b:02x}" for b in digest)]
    return digest, draw(separators).join(pairs)


@settings(deadline=None)  # no wall-clock limit: the machine is shared
@given(azure_hex())
def test_hex_to_base64_and_base64url_round_trip(case: tuple[bytes, str]) -> None:
    digest, text = case
    assert parse_hex(text) == digest
    assert base64_to_hex(hex_to_base64(text)) == to_hex(digest)
    assert base64url_to_hex(hex_to_base64url(text)) == to_hex(digest)
    assert hex_to_base64url(text) == hex_to_base64(text).rstrip("=").replace("+", "-").replace("/", "_")


@settings(deadline=None)  # no wall-clock limit: the machine is shared
@given(st.binary(max_size=64))
def test_base64url_is_unpadded_urlsafe_and_reversible(data: bytes) -> None:
    encoded = b64url(data)
    assert not set("+/=") & set(encoded)
    assert from_b64url(encoded) == data
    assert from_b64(b64(data)) == data


hex_alphabet = "0123456789abcdefABCDEF"
not_sha1_hex = st.one_of(
    st.text(alphabet=hex_alphabet, max_size=80).filter(lambda t: len(t) != 40),
    st.text(min_size=1, max_size=60).filter(lambda t: any(c not in hex_alphabet + ": -\t\n\r" for c in t)),
)


@settings(deadline=None)  # no wall-clock limit: the machine is shared
@given(not_sha1_hex)
def test_malformed_hex_is_a_clear_error(text: str) -> None:
    with pytest.raises(BadInputError):
        parse_hex(text)


# In-process CLI runs with strings that are not files: hypothesis may produce "/" or names
# that exist in the working directory, so run from an empty directory.
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(not_sha1_hex.filter(lambda t: t.strip() and not t.startswith("-") and "\x00" not in t))
def test_cli_malformed_hex_exits_2_without_traceback(monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    with tempfile.TemporaryDirectory() as empty:
        monkeypatch.chdir(empty)
        result = run_cli("cert", "thumbprint", text)
    assert result.code == 2
    assert result.err.startswith("error: ")
    assert "Traceback" not in result.err + result.out


def _damaged(data: st.DataObject) -> bytes:
    """A certificate file cut short, with bytes flipped, or plain garbage."""
    source = data.draw(st.sampled_from([PLUS_SLASH_PEM, PLUS_SLASH_DER]))
    kind = data.draw(st.sampled_from(["truncate", "flip", "garbage", "jks-header", "pfx-header"]))
    if kind == "truncate":
        return source[: data.draw(st.integers(1, len(source) - 1))]
    if kind == "flip":
        at = data.draw(st.integers(0, len(source) - 1))
        return source[:at] + bytes([source[at] ^ data.draw(st.integers(1, 255))]) + source[at + 1 :]
    garbage = data.draw(st.binary(min_size=1, max_size=300))
    prefix = {
        "garbage": b"",
        "jks-header": b"\xfe\xed\xfe\xed\x00\x00\x00\x02",
        "pfx-header": b"\x30\x82\x01\x00\x02\x01\x03",
    }
    return prefix[kind] + garbage


# Bit flips can produce a negative serial number, which cryptography loads with a deprecation warning.
@pytest.mark.filterwarnings("ignore:Parsed a serial number")
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.data())
def test_damaged_certificate_files_give_clear_error(
    monkeypatch: pytest.MonkeyPatch, data: st.DataObject
) -> None:
    monkeypatch.delenv("TEAMS_NOTIFY_INPUT_PASSWORD", raising=False)
    blob = _damaged(data)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "damaged.crt"
        path.write_bytes(blob)
        try:
            load_certificate(path)
            readable = True  # some bit flips land in bytes a parser tolerates (e.g. inside a string)
        except BadInputError as err:
            readable = False
            assert str(path) in err.cause
        result = run_cli("cert", "thumbprint", path)
    assert result.code == (0 if readable else 2), result.err
    assert "Traceback" not in result.err + result.out
    if not readable:
        assert result.err.startswith("error: ") and "fix:" in result.err


def test_damaged_file_as_subprocess_exits_2_without_traceback(tmp_path: Path) -> None:
    """The installed console script, not just `main()`, turns bad input into exit 2."""
    damaged = tmp_path / "cut.pem"
    damaged.write_bytes(PLUS_SLASH_PEM[: len(PLUS_SLASH_PEM) // 2])
    script = Path(sys.executable).with_name("teams-notify")
    env = {k: v for k, v in os.environ.items() if not k.startswith("TEAMS_NOTIFY_")}
    proc = subprocess.run(
        [str(script), "cert", "thumbprint", str(damaged)],
        capture_output=True, text=True, stdin=subprocess.DEVNULL, env=env, check=False,
    )  # fmt: skip
    assert proc.returncode == 2
    assert proc.stderr.startswith("error: ") and "cut.pem" in proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout
