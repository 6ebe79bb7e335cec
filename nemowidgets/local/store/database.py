"""The local backend's records: one SQLite file plus media and render files in the data dir.

Layout of ``data_dir``::

    nemo.sqlite3            users, tokens, sessions, media, every draft version, renders, prompts
    media/<session_id>/     uploads under generated names (``m_<hex>.<ext>``) + thumbnails
    renders/                finished MP4s (``<render_id>.mp4``)
    tmp/                    uploads in flight (same file system, so a rename finishes them)

Why SQLite and not JSON files: several kernels may share one data dir (the
default one is per user), and SQLite in WAL mode gives them atomic updates and
concurrent readers for free.  One connection per ``Store``, shared by threads
under a lock (``check_same_thread=False``): calls are short, so a lock is
simpler and faster than a pool.

Tokens are stored as SHA-256 hashes: a leaked database file does not leak a
working token.  Sessions are looked up by id *and* owner, so one user's ids
cannot reach another's records.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import sqlite3
import time
from pathlib import Path
from typing import Any

from nemowidgets.local.store.beats import beats_of_file
from nemowidgets.local.store.draft_records import DraftRecords
from nemowidgets.local.store.render_records import DuplicateRenderId, RenderRecords
from nemowidgets.local.store.sqlite_db import loads

__all__ = ["DuplicateRenderId", "Store", "hash_token"]


_MEDIA_FIELDS = (
    "id",
    "filename",
    "file_type",
    "duration",
    "width",
    "height",
    "fps",
    "beats",
    "bpm",
)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


class Store(DraftRecords, RenderRecords):
    """Records of one data dir; every method is thread-safe and quick."""

    # -- users and tokens ----------------------------------------------------
    def user_for_client(self, client_id: str) -> str:
        """The user id of a client id: the same client always gets the same ``anon_…`` id."""
        client_hash = hashlib.sha256(client_id.encode("utf-8", "surrogatepass")).hexdigest()
        user_id = "anon_" + client_hash[:24]
        self._run(
            "INSERT OR IGNORE INTO users (user_id, client_hash, created_at) VALUES (?, ?, ?)",
            user_id,
            client_hash,
            time.time(),
        )
        return user_id

    def issue_token(self, user_id: str, ttl: float) -> tuple[str, float]:
        """A new token for ``user_id`` (``nwl_…``, so ``redact`` recognises it) and its expiry."""
        token = "nwl_" + secrets.token_urlsafe(32)
        now = time.time()
        with self._lock:
            self._db.execute("DELETE FROM tokens WHERE expires_at < ?", (now,))
            self._db.execute(
                "INSERT INTO tokens (token_hash, user_id, expires_at, created_at) VALUES (?,?,?,?)",
                (hash_token(token), user_id, now + ttl, now),
            )
        return token, now + ttl

    def user_for_token(self, token: str) -> str | None:
        row = self._one(
            "SELECT user_id, expires_at FROM tokens WHERE token_hash = ?", hash_token(token)
        )
        if row is None or row["expires_at"] < time.time():
            return None
        return str(row["user_id"])

    def expire_token(self, token: str) -> None:
        self._run("UPDATE tokens SET expires_at = 0 WHERE token_hash = ?", hash_token(token))

    # -- sessions ------------------------------------------------------------
    def create_session(self, user_id: str, language: str = "en") -> dict[str, Any]:
        """A session with long numeric string ids, like the cloud's."""
        while True:
            session_id = str(10**18 + secrets.randbelow(9 * 10**18))
            task_id = str(10**17 + secrets.randbelow(9 * 10**17))
            try:
                self._run(
                    "INSERT INTO sessions (session_id, task_id, user_id, language, created_at) "
                    "VALUES (?, ?, ?, ?, ?)",
                    session_id,
                    task_id,
                    user_id,
                    language,
                    time.time(),
                )
            except sqlite3.IntegrityError:  # pragma: no cover - 1 in 10**18
                continue
            (self.data_dir / "media" / session_id).mkdir(parents=True, exist_ok=True)
            return {"session_id": session_id, "task_id": task_id, "user_id": user_id}

    def get_session(self, session_id: str, user_id: str) -> dict[str, Any] | None:
        """The session if it exists, belongs to ``user_id`` and was not forgotten."""
        return self._one(
            "SELECT * FROM sessions WHERE session_id = ? AND user_id = ? AND forgotten = 0",
            str(session_id),
            user_id,
        )

    def forget_session(self, session_id: str) -> None:
        """Fault injection: the session answers 1002 from now on (its files stay on disk)."""
        self._run("UPDATE sessions SET forgotten = 1 WHERE session_id = ?", str(session_id))

    # -- media ---------------------------------------------------------------
    def media_dir(self, session_id: str) -> Path:
        path = self.data_dir / "media" / str(session_id)
        path.mkdir(parents=True, exist_ok=True)
        return path

    def add_media(self, records: list[dict[str, Any]]) -> None:
        """Record uploaded files (all or none)."""
        now = time.time()
        cols = (
            "id",
            "session_id",
            "filename",
            "file_type",
            "format",
            "path",
            "thumb",
            "size",
            "hash",
            "duration",
            "width",
            "height",
            "fps",
            "beats",
            "bpm",
        )
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                for rec in records:
                    values = [rec.get(c) for c in cols]
                    if isinstance(rec.get("beats"), list):
                        values[cols.index("beats")] = json.dumps(rec["beats"])
                    self._db.execute(
                        f"INSERT INTO media ({', '.join(cols)}, created_at) "  # noqa: S608
                        f"VALUES ({', '.join('?' * len(cols))}, ?)",
                        (*values, now),
                    )
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def list_media(self, session_id: str) -> list[dict[str, Any]]:
        """The session's media records in upload order (``beats`` a list of seconds)."""
        rows = self._all("SELECT * FROM media WHERE session_id = ? ORDER BY seq", str(session_id))
        return [self._with_beats(row) for row in rows]

    def get_media(self, media_id: str, session_id: str) -> dict[str, Any] | None:
        row = self._one(
            "SELECT * FROM media WHERE id = ? AND session_id = ?", media_id, str(session_id)
        )
        return None if row is None else self._with_beats(row)

    def _with_beats(self, row: dict[str, Any]) -> dict[str, Any]:
        """``row`` with its beats read; a song filed before beats were kept is analysed
        now, once (the result is stored, ``[]`` when it has no beat)."""
        if row.get("beats") is not None:
            row["beats"] = loads(row["beats"])
            return row
        if row.get("file_type") != "audio":
            return row
        found = beats_of_file(self.data_dir / row["path"])
        row["beats"], row["bpm"] = found.as_record(), found.bpm
        self._run(
            "UPDATE media SET beats = ?, bpm = ? WHERE id = ?",
            json.dumps(row["beats"]),
            row["bpm"],
            row["id"],
        )
        return row

    @staticmethod
    def agent_media(record: dict[str, Any]) -> dict[str, Any]:
        """The media dict the agent takes (contracts: id, filename, file_type, duration, ...)."""
        return {key: record.get(key) for key in _MEDIA_FIELDS}

    # -- prompts -------------------------------------------------------------
    def count_prompt(self, session_id: str) -> int:
        with self._lock:
            self._db.execute(
                "INSERT INTO prompts (session_id, count, last_at) VALUES (?, 1, ?) "
                "ON CONFLICT(session_id) DO UPDATE SET count = count + 1, "
                "last_at = excluded.last_at",
                (str(session_id), time.time()),
            )
        return self.prompt_count(session_id)

    def prompt_count(self, session_id: str) -> int:
        row = self._one("SELECT count FROM prompts WHERE session_id = ?", str(session_id))
        return int(row["count"]) if row else 0

    def user_stats(self, user_id: str) -> dict[str, dict[str, int]]:
        """Per session of ``user_id``: prompts received, draft versions, media, renders."""
        rows = self._all(
            "SELECT s.session_id AS sid,"
            " COALESCE((SELECT count FROM prompts p WHERE p.session_id = s.session_id), 0)"
            " AS prompts,"
            " (SELECT COUNT(*) FROM drafts d WHERE d.session_id = s.session_id) AS drafts,"
            " (SELECT COUNT(*) FROM media m WHERE m.session_id = s.session_id) AS media,"
            " (SELECT COUNT(*) FROM renders r WHERE r.session_id = s.session_id) AS renders"
            " FROM sessions s WHERE s.user_id = ?",
            user_id,
        )
        return {row.pop("sid"): row for row in rows}
