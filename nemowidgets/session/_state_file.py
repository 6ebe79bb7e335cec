"""The small JSON file that lets a restarted kernel resume its session and renders.

A render can take minutes; a kernel restart in the meantime would orphan the job
(the server finishes it, nobody downloads it).  So the Session writes, per
backend, the last session id and every render job it started but has not yet
delivered; ``Session.resume()`` reads them back, reattaches to the session and
polls the unfinished jobs to the end.  Entries are removed once delivered (or
failed, or cancelled by the user).

Where: ``$NEMO_STATE_DIR/sessions.json`` if set (tests), else
``platformdirs.user_state_dir("nemowidgets")/sessions.json``.  Keys are the
backend's identity: the base URL for a remote server, ``local:<data dir>`` for the
in-process one (whose port changes with every kernel).  Writes are atomic
(temp file + rename) and serialised by a lock, so a crash never leaves half a
file; an unreadable file is logged and treated as empty, never fatal.  No token
is ever written here.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

__all__ = ["StateFile", "default_state_path"]

log = logging.getLogger("nemowidgets.session")
_LOCK = threading.Lock()
_FILENAME = "sessions.json"


def default_state_path() -> Path:
    override = os.environ.get("NEMO_STATE_DIR")
    if override:
        return Path(override).expanduser() / _FILENAME
    import platformdirs

    return Path(platformdirs.user_state_dir("nemowidgets")) / _FILENAME


@contextlib.contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    """Thread lock, plus an advisory lock between processes where the OS has one."""
    with _LOCK:
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            import fcntl
        except ImportError:  # pragma: no cover - Windows: the thread lock only
            yield
            return
        with open(path.with_suffix(".lock"), "a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)


def _clean(renders: Any) -> list[dict[str, Any]]:
    """Only well-formed render records survive (a hand-edited file must not crash us)."""
    if not isinstance(renders, list):
        return []
    return [r for r in renders if isinstance(r, dict) and r.get("id")]


class StateFile:
    """Per-backend records: ``{"session_id": str | None, "renders": [record, ...]}``."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or default_state_path()

    def _read(self) -> dict[str, Any]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:
            log.warning("Ignoring unreadable session file %s: %s", self.path, exc)
            return {}
        return data if isinstance(data, dict) else {}

    def _write(self, data: dict[str, Any]) -> None:
        fd, tmp = tempfile.mkstemp(prefix=".sessions-", suffix=".json", dir=self.path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(data, handle, indent=1, sort_keys=True)
            os.replace(tmp, self.path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise

    def _update(self, key: str, change: Callable[[dict[str, Any]], None]) -> None:
        try:
            with _file_lock(self.path):
                data = self._read()
                entry = data.get(key)
                if not isinstance(entry, dict):
                    entry = {"session_id": None}
                entry["renders"] = _clean(entry.get("renders"))
                change(entry)
                entry["updated"] = time.time()
                data[key] = entry
                self._write(data)
        except OSError as exc:  # a read-only home must not break the Session
            log.warning("Could not update the session file %s: %s", self.path, exc)

    # -- API -----------------------------------------------------------------
    def load(self, key: str) -> dict[str, Any]:
        """The record for ``key`` (a fresh empty one when there is none)."""
        with _file_lock(self.path):
            entry = self._read().get(key)
        if not isinstance(entry, dict):
            return {"session_id": None, "renders": []}
        entry["renders"] = _clean(entry.get("renders"))
        return entry

    def set_session(self, key: str, session_id: str) -> None:
        self._update(key, lambda e: e.__setitem__("session_id", session_id))

    def add_render(self, key: str, record: dict[str, Any]) -> None:
        def change(entry: dict[str, Any]) -> None:
            renders = [r for r in entry["renders"] if r.get("id") != record["id"]]
            entry["renders"] = [*renders, record]

        self._update(key, change)

    def remove_render(self, key: str, render_id: str) -> None:
        def change(entry: dict[str, Any]) -> None:
            entry["renders"] = [r for r in entry["renders"] if r.get("id") != render_id]

        self._update(key, change)

    def renders(self, key: str) -> list[dict[str, Any]]:
        return list(self.load(key)["renders"])
