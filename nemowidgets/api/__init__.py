"""The NemoVideo protocol client (no UI): ``NemoClient`` and what it returns and raises.

``NemoClient`` loads lazily, so importing ``nemowidgets.api.errors`` or the
models (as widgets do) does not pull in httpx.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

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
    MissingClientIdError,
    NemoError,
    NoCreditsError,
    NotFoundError,
    RateLimitedError,
    RenderError,
    ServerError,
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
from nemowidgets.api.models import Credits, MediaInfo, RenderJob, SessionInfo, TokenInfo
from nemowidgets.api.retry import RetryPolicy, StreamPolicy

if TYPE_CHECKING:  # pragma: no cover
    from nemowidgets.api.client import NemoClient

__all__ = [
    "APIError", "AgentError", "AgentEvent", "AuthError", "CancelledByUser", "ConfigurationError",
    "Credits", "DraftError", "ExportBlockedError", "FileTooLargeError", "MalformedPayloadError",
    "MediaError", "MediaInfo", "MissingClientIdError", "NemoClient", "NemoError",
    "NoCreditsError", "NotFoundError", "RateLimitedError", "RenderError", "RenderJob",
    "RetryPolicy", "ServerError", "SessionClosedError", "SessionInfo", "SessionNotFoundError",
    "StaleDraftError", "StorageFullError", "StreamError", "StreamPolicy", "TokenInfo",
    "TransportError", "UnsupportedFileError", "UnsupportedOnCloudError",
]  # fmt: skip


def __getattr__(name: str) -> Any:
    if name == "NemoClient":
        from nemowidgets.api.client import NemoClient

        globals()["NemoClient"] = NemoClient
        return NemoClient
    raise AttributeError(f"module 'nemowidgets.api' has no attribute {name!r}")
