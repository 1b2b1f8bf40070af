"""Restarts keep everything; concurrent clients are served; the CLI runs the sandbox for real."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from helpers.sandbox import client
from teams_notify.cli import main
from teams_notify.sandbox import Sandbox

ALIASES = "/api/now/table/sys_alias"
TOKEN_FORM = {
    "grant_type": "client_credentials",
    "client_id": "sandbox-client",
    "client_secret": "sandbox-secret",
}


def test_restart_on_the_same_file_keeps_records_attachments_and_tokens(tmp_path: Path) -> None:
    db = tmp_path / "instance.db"
    with Sandbox(db_path=db) as first, client(first) as http:
        alias = http.post(ALIASES, json={"name": "kept"}).json()["result"]["sys_id"]
        params = {"table_name": "sys_alias", "table_sys_id": alias, "file_name": "f.bin"}
        attachment = http.post("/api/now/attachment/file", params=params, content=b"bytes").json()["result"]
        token = httpx.post(f"{first.url}/oauth_token.do", data=TOKEN_FORM).json()["access_token"]
        dictionary_rows = http.get("/api/now/table/sys_dictionary").headers["X-Total-Count"]
    with Sandbox(db_path=db) as second, client(second) as http:
        assert http.get(f"{ALIASES}/{alias}").json()["result"]["name"] == "kept"
        assert http.get(f"/api/now/attachment/{attachment['sys_id']}/file").content == b"bytes"
        bearer = {"Authorization": f"Bearer {token}"}
        assert httpx.get(f"{second.url}{ALIASES}/{alias}", headers=bearer).status_code == 200
        # seeds and schema rows are not added twice
        assert http.get("/api/now/table/sys_dictionary").headers["X-Total-Count"] == dictionary_rows
        assert http.get("/api/now/table/sn_notify_msteams_config").headers["X-Total-Count"] == "1"


def test_restarting_the_same_object_keeps_its_url_and_pooled_clients_reconnect(sandbox: Sandbox) -> None:
    with client(sandbox) as http:
        alias = http.post(ALIASES, json={"name": "before"}).json()["result"]["sys_id"]
        url = sandbox.url
        sandbox.stop()
        sandbox.start()
        assert sandbox.url == url
        assert http.get(f"{ALIASES}/{alias}").json()["result"]["name"] == "before"


def test_serves_many_concurrent_writers(sandbox: Sandbox) -> None:
    with client(sandbox) as http, ThreadPoolExecutor(max_workers=12) as pool:
        codes = list(pool.map(lambda i: http.post(ALIASES, json={"name": f"c{i}"}).status_code, range(60)))
        assert codes == [201] * 60
        assert http.get(ALIASES, params={"sysparm_query": "nameSTARTSWITHc"}).headers["X-Total-Count"] == "60"


def test_cli_runs_the_sandbox_until_interrupted(tmp_path: Path) -> None:
    command = [str(Path(sys.executable).with_name("teams-notify")), "sandbox", "--port", "0", "--json"]
    process = subprocess.Popen(
        [*command, "--db", str(tmp_path / "cli.db")],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert process.stdout is not None
        started = json.loads(process.stdout.readline())
        assert started["db"] == str(tmp_path / "cli.db")
        response = httpx.get(f"{started['url']}{ALIASES}", auth=("admin", "admin"))
        assert response.json()["result"][0]["name"] == "MSTeamsCommunicationsSpoke"
    finally:
        process.send_signal(signal.SIGINT)
        process.wait()
    assert process.returncode == 0
    assert (tmp_path / "cli.db").exists()


def test_cli_bad_database_or_port_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    not_a_db = tmp_path / "notes.db"
    not_a_db.write_text("plain text, not SQLite")
    with Sandbox(db_path=tmp_path / "busy.db") as busy:
        cases = (
            (["--db", str(tmp_path / "missing-dir/x.db")], "cannot open the sandbox database"),
            (["--db", str(not_a_db)], "file is not a database"),
            (["--db", str(tmp_path / "y.db"), "--port", str(busy.port)], "cannot listen on 127.0.0.1"),
            (["--db", str(tmp_path / "z.db"), "--port", "70000"], "not in the range 0<=x<=65535"),
        )
        for args, message in cases:
            assert main(["sandbox", "--port", "0", *args]) == 2, args
            err = capsys.readouterr().err
            assert message in err and "Traceback" not in err, err
    assert not_a_db.read_text() == "plain text, not SQLite"  # left as it was
