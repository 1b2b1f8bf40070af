"""SQLite persistence: every record of every table as JSON in one table, attachment bytes,
OAuth tokens (hashed) and a few flags.

One connection guarded by one re-entrant lock: the server is threaded, and a request that
runs business rules writes several records in one transaction (`with store.transaction():`).
Each transaction is committed before the response is sent, so a restart on the same file
(or a connection dropped after the write) loses nothing.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

Record = dict[str, str]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS records (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    tbl TEXT NOT NULL,
    sys_id TEXT NOT NULL,
    data TEXT NOT NULL,
    UNIQUE (tbl, sys_id)
);
CREATE TABLE IF NOT EXISTS blobs (sys_id TEXT PRIMARY KEY, content BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS tokens (token_hash TEXT PRIMARY KEY, user TEXT NOT NULL, expires_at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


class Store:
    """Thread-safe access to the sandbox database file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.RLock()
        self._depth = 0
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        try:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.executescript(_SCHEMA)
        except sqlite3.Error:
            self._db.close()  # e.g. not a database file: leave nothing open behind the error
            raise

    def close(self) -> None:
        with self._lock:
            self._db.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Hold the lock and make everything inside one SQLite transaction (nesting joins the outer one)."""
        with self._lock:
            self._depth += 1
            if self._depth == 1:
                self._db.execute("BEGIN IMMEDIATE")
            try:
                yield
            except BaseException:
                if self._depth == 1:
                    self._db.execute("ROLLBACK")
                raise
            else:
                if self._depth == 1:
                    self._db.execute("COMMIT")
            finally:
                self._depth -= 1

    def _rows(self, sql: str, *args: object) -> list[tuple[Any, ...]]:
        with self._lock:
            return self._db.execute(sql, args).fetchall()

    def _write(self, sql: str, *args: object) -> int:
        with self.transaction():
            return self._db.execute(sql, args).rowcount

    # records
    def all(self, table: str) -> list[Record]:
        """Every record of `table`, in insertion order."""
        rows = self._rows("SELECT data FROM records WHERE tbl = ? ORDER BY seq", table)
        return [json.loads(str(data)) for (data,) in rows]

    def get(self, table: str, sys_id: str) -> Record | None:
        rows = self._rows("SELECT data FROM records WHERE tbl = ? AND sys_id = ?", table, sys_id)
        return json.loads(str(rows[0][0])) if rows else None

    def insert(self, table: str, record: Record) -> None:
        self._write(
            "INSERT INTO records (tbl, sys_id, data) VALUES (?, ?, ?)",
            table,
            record["sys_id"],
            json.dumps(record),
        )

    def replace(self, table: str, record: Record) -> None:
        self._write(
            "UPDATE records SET data = ? WHERE tbl = ? AND sys_id = ?",
            json.dumps(record),
            table,
            record["sys_id"],
        )

    def delete(self, table: str, sys_id: str) -> bool:
        return self._write("DELETE FROM records WHERE tbl = ? AND sys_id = ?", table, sys_id) > 0

    # attachment bytes
    def put_blob(self, sys_id: str, content: bytes) -> None:
        self._write("INSERT OR REPLACE INTO blobs (sys_id, content) VALUES (?, ?)", sys_id, content)

    def get_blob(self, sys_id: str) -> bytes | None:
        rows = self._rows("SELECT content FROM blobs WHERE sys_id = ?", sys_id)
        return bytes(rows[0][0]) if rows else None

    def delete_blob(self, sys_id: str) -> None:
        self._write("DELETE FROM blobs WHERE sys_id = ?", sys_id)

    # OAuth tokens (stored as hashes)
    def add_token(self, token_hash: str, user: str, expires_at: float) -> None:
        self._write(
            "INSERT INTO tokens (token_hash, user, expires_at) VALUES (?, ?, ?)", token_hash, user, expires_at
        )

    def token_user(self, token_hash: str, now: float) -> str | None:
        rows = self._rows("SELECT user FROM tokens WHERE token_hash = ? AND expires_at > ?", token_hash, now)
        return str(rows[0][0]) if rows else None

    def clear_tokens(self) -> None:
        self._write("DELETE FROM tokens")

    # flags
    def get_meta(self, key: str) -> str | None:
        rows = self._rows("SELECT value FROM meta WHERE key = ?", key)
        return str(rows[0][0]) if rows else None

    def set_meta(self, key: str, value: str) -> None:
        self._write("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", key, value)
