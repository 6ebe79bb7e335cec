"""nemowidgets: turn photos and music into shareable videos from inside a notebook.

One :class:`Session` is shared by a bundle of widgets (``studio()`` shows them
all).  The session talks to the NemoVideo agent protocol: to the cloud when
``NEMO_TOKEN`` or ``NEMO_API_URL`` is set, otherwise to an embedded local
backend that needs no account and no network.

Public names are imported lazily, so ``import nemowidgets`` stays cheap (the
CLI's ``render`` never loads ipywidgets) while ``from nemowidgets import X``
works for every name in ``__all__``.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from nemowidgets._version import __version__

if TYPE_CHECKING:  # pragma: no cover - for type checkers and IDEs only
    from nemowidgets.api.errors import (
        AgentError,
        APIError,
        AuthError,
        CancelledByUser,
        ConfigurationError,
        DraftError,
        ExportBlockedError,
        FileTooLargeError,
        MalformedPayloadError,
        MediaError,
        NemoError,
        NoCreditsError,
        RateLimitedError,
        RenderError,
        SessionClosedError,
        SessionNotFoundError,
        StaleDraftError,
        StorageFullError,
        StreamError,
        TransportError,
        UnsupportedFileError,
        UnsupportedOnCloudError,
    )
    from nemowidgets.api.events import AgentEvent
    from nemowidgets.api.models import Credits, MediaInfo, RenderJob
    from nemowidgets.draft import Draft
    from nemowidgets.session import (
        BatchItem,
        BatchProgress,
        BatchResult,
        BatchRun,
        ExportResult,
        Session,
        SessionEvent,
        Turn,
        batch,
        start_batch,
    )
    from nemowidgets.widgets import (
        PromptBox,
        StatusBar,
        StreamLog,
        Studio,
        TimelineTable,
        Uploader,
        VideoPlayer,
    )
    from nemowidgets.widgets.studio import studio

_ERRORS = (
    "APIError",
    "AgentError",
    "AuthError",
    "CancelledByUser",
    "ConfigurationError",
    "DraftError",
    "ExportBlockedError",
    "FileTooLargeError",
    "MalformedPayloadError",
    "MediaError",
    "NemoError",
    "NoCreditsError",
    "RateLimitedError",
    "RenderError",
    "SessionClosedError",
    "SessionNotFoundError",
    "StaleDraftError",
    "StorageFullError",
    "StreamError",
    "TransportError",
    "UnsupportedFileError",
    "UnsupportedOnCloudError",
)

#: Where each public name lives; the single source for ``__all__`` and lazy loading.
_LOCATIONS: dict[str, str] = {
    "Session": "nemowidgets.session",
    "SessionEvent": "nemowidgets.session",
    "Turn": "nemowidgets.session",
    "ExportResult": "nemowidgets.session",
    "batch": "nemowidgets.session",
    "start_batch": "nemowidgets.session",
    "BatchItem": "nemowidgets.session",
    "BatchProgress": "nemowidgets.session",
    "BatchResult": "nemowidgets.session",
    "BatchRun": "nemowidgets.session",
    "Draft": "nemowidgets.draft",
    "AgentEvent": "nemowidgets.api.events",
    "Credits": "nemowidgets.api.models",
    "MediaInfo": "nemowidgets.api.models",
    "RenderJob": "nemowidgets.api.models",
    "studio": "nemowidgets.widgets",
    "Studio": "nemowidgets.widgets",
    "StatusBar": "nemowidgets.widgets",
    "Uploader": "nemowidgets.widgets",
    "PromptBox": "nemowidgets.widgets",
    "StreamLog": "nemowidgets.widgets",
    "TimelineTable": "nemowidgets.widgets",
    "VideoPlayer": "nemowidgets.widgets",
    **dict.fromkeys(_ERRORS, "nemowidgets.api.errors"),
}

__all__ = sorted([*_LOCATIONS, "__version__"])


def __getattr__(name: str) -> Any:
    module = _LOCATIONS.get(name)
    if module is None:
        raise AttributeError(f"module 'nemowidgets' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # cache: the next access skips __getattr__
    return value


def __dir__() -> list[str]:
    return __all__
