"""Draft versions: every edit is a new version, never overwritten; undo walks the parents."""

from __future__ import annotations

import json
import time
from typing import Any

from nemowidgets.local.store.sqlite_db import Database, loads

__all__ = ["DraftRecords"]


class DraftRecords(Database):
    """The ``drafts`` table: a session's versions, each with the version it was made from."""

    def current_draft(self, session_id: str) -> tuple[int, dict[str, Any] | None, int | None]:
        """``(version, draft, parent)``; version 0 and ``None`` before the first edit."""
        row = self._one(
            "SELECT version, draft, parent FROM drafts WHERE session_id = ? "
            "ORDER BY version DESC LIMIT 1",
            str(session_id),
        )
        if row is None:
            return 0, None, None
        return row["version"], loads(row["draft"]), row["parent"]

    def get_draft(
        self, session_id: str, version: int
    ) -> tuple[dict[str, Any] | None, int | None] | None:
        row = self._one(
            "SELECT draft, parent FROM drafts WHERE session_id = ? AND version = ?",
            str(session_id),
            version,
        )
        return None if row is None else (loads(row["draft"]), row["parent"])

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
            row["draft"] = loads(row["draft"])
        return rows
