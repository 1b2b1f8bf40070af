"""`cert new|import|csr` write all their files or none, and a file system that says no is one
clear error line (exit 2), never a traceback or half a bundle.

The tests run as root in CI, where permission bits stop nothing, so the failures are made with
what stops root too: a directory where a file must go, a file where a directory must go, and
/proc, where no file can be created.
"""

from __future__ import annotations

import errno
import os
import stat
import threading
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
from helpers.certs import FIXTURES, OpensslChain, make_bundle, run_cli

PLUS_SLASH = FIXTURES / "x5t_plus_slash.pem"


def _snapshot(folder: Path) -> dict[str, bytes | None]:
    """Every entry of a folder: file bytes, or None for a directory (temp files would show up)."""
    return {p.name: None if p.is_dir() else p.read_bytes() for p in sorted(folder.iterdir())}


def _assert_one_clear_error(result_err: str, *expected: str) -> None:
    lines = [line for line in result_err.splitlines() if not line.startswith("warning:")]
    assert [line.split(":")[0] for line in lines] == ["error", "  fix"], result_err
    for words in expected:
        assert words in lines[0], result_err


def test_failed_forced_replace_keeps_the_old_bundle_whole(
    tmp_path: Path, certs_key: RSAPrivateKey, certs_store_password: str
) -> None:
    """The keystore cannot be written (a directory took its name) after the key and the
    certificate were already staged: the old key and certificate must stay, not a new key
    beside an old keystore."""
    make_bundle(tmp_path, certs_key, name="demo")
    (tmp_path / "demo.jks").unlink()
    (tmp_path / "demo.jks").mkdir()
    before = _snapshot(tmp_path)
    result = run_cli("cert", "new", "--name", "demo", "--out", tmp_path, "--cn", "again", "--force")
    assert result.code == 2
    _assert_one_clear_error(result.err, "demo.jks", "directory")
    assert "Traceback" not in result.err
    assert _snapshot(tmp_path) == before


def test_failed_first_write_leaves_nothing(tmp_path: Path, certs_store_password: str) -> None:
    (tmp_path / "fresh.thumbprint.json").mkdir()
    result = run_cli("cert", "new", "--name", "fresh", "--out", tmp_path, "--cn", "c", "--force")
    assert result.code == 2
    _assert_one_clear_error(result.err, "fresh.thumbprint.json")
    assert _snapshot(tmp_path) == {"fresh.thumbprint.json": None}


@pytest.mark.parametrize("out", ["file", "under-file", "proc"])
def test_unwritable_output_is_one_clear_error(tmp_path: Path, certs_store_password: str, out: str) -> None:
    blocker = tmp_path / "blocker"
    blocker.write_text("x")
    target = {"file": blocker, "under-file": blocker / "sub", "proc": Path("/proc/teams-notify-test")}[out]
    result = run_cli("cert", "new", "--name", "n", "--out", target, "--cn", "c")
    assert result.code == 2
    _assert_one_clear_error(result.err, str(target if out == "proc" else blocker))
    assert "Traceback" not in result.err
    assert _snapshot(tmp_path) == {"blocker": b"x"}


def test_generated_password_file_is_not_left_when_the_bundle_is_not_written(
    tmp_path: Path, certs_key: RSAPrivateKey, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An orphan password file would make the retry fail ("already exists") for nothing."""
    monkeypatch.delenv("TEAMS_NOTIFY_STORE_PASSWORD", raising=False)
    monkeypatch.delenv("TEAMS_NOTIFY_KEY_PASSWORD", raising=False)
    password = tmp_path / "store.pw"
    make_bundle(tmp_path / "b", certs_key, name="taken")
    generate = ("--generate-password", password)
    refused = run_cli("cert", "new", "--name", "taken", "--out", tmp_path / "b", "--cn", "c", *generate)
    assert refused.code == 2 and "--force" in refused.err
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "x.jks").mkdir()
    failed = run_cli(
        "cert", "new", "--name", "x", "--out", tmp_path / "c", "--cn", "c", *generate, "--force"
    )  # fmt: skip
    assert failed.code == 2
    assert not password.exists()
    assert _snapshot(tmp_path / "c") == {"x.jks": None}
    (tmp_path / "c" / "x.jks").rmdir()
    ok = run_cli("cert", "new", "--name", "x", "--out", tmp_path / "c", "--cn", "c", *generate)
    assert ok.code == 0, ok.err
    assert stat.S_IMODE(password.stat().st_mode) == 0o600


def test_import_into_a_blocked_bundle_writes_nothing(
    tmp_path: Path, certs_store_password: str, certs_openssl_chain: OpensslChain
) -> None:
    (tmp_path / "issued.crt").mkdir()
    result = run_cli(
        "cert", "import", "--cert", certs_openssl_chain.leaf_pem, "--key", certs_openssl_chain.leaf_key,
        "--name", "issued", "--out", tmp_path, "--force",
    )  # fmt: skip
    assert result.code == 2
    _assert_one_clear_error(result.err, "issued.crt")
    assert _snapshot(tmp_path) == {"issued.crt": None}


def test_csr_writes_key_and_request_or_neither(tmp_path: Path) -> None:
    (tmp_path / "req.csr").mkdir()
    result = run_cli("cert", "csr", "--name", "req", "--out", tmp_path, "--cn", "c", "--force")
    assert result.code == 2
    _assert_one_clear_error(result.err, "req.csr")
    assert _snapshot(tmp_path) == {"req.csr": None}


def _feed_fifo(fifo: Path, stop: threading.Event) -> None:
    """Answer every reader of the FIFO with junk, so a regression that reads it fails the test
    instead of hanging it. Opens without blocking (ENXIO while nobody reads), so the thread
    always sees `stop` and ends."""
    while not stop.wait(0.01):
        try:
            fd = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
        except OSError as err:
            if err.errno == errno.ENXIO:
                continue
            raise
        try:
            os.write(fd, b"not a certificate")
        except (BrokenPipeError, BlockingIOError):
            pass
        finally:
            os.close(fd)


def test_thumbprint_of_inputs_that_are_not_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A FIFO would block a plain read until someone writes; /proc/self/mem exists but cannot
    be read; an empty argument is not the current directory."""
    fifo = tmp_path / "cert.pem"
    os.mkfifo(fifo)
    stop = threading.Event()
    writer = threading.Thread(target=_feed_fifo, args=(fifo, stop), daemon=True)
    writer.start()
    monkeypatch.chdir(tmp_path)
    cases = {
        str(fifo): "is not a regular file",
        "/proc/self/mem": "cannot read certificate file /proc/self/mem",
        "": "is not a hex thumbprint",
        str(tmp_path): "is a directory",
    }
    try:
        for source, expected in cases.items():
            result = run_cli("cert", "thumbprint", source)
            assert result.code == 2, (source, result.err)
            _assert_one_clear_error(result.err, expected)
    finally:
        stop.set()
        writer.join()


def test_thumbprint_still_reads_a_symlinked_certificate(tmp_path: Path) -> None:
    link = tmp_path / "link.pem"
    link.symlink_to(PLUS_SLASH)
    assert (
        run_cli("cert", "thumbprint", link, "--json").out
        == run_cli("cert", "thumbprint", PLUS_SLASH, "--json").out
    )
