"""The text progress bar of ``nemowidgets render``."""

from __future__ import annotations

import sys
import threading
from typing import TextIO

__all__ = ["ProgressBar"]


class ProgressBar:
    """A one-line text bar redrawn with ``\\r`` on a stream (stderr): no dependency.

    Called from the Session's loop thread, so drawing is locked, and redraws are
    limited to changes of the shown percentage or label (a 1,000-event burst costs
    a handful of writes).
    """

    def __init__(self, stream: TextIO | None = None, width: int = 30) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.width = width
        self._lock = threading.Lock()
        self._last: tuple[str, int] | None = None
        self._open = False

    def update(self, label: str, percent: float) -> None:
        pct = max(0, min(100, int(percent)))
        with self._lock:
            if self._last == (label, pct):
                return
            if self._open and self._last and self._last[0] != label:
                self.stream.write("\n")  # a new phase starts on its own line
            self._last = (label, pct)
            filled = round(self.width * pct / 100)
            bar = "#" * filled + "-" * (self.width - filled)
            self.stream.write(f"\r{label:<10} [{bar}] {pct:3d}%")
            self.stream.flush()
            self._open = True

    def finish(self) -> None:
        """End the current line (so the next message starts cleanly)."""
        with self._lock:
            if self._open:
                self.stream.write("\n")
                self.stream.flush()
            self._open = False
            self._last = None

    def message(self, text: str) -> None:
        """Print a line of text, moving past an open bar first."""
        self.finish()
        with self._lock:
            self.stream.write(text + "\n")
            self.stream.flush()
