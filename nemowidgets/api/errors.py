"""The exceptions nemowidgets raises, one tree for both backends.

Every failure a user can meet is one of these, raised at the boundary where it
was found, with a message that names the file or field involved and says what
to do next.  The two envelopes of the protocol (``code``/``message`` and
``success``/``error``) and the HTTP statuses all map onto this tree, so code
that catches ``NemoError`` catches everything we raise on purpose::

    NemoError
    ├── ConfigurationError           bad argument or environment (NEMO_API_URL, ...)
    ├── MediaError                   a file we cannot take; nothing was sent
    │   ├── UnsupportedFileError     4001: not a supported format / lying magic bytes
    │   └── FileTooLargeError        4002: over 500 MB
    ├── DraftError                   4000: the draft cannot be used (empty, unknown media)
    │   └── MalformedPayloadError    a payload or draft field is not what the protocol says
    ├── TransportError               the host could not be reached / connection broke
    │   └── StreamError              the SSE stream broke, stalled or timed out
    ├── APIError                     the server answered, and it was a no
    │   ├── AuthError                1001: bad or expired token
    │   ├── SessionNotFoundError     1002: the session is gone
    │   ├── NoCreditsError           2001: out of credits
    │   ├── MissingClientIdError     HTTP 400: no X-Client-Id on the token call
    │   ├── ExportBlockedError       HTTP 402: export needs a registered plan
    │   ├── RateLimitedError         HTTP 429: too many requests
    │   ├── ServerError              HTTP 5xx: the server failed
    │   ├── NotFoundError            HTTP 404: an unknown render or media id
    │   ├── StaleDraftError          HTTP 409: an edit made on a draft that moved on
    │   └── StorageFullError         5007: the server's disk is full (upload, draft, render)
    ├── AgentError                   the agent reported an error in-band
    ├── RenderError                  a render job failed (names file and segment)
    ├── UnsupportedOnCloudError      a local-backend extension (hand edits, undo) on the cloud
    ├── SessionClosedError           the Session was closed while the call ran (a render is kept)
    └── CancelledByUser              the user cancelled a turn or a render

Why one tree: notebooks show exceptions to people, not programs.  A bare
``httpx.ConnectError`` or ``KeyError('sg')`` from deep inside tells them
nothing; ``TransportError("Cannot reach http://...: is the server running?")``
does.  Messages never contain the token (see :func:`redact`).
"""

from __future__ import annotations

import re
from typing import Any

__all__ = [
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
    "MissingClientIdError",
    "NemoError",
    "NoCreditsError",
    "NotFoundError",
    "RateLimitedError",
    "RenderError",
    "ServerError",
    "SessionClosedError",
    "SessionNotFoundError",
    "StaleDraftError",
    "StorageFullError",
    "StreamError",
    "TransportError",
    "UnsupportedFileError",
    "UnsupportedOnCloudError",
    "redact",
]

_TOKEN_RE = re.compile(r"(Bearer\s+)?\b(nmv_[A-Za-z0-9_\-]+|nwl_[A-Za-z0-9_\-]+)")


def redact(text: str, *secrets: str | None) -> str:
    """Replace every token-looking string and every given secret with ``***``."""
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, "***")
    return _TOKEN_RE.sub(lambda m: (m.group(1) or "") + "***", text)


class NemoError(Exception):
    """Base of every error nemowidgets raises on purpose.

    ``hint`` is the action to take, also shown apart by the widgets;
    ``code`` is the protocol's error code and ``status`` the HTTP status, when known.
    """

    default_hint: str = ""
    #: The protocol's error code / HTTP status this class stands for (for tables and mapping).
    protocol_code: int | None = None
    http_status: int | None = None

    def __init__(
        self,
        message: str,
        *,
        hint: str | None = None,
        code: int | None = None,
        status: int | None = None,
        **details: Any,
    ) -> None:
        self.message = redact(message)
        self.hint = redact(hint if hint is not None else self.default_hint)
        self.code = code
        self.status = status
        self.details = details
        super().__init__(self.message)

    def __str__(self) -> str:
        if self.hint and self.hint not in self.message:
            return f"{self.message} {self.hint}"
        return self.message

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r})"


class ConfigurationError(NemoError, ValueError):
    default_hint = "Check the arguments and the NEMO_* environment variables."


class MediaError(NemoError, ValueError):
    """A file was refused; ``details['filename']`` names it. Nothing was sent."""


class UnsupportedFileError(MediaError):
    protocol_code = 4001
    default_hint = "Supported formats: mp4 mov avi webm mkv jpg jpeg png gif webp mp3 wav m4a aac."


class FileTooLargeError(MediaError):
    protocol_code = 4002
    default_hint = "Files must be 500 MB or less: compress or trim it first."


class DraftError(NemoError, ValueError):
    """Raised before sending (no ``code``), or for the local server's 4000 on an export."""

    #: The local backend's extension code (``nemowidgets.protocol.ErrorCode``).
    protocol_code: int | None = 4000
    default_hint = "Ask the agent to build a timeline first, e.g. 'make a slideshow'."


class MalformedPayloadError(DraftError):
    protocol_code = None  # found by the client; the server never sends it
    default_hint = "This is a bug or a protocol change; please report it with the payload."


class TransportError(NemoError, ConnectionError):
    default_hint = "Check the network and that the server is running, then try again."


class StreamError(TransportError):
    default_hint = "Your prompt was not re-sent; the draft was read back from the server."


class APIError(NemoError):
    """The server answered with an error envelope or an error status."""


class AuthError(APIError):
    protocol_code = 1001
    http_status = 401
    default_hint = (
        "Set a valid NEMO_TOKEN (tokens last 7 days), or unset it to use an anonymous token."
    )


class SessionNotFoundError(APIError):
    protocol_code = 1002
    default_hint = "A new session was started; upload your media again if it is missing."


class NoCreditsError(APIError):
    protocol_code = 2001
    default_hint = "Top up your credits."


class MissingClientIdError(APIError):
    http_status = 400
    default_hint = "The anonymous-token call needs an X-Client-Id header."


class ExportBlockedError(APIError):
    http_status = 402
    default_hint = "Register or upgrade to unlock export."


class RateLimitedError(APIError):
    http_status = 429
    default_hint = "Too many requests: wait a little and try again."

    @property
    def retry_after(self) -> float | None:
        value = self.details.get("retry_after")
        return float(value) if value is not None else None


class ServerError(APIError):
    http_status = 500
    default_hint = "The server failed; try again in a moment."


class NotFoundError(APIError):
    http_status = 404
    default_hint = "The id is unknown to this server."


class StaleDraftError(APIError):
    """A hand edit, undo or restore was made on a draft version the session has left."""

    http_status = 409
    default_hint = "Nothing was changed: the timeline now shows the newer draft; edit that one."


class StorageFullError(APIError):
    """The disk holding the server's data has no room for what the call would store.

    The local backend's extension (docs/protocol.md): raised alike for an upload, a
    prompt whose draft cannot be stored and an export (refused up front, or a render
    that ran out of room).  The message names the data dir and the space needed; the
    server kept nothing of the call, so the same call works once space is freed.
    """

    protocol_code = 5007
    http_status = 507
    default_hint = "Free some disk space where the server keeps its data, then try again."


class AgentError(NemoError):
    default_hint = "Rephrase the request, or try again."


class RenderError(NemoError):
    default_hint = "Fix or remove the named media, then export again."


class UnsupportedOnCloudError(NemoError):
    """A local-backend extension (docs/protocol.md) asked of a server that lacks it."""

    default_hint = (
        "Use the local backend (Session.local()), or ask the agent in words, "
        "e.g. 'undo' or 'remove photo 2'."
    )


class SessionClosedError(NemoError):
    """The Session was closed (``close()``, from another thread) while this call was running.

    Not the user's cancel of the call itself: nothing is undone on the server.  An
    export's render goes on there and is kept in the session file, and the message
    says how to get its video (``details["render_id"]``, ``details["path"]``).
    """

    default_hint = "Create a new Session (or Session.resume()) to go on."


class CancelledByUser(NemoError):
    default_hint = ""
