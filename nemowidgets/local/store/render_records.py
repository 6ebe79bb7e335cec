"""Render records: a job's status and progress, the truth that outlives any worker.

Updates are compare-and-set where a cancel and a finishing worker (possibly in
another process) could race, and a job whose owner died can be claimed.
"""

from __future__ import annotations

import json
import sqlite3
import time
from typing import Any

from nemowidgets.local.store.sqlite_db import Database, loads

__all__ = ["DuplicateRenderId", "RenderRecords"]


class DuplicateRenderId(ValueError):
    """A render id that is already used (the protocol says: retry with a new one)."""


class RenderRecords(Database):
    """The ``renders`` table."""

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
            row["draft"] = loads(row["draft"])
            row["stats"] = loads(row["stats"])
            row["options"] = loads(row.get("options")) or {}
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
