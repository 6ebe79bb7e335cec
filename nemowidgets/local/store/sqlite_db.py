"""The one SQLite connection of a data dir, under a lock: what every kind of record uses.

One connection per ``Store``, shared by threads under a lock
(``check_same_thread=False``): calls are short, so a lock is simpler and faster
than a pool.  WAL mode lets several kernels share the file.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from pathlib import Path
from typing import Any

from nemowidgets.local.store.schema import ADDED_COLUMNS, SCHEMA

__all__ = ["Database", "loads"]


class Database:
    """The data dir's folders and its ``nemo.sqlite3``; the query helpers of every record."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = Path(data_dir)
        for sub in ("media", "renders", "tmp"):
            (self.data_dir / sub).mkdir(parents=True, exist_ok=True)
        self._lock = threading.RLock()
        self._db = sqlite3.connect(
            self.data_dir / "nemo.sqlite3",
            check_same_thread=False,
            timeout=30,
            isolation_level=None,  # autocommit; explicit BEGIN IMMEDIATE where needed
        )
        self._db.row_factory = sqlite3.Row
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(SCHEMA)
        self._add_columns()

    def _add_columns(self) -> None:
        """Bring a database made by an older version up to :data:`ADDED_COLUMNS`."""
        for table, column, declaration in ADDED_COLUMNS:
            names = {row[1] for row in self._db.execute(f"PRAGMA table_info({table})")}
            if column not in names:
                try:
                    self._db.execute(f"ALTER TABLE {table} ADD COLUMN {column} {declaration}")
                except sqlite3.OperationalError as exc:  # another kernel added it just now
                    if "duplicate column" not in str(exc):
                        raise

    def close(self) -> None:
        with self._lock:
            self._db.close()

    # -- plumbing ------------------------------------------------------------
    def _all(self, sql: str, *args: Any) -> list[dict[str, Any]]:
        with self._lock:
            return [dict(row) for row in self._db.execute(sql, args).fetchall()]

    def _one(self, sql: str, *args: Any) -> dict[str, Any] | None:
        with self._lock:
            row = self._db.execute(sql, args).fetchone()
        return dict(row) if row is not None else None

    def _run(self, sql: str, *args: Any) -> int:
        with self._lock:
            return self._db.execute(sql, args).rowcount


def loads(text: str | None) -> Any:
    return None if text is None else json.loads(text)
