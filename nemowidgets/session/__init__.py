"""The Session: the one object a notebook and all its widgets share.

``from nemowidgets.session import Session`` (or ``from nemowidgets import
Session``).  The Session, the events it emits and the records it returns are
the public names here; the modules of this package are private.  What each
event carries is listed in :mod:`nemowidgets.session._events`.
"""

from __future__ import annotations

from nemowidgets.session._batch import (
    BatchItem,
    BatchProgress,
    BatchResult,
    BatchRun,
    batch,
    start_batch,
)
from nemowidgets.session._events import EVENT_KINDS, ExportResult, SessionEvent, Turn
from nemowidgets.session._session import Session
from nemowidgets.session._upload import Upload

__all__ = [
    "EVENT_KINDS",
    "BatchItem",
    "BatchProgress",
    "BatchResult",
    "BatchRun",
    "ExportResult",
    "Session",
    "SessionEvent",
    "Turn",
    "Upload",
    "batch",
    "start_batch",
]
