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
import threading
import time
from pathlib import Path
from typing import Any

from nemowidgets.local.store.beats import beats_of_file
from nemowidgets.local.store.schema import ADDED_COLUMNS, SCHEMA

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


class DuplicateRenderId(ValueError):
    """A render id that is already used (the protocol says: retry with a new one)."""


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


class Store:
    """Records of one data dir; every method is thread-safe and quick."""

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
            row["beats"] = _loads(row["beats"])
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

    # -- drafts --------------------------------------------------------------
    def current_draft(self, session_id: str) -> tuple[int, dict[str, Any] | None, int | None]:
        """``(version, draft, parent)``; version 0 and ``None`` before the first edit."""
        row = self._one(
            "SELECT version, draft, parent FROM drafts WHERE session_id = ? "
            "ORDER BY version DESC LIMIT 1",
            str(session_id),
        )
        if row is None:
            return 0, None, None
        return row["version"], _loads(row["draft"]), row["parent"]

    def get_draft(
        self, session_id: str, version: int
    ) -> tuple[dict[str, Any] | None, int | None] | None:
        row = self._one(
            "SELECT draft, parent FROM drafts WHERE session_id = ? AND version = ?",
            str(session_id),
            version,
        )
        return None if row is None else (_loads(row["draft"]), row["parent"])

    def add_draft(
        self,
        session_id: str,
        draft: dict[str, Any] | None,
        *,
        parent: int | None,
        source: str = "agent",
    ) -> int:
        """Store a new draft version (versions are never overwritten); its number."""
        text = None if draft is None else json.dumps(draft, separators=(",", ":"))
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                row = self._db.execute(
                    "SELECT COALESCE(MAX(version), 0) FROM drafts WHERE session_id = ?",
                    (str(session_id),),
                ).fetchone()
                version = int(row[0]) + 1
                self._db.execute(
                    "INSERT INTO drafts (session_id, version, draft, parent, source, created_at) "
                    "VALUES (?, ?, ?, ?, ?, ?)",
                    (str(session_id), version, text, parent, source, time.time()),
                )
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")
        return version

    def undo(self, session_id: str) -> tuple[int, dict[str, Any] | None] | None:
        """Revert to the version the current one was made from, as a new version.

        Each version remembers its ``parent``; an undo copies the parent's draft and
        inherits the parent's own parent, so repeated undos walk back in history.
        ``None`` when there is nothing to undo.
        """
        with self._lock:
            version, _draft, parent = self.current_draft(session_id)
            if version == 0 or parent is None:
                return None
            found = self.get_draft(session_id, parent) if parent > 0 else (None, None)
            if found is None:
                return None
            old_draft, grandparent = found
            new = self.add_draft(session_id, old_draft, parent=grandparent, source="undo")
            return new, old_draft

    def draft_versions(self, session_id: str) -> list[dict[str, Any]]:
        rows = self._all(
            "SELECT version, draft, parent, source, created_at FROM drafts "
            "WHERE session_id = ? ORDER BY version",
            str(session_id),
        )
        for row in rows:
            row["draft"] = _loads(row["draft"])
        return rows

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

    # -- renders -------------------------------------------------------------
    def create_render(
        self,
        render_id: str,
        *,
        session_id: str,
        user_id: str,
        quality: str,
        draft: dict[str, Any],
        options: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        now = time.time()
        try:
            self._run(
                "INSERT INTO renders (id, session_id, user_id, status, progress, quality, draft, "
                "options, created_at, updated_at) VALUES (?, ?, ?, 'pending', 0, ?, ?, ?, ?, ?)",
                render_id,
                str(session_id),
                user_id,
                quality,
                json.dumps(draft),
                json.dumps(options or {}),
                now,
                now,
            )
        except sqlite3.IntegrityError:
            raise DuplicateRenderId(render_id) from None
        job = self.get_render(render_id)
        if job is None:  # pragma: no cover - only if another process deleted it at once
            raise LookupError(f"render {render_id} vanished right after it was created")
        return job

    def get_render(self, render_id: str) -> dict[str, Any] | None:
        row = self._one("SELECT * FROM renders WHERE id = ?", render_id)
        if row is not None:
            row["draft"] = _loads(row["draft"])
            row["stats"] = _loads(row["stats"])
            row["options"] = _loads(row.get("options")) or {}
        return row

    def update_render(
        self, render_id: str, *, only_if_status: tuple[str, ...] = (), **fields: Any
    ) -> bool:
        """Set ``fields`` (status, progress, output, error, owner, stats); False if nothing changed.

        ``only_if_status`` makes it a compare-and-set, so a cancel and a finishing
        worker (possibly in another process) cannot overwrite each other.
        """
        if "stats" in fields and fields["stats"] is not None:
            fields["stats"] = json.dumps(fields["stats"])
        sets = ", ".join(f"{key} = ?" for key in fields)
        sql = f"UPDATE renders SET {sets}, updated_at = ? WHERE id = ?"  # noqa: S608
        args: list[Any] = [*fields.values(), time.time(), render_id]
        if only_if_status:
            sql += f" AND status IN ({', '.join('?' * len(only_if_status))})"
            args += list(only_if_status)
        return self._run(sql, *args) > 0

    def claim_render(self, render_id: str, owner: str, expected: str | None) -> bool:
        """Atomically take over an unfinished job whose owner was ``expected``."""
        return (
            self._run(
                "UPDATE renders SET owner = ?, status = 'pending', progress = 0, updated_at = ? "
                "WHERE id = ? AND owner IS ? AND status IN ('pending', 'processing')",
                owner,
                time.time(),
                render_id,
                expected,
            )
            > 0
        )

    def unfinished_renders(self) -> list[dict[str, Any]]:
        return self._all(
            "SELECT id, owner, status FROM renders "
            "WHERE status IN ('pending', 'processing') ORDER BY created_at"
        )

    def session_renders(self, session_id: str) -> list[dict[str, Any]]:
        return self._all(
            "SELECT id, status, progress, quality, error, created_at FROM renders "
            "WHERE session_id = ? ORDER BY created_at",
            str(session_id),
        )


def _loads(text: str | None) -> Any:
    return None if text is None else json.loads(text)
