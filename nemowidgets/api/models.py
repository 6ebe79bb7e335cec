"""Small typed records the client returns; parsed tolerantly from protocol payloads."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class TokenInfo:
    """An anonymous token. ``repr`` hides the token itself."""

    token: str = field(repr=False)
    user_id: str
    expires_at: str | None = None
    credits: int | None = None


@dataclass(frozen=True)
class SessionInfo:
    session_id: str  # a long numeric string on the cloud: always kept a string
    task_id: str | None = None
    user_id: str | None = None


@dataclass(frozen=True)
class MediaInfo:
    """One uploaded file, as the upload call reports it."""

    filename: str
    file_type: str  # "image" | "video" | "audio"
    cdn_url: str | None = None
    duration: float | None = None  # seconds
    width: int | None = None
    height: int | None = None
    fps: float | None = None
    hash: str | None = None
    id: str | None = None  # local backend: the media id used as a segment's ``src``
    size: int | None = None  # bytes
    thumbnail_url: str | None = None  # local backend: a small JPEG
    extra: dict[str, Any] = field(default_factory=dict, repr=False)


@dataclass(frozen=True)
class Credits:
    available: float
    frozen: float = 0
    total: float | None = None


@dataclass(frozen=True)
class RenderJob:
    """A render job, normalised over the protocol's variants of the poll payload."""

    id: str
    status: str  # protocol.RENDER_* values
    progress: float = 0.0  # 0-100
    url: str | None = None
    error: str | None = None
    session_id: str | None = None
    #: What the renderer could not draw faithfully (local backend: e.g. a character no
    #: installed font has); empty when all is well.
    warnings: tuple[str, ...] = ()
    #: Why a failed job failed, as a protocol code, when the server says (the local
    #: backend's ``errorCode``: 5007 when the disk filled up during the render).
    error_code: int | None = None
    #: Local-backend extensions (docs/protocol.md): where it renders (``threads``,
    #: ``local-cluster`` or a scheduler address), the Dask dashboard, a notice (e.g. the
    #: cluster was lost and the render went on in the server), the aspect asked for.
    where: str | None = None
    dashboard: str | None = None
    notice: str | None = None
    aspect: str | None = None

    @property
    def done(self) -> bool:
        from nemowidgets.protocol import RENDER_FINAL_STATES

        return self.status in RENDER_FINAL_STATES
