"""The provider process's start: the TLS identity cache, the handshake line, and the installed
wrapper that starts Python without `site` (a real process, no Terraform)."""

from __future__ import annotations

import base64
import json
import os
import shutil
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from cryptography import x509
from terraform_provider_servicenow import serve
from terraform_provider_servicenow.install import install, wrapper_script

NOW = time.time()


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv(serve.CACHE_ENV, str(tmp_path / "cache"))
    return tmp_path / "cache" / "plugin-tls.json"


def test_identity_is_made_once_cached_private_and_reused(cache: Path) -> None:
    first = serve.tls_identity(NOW)
    assert stat.S_IMODE(cache.stat().st_mode) == 0o600
    cert = x509.load_der_x509_certificate(first.cert_der)
    assert cert.subject.rfc4514_string() == "CN=localhost"
    assert abs(cert.not_valid_after_utc.timestamp() - first.not_after) < 1
    assert first.not_after - NOW > 29 * 24 * 3600
    assert serve.tls_identity(NOW + 3600) == first  # from the cache, not made again


def test_identity_near_expiry_or_unreadable_is_made_again(cache: Path) -> None:
    first = serve.tls_identity(NOW)
    renewed = serve.tls_identity(first.not_after - serve.CERT_RENEW_MARGIN_SECONDS + 1)
    assert renewed.cert_der != first.cert_der
    cache.write_text("{not json")
    assert serve.tls_identity(NOW).cert_der not in (first.cert_der, renewed.cert_der)
    assert json.loads(cache.read_text())["cert_der"]  # rewritten whole


def test_identity_without_a_writable_cache_still_serves(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    monkeypatch.setenv(serve.CACHE_ENV, str(blocker / "cache"))  # a directory under a file: unwritable
    assert serve.tls_identity(NOW).cert_der


def test_handshake_line_is_go_plugins_format(cache: Path) -> None:
    identity = serve.tls_identity(NOW)
    line = serve.handshake_line("/tmp/x/plugin.sock", identity)
    core, proto, network, address, kind, cert = line.rstrip("\n").split("|")
    assert (core, proto, network, address, kind) == ("1", "6", "unix", "/tmp/x/plugin.sock", "grpc")
    assert not cert.endswith("=")
    assert base64.b64decode(cert + "=" * (-len(cert) % 4)) == identity.cert_der


def test_wrapper_starts_without_site_with_the_import_path_given() -> None:
    script = wrapper_script("/venv/bin/python", ["/src/providers", "/venv/lib/site-packages"])
    assert "PYTHONPATH=/src/providers:/venv/lib/site-packages${PYTHONPATH:+:$PYTHONPATH}" in script
    assert 'exec /venv/bin/python -S -P -m terraform_provider_servicenow "$@"' in script
    plain = wrapper_script("/other/python")
    assert 'exec /other/python -m terraform_provider_servicenow "$@"' in plain and "-S" not in plain


def test_installed_provider_starts_and_prints_the_handshake(tmp_path: Path, cache: Path) -> None:
    executable = install(tmp_path / "plugins", python=sys.executable)
    assert " -S -P " in executable.read_text()
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"} | {serve.CACHE_ENV: str(cache.parent)}
    proc = subprocess.Popen(
        [str(executable)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=tmp_path
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
    finally:
        proc.kill()
        proc.wait()
    assert line.startswith("1|6|unix|") and "|grpc|" in line
    socket_dir = Path(line.split("|")[3]).parent
    assert socket_dir.name.startswith("tf-servicenow-")
    shutil.rmtree(socket_dir, ignore_errors=True)  # a killed provider cannot remove it itself
    cert = line.rstrip("\n").split("|")[5]
    assert base64.b64decode(cert + "=" * (-len(cert) % 4)) == serve.tls_identity().cert_der  # the cache
