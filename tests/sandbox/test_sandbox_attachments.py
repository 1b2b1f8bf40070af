"""The Attachment API over real HTTP: upload, metadata, bytes, list, delete, ACLs, cascade."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator

import httpx
from helpers.sandbox import client
from teams_notify.sandbox import Sandbox

JKS = os.urandom(3000)


def _certificate(http: httpx.Client) -> str:
    response = http.post("/api/now/table/sys_certificate", json={"name": "ks", "type": "key_store"})
    return str(response.json()["result"]["sys_id"])


def _upload(
    http: httpx.Client, record: str, content: bytes | Iterator[bytes] = JKS, table: str = "sys_certificate"
) -> httpx.Response:
    return http.post(
        "/api/now/attachment/file",
        params={"table_name": table, "table_sys_id": record, "file_name": "teams.jks"},
        content=content,
        headers={"Content-Type": "application/x-java-keystore"},
    )


def test_upload_returns_metadata_and_the_bytes_come_back(sandbox_admin: httpx.Client) -> None:
    record = _certificate(sandbox_admin)
    uploaded = _upload(sandbox_admin, record)
    assert uploaded.status_code == 201
    meta = uploaded.json()["result"]
    assert meta["file_name"] == "teams.jks"
    assert meta["content_type"] == "application/x-java-keystore"
    assert meta["size_bytes"] == str(len(JKS))
    assert meta["hash"] == hashlib.sha256(JKS).hexdigest()
    assert (meta["table_name"], meta["table_sys_id"]) == ("sys_certificate", record)
    assert sandbox_admin.get(f"/api/now/attachment/{meta['sys_id']}").json()["result"] == meta
    download = sandbox_admin.get(meta["download_link"])
    assert download.content == JKS
    assert download.headers["Content-Type"] == "application/x-java-keystore"


def test_chunked_upload_is_read_whole(sandbox_admin: httpx.Client) -> None:
    record = _certificate(sandbox_admin)
    uploaded = _upload(sandbox_admin, record, iter([JKS[:1000], JKS[1000:]]))
    assert uploaded.status_code == 201
    assert uploaded.json()["result"]["hash"] == hashlib.sha256(JKS).hexdigest()


def test_list_by_record_and_delete(sandbox_admin: httpx.Client) -> None:
    record = _certificate(sandbox_admin)
    first = _upload(sandbox_admin, record).json()["result"]["sys_id"]
    second = _upload(sandbox_admin, record).json()["result"]["sys_id"]
    query = {"sysparm_query": f"table_name=sys_certificate^table_sys_id={record}"}
    listed = sandbox_admin.get("/api/now/attachment", params=query)
    assert [row["sys_id"] for row in listed.json()["result"]] == [first, second]
    assert listed.headers["X-Total-Count"] == "2"
    assert sandbox_admin.delete(f"/api/now/attachment/{first}").status_code == 204
    assert sandbox_admin.get(f"/api/now/attachment/{first}").status_code == 404
    assert sandbox_admin.get(f"/api/now/attachment/{first}/file").status_code == 404
    assert [
        row["sys_id"] for row in sandbox_admin.get("/api/now/attachment", params=query).json()["result"]
    ] == [second]


def test_deleting_the_record_deletes_its_attachments(sandbox_admin: httpx.Client) -> None:
    record = _certificate(sandbox_admin)
    attachment = _upload(sandbox_admin, record).json()["result"]["sys_id"]
    assert sandbox_admin.delete(f"/api/now/table/sys_certificate/{record}").status_code == 204
    assert sandbox_admin.get(f"/api/now/attachment/{attachment}").status_code == 404


def test_upload_to_a_missing_record_or_table_is_400(sandbox_admin: httpx.Client) -> None:
    assert _upload(sandbox_admin, "0" * 32).status_code == 400
    missing_table = _upload(sandbox_admin, "0" * 32, table="u_nope")
    assert missing_table.status_code == 400
    assert missing_table.json()["error"]["message"] == "Invalid table u_nope"


def test_readonly_can_download_but_not_upload_or_delete(
    sandbox: Sandbox, sandbox_admin: httpx.Client
) -> None:
    record = _certificate(sandbox_admin)
    attachment = _upload(sandbox_admin, record).json()["result"]["sys_id"]
    with client(sandbox, "readonly") as readonly:
        assert readonly.get(f"/api/now/attachment/{attachment}/file").content == JKS
        denied = _upload(readonly, record)
        assert denied.status_code == 403
        assert denied.json()["error"]["detail"] == "ACL Exception Insert Failed due to security constraints"
        assert readonly.delete(f"/api/now/attachment/{attachment}").status_code == 403
    assert sandbox_admin.get(f"/api/now/attachment/{attachment}").status_code == 200
