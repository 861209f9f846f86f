"""The watcher's ledger: which packet contents (sha256) were seen, where each got to.

A small SQLite file beside the results (OUT/.shenbao-watch.sqlite). Every state change is one
committed transaction, so a watcher killed at any instant finds on restart exactly what it had
finished: `started` (retry it, under the same day and packet id), `done`/`failed` (only the move
of the input may be left to do), or nothing (new).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

LEDGER_NAME = ".shenbao-watch.sqlite"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS packets (
    sha256      TEXT PRIMARY KEY,
    name        TEXT NOT NULL,      -- file or folder name when first seen
    packet_id   TEXT NOT NULL,      -- result folder name under OUT/<day>/
    day         TEXT NOT NULL,      -- YYYY-MM-DD: OUT/<day>/, INBOX/.done/<day>/
    state       TEXT NOT NULL,      -- started | done | failed
    attempts    INTEGER NOT NULL DEFAULT 0,
    out_dir     TEXT,
    reason      TEXT,
    first_seen  TEXT NOT NULL,
    finished_at TEXT,
    archived_to TEXT
);
CREATE INDEX IF NOT EXISTS packets_day_id ON packets (day, packet_id);
"""


@dataclass
class LedgerRow:
    sha256: str
    name: str
    packet_id: str
    day: str
    state: str
    attempts: int
    out_dir: str | None
    reason: str | None
    first_seen: str
    finished_at: str | None
    archived_to: str | None


def _now() -> str:
    return datetime.now().isoformat(timespec="seconds")


class Ledger:
    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        # autocommit: each statement below is its own durable transaction
        self.conn = sqlite3.connect(path, timeout=30, isolation_level=None)
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA synchronous=FULL")
        self.conn.executescript(_SCHEMA)

    def close(self) -> None:
        self.conn.close()

    def get(self, sha256: str) -> LedgerRow | None:
        row = self.conn.execute(
            "SELECT sha256, name, packet_id, day, state, attempts, out_dir, reason, first_seen, "
            "finished_at, archived_to FROM packets WHERE sha256 = ?",
            (sha256,),
        ).fetchone()
        return LedgerRow(*row) if row else None

    def all(self) -> list[LedgerRow]:
        rows = self.conn.execute(
            "SELECT sha256, name, packet_id, day, state, attempts, out_dir, reason, first_seen, "
            "finished_at, archived_to FROM packets ORDER BY first_seen, name"
        ).fetchall()
        return [LedgerRow(*r) for r in rows]

    def id_taken(self, day: str, packet_id: str, sha256: str) -> bool:
        row = self.conn.execute(
            "SELECT 1 FROM packets WHERE day = ? AND packet_id = ? AND sha256 <> ?", (day, packet_id, sha256)
        ).fetchone()
        return row is not None

    def begin(self, sha256: str, name: str, packet_id: str, day: str) -> LedgerRow:
        """Record an attempt: a new row, or one more attempt of a row left `started`."""
        self.conn.execute(
            "INSERT INTO packets (sha256, name, packet_id, day, state, attempts, first_seen) "
            "VALUES (?, ?, ?, ?, 'started', 1, ?) "
            "ON CONFLICT (sha256) DO UPDATE SET attempts = attempts + 1, state = 'started'",
            (sha256, name, packet_id, day, _now()),
        )
        row = self.get(sha256)
        assert row is not None
        return row

    def finish(self, sha256: str, state: str, out_dir: Path | None, reason: str | None) -> None:
        self.conn.execute(
            "UPDATE packets SET state = ?, out_dir = ?, reason = ?, finished_at = ? WHERE sha256 = ?",
            (state, str(out_dir) if out_dir else None, reason, _now(), sha256),
        )

    def archived(self, sha256: str, where: Path) -> None:
        self.conn.execute("UPDATE packets SET archived_to = ? WHERE sha256 = ?", (str(where), sha256))
