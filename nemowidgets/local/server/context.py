"""What every endpoint of the local server shares: context, envelopes, errors, auth.

Envelopes (docs/protocol.md): ``{"code": 0, "data": ...}`` / ``{"code": N, "message": ...}``
everywhere except the render endpoints, which use ``{"success": true, "data": ...}`` /
``{"success": false, "error": ..., "code": N}``.  The style is chosen by path, so an
error raised anywhere (even by auth, before routing) is wrapped the way the
client of that endpoint expects.

HTTP statuses (the protocol fixes 400, 402 and 429; the rest are ours, chosen so a
client reading only the status still sees a failure, and never 400 except for a
missing ``X-Client-Id``):

======  ======================================================================
401     1001 bad, missing or expired token (and a wrong/missing kernel secret)
404     1002 session not found; unknown render, media or path
413     4002 file too large; a prompt or request body over its limit (code 4000)
415     4001 unsupported, corrupt or refused file or URL
507     5007 the data dir's disk is full (an upload, a draft or a render does not fit)
422     4000 a request we cannot use (bad JSON, bad draft, bad render id, ...)
409     render id already used; download of an unfinished render
402     export without the ``X-Skill-*`` attribution headers (as the cloud does)
400     anonymous-token call without ``X-Client-Id``
======  ======================================================================
"""

from __future__ import annotations

import asyncio
import hmac
import json
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import JSONResponse

from nemowidgets.local.store.space import StorageFull
from nemowidgets.protocol import ErrorCode

if TYPE_CHECKING:
    from nemowidgets.local.faults import FaultPlan
    from nemowidgets.local.store.database import Store
    from nemowidgets.local.store.jobs import JobRunner

__all__ = ["BAD_REQUEST", "ApiError", "Context", "ok", "read_json", "render_ok", "storage_error"]

#: "The request itself is unusable" (HTTP 422/413): the local backend's extension code.
BAD_REQUEST = ErrorCode.BAD_REQUEST
MAX_JSON_BODY = 16 * 1024 * 1024
_STATUS: dict[int, int] = {
    ErrorCode.BAD_TOKEN: 401,
    ErrorCode.SESSION_NOT_FOUND: 404,
    ErrorCode.UNSUPPORTED_FILE: 415,
    ErrorCode.FILE_TOO_LARGE: 413,
    BAD_REQUEST: 422,
    ErrorCode.STORAGE_FULL: 507,
}


class ApiError(Exception):
    """An error answer: protocol ``code``, a message that says what to do, an HTTP status.

    ``hint`` (optional) is sent as the envelope's ``hint``: what to do, when the
    code's usual advice does not fit (a local extension, see docs/protocol.md).
    """

    def __init__(
        self,
        code: int,
        message: str,
        status: int | None = None,
        headers: dict[str, str] | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message)
        self.code = int(code)
        self.message = message
        self.status = status or _STATUS.get(self.code, 422)
        self.headers = headers
        self.hint = hint


def storage_error(exc: StorageFull) -> ApiError:
    """A full disk's answer: 5007, HTTP 507, the data dir and the space needed."""
    return ApiError(ErrorCode.STORAGE_FULL, exc.message, 507, hint=exc.hint)


def is_render_path(path: str) -> bool:
    return path.startswith("/api/render/")


def error_response(path: str, err: ApiError) -> JSONResponse:
    if is_render_path(path):
        body: dict[str, Any] = {"success": False, "error": err.message, "code": err.code}
    else:
        body = {"code": err.code, "message": err.message, "data": None}
    if err.hint:
        body["hint"] = err.hint
    return JSONResponse(body, status_code=err.status, headers=err.headers)


def ok(data: Any) -> JSONResponse:
    return JSONResponse({"code": 0, "message": "ok", "data": data})


def render_ok(data: Any) -> JSONResponse:
    return JSONResponse({"success": True, "data": data})


async def read_json(request: Request, limit: int = MAX_JSON_BODY) -> dict[str, Any]:
    """The JSON object body (``{}`` when empty), read with a size cap."""
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise ApiError(
                BAD_REQUEST, f"The request body is larger than {limit // 2**20} MB.", 413
            )
    if not body.strip():
        return {}
    try:
        data = json.loads(body)
    except ValueError as exc:
        raise ApiError(BAD_REQUEST, f"The request body is not valid JSON ({exc}).") from None
    if not isinstance(data, dict):
        raise ApiError(BAD_REQUEST, "The request body must be a JSON object.")
    return data


@dataclass
class Context:
    """The server's shared state (``app.state.ctx``)."""

    store: Store
    jobs: JobRunner
    token: str | None = field(default=None, repr=False)
    secret: str | None = field(default=None, repr=False)
    faults: FaultPlan | None = None
    allow_private_urls: bool = False
    keepalive: float = 5.0
    #: user id of the fixed ``token`` (``nemowidgets serve --token``).
    owner_user: str = "local"
    _locks: dict[str, threading.Lock] = field(default_factory=dict, repr=False)
    _locks_guard: threading.Lock = field(default_factory=threading.Lock, repr=False)
    background: set[asyncio.Future[Any]] = field(default_factory=set, repr=False)

    @property
    def data_dir(self) -> Path:
        return self.store.data_dir

    def authenticate(self, token: str | None) -> str | None:
        """The user id for a bearer token, or ``None``.

        The fixed token is compared in constant time; issued tokens are looked up by
        their SHA-256 (the database never sees the token, and timing can reveal at
        most a prefix of a hash, which is useless).
        """
        if not token:
            return None
        if self.token and hmac.compare_digest(token.encode(), self.token.encode()):
            return self.owner_user
        return self.store.user_for_token(token)

    def is_fixed_token(self, token: str | None) -> bool:
        return bool(
            token and self.token and hmac.compare_digest(token.encode(), self.token.encode())
        )

    def secret_ok(self, value: str | None) -> bool:
        return bool(
            value and self.secret and hmac.compare_digest(value.encode(), self.secret.encode())
        )

    def session_lock(self, session_id: str) -> threading.Lock:
        """One agent turn at a time per session (versions are built on the current one)."""
        with self._locks_guard:
            return self._locks.setdefault(str(session_id), threading.Lock())

    def require_session(self, request: Request, session_id: Any) -> dict[str, Any]:
        """The caller's session, or 1002 (also for another user's session: no existence leak)."""
        sid = str(session_id or "").strip()
        if self.faults is not None and self.faults.armed and sid:
            fired = self.faults.take("forget_session", session_id=sid)
            if fired is not None:
                self.store.forget_session(fired.get("session_id") or sid)
        session = self.store.get_session(sid, request.state.user_id) if sid else None
        if session is None:
            shown = sid if len(sid) <= 40 else sid[:37] + "..."
            raise ApiError(
                ErrorCode.SESSION_NOT_FOUND,
                f"Session {shown or '(none)'} was not found: create a new session.",
            )
        return session


def base_url(request: Request) -> str:
    """The server's URL as the caller reached it (for absolute media and render URLs)."""
    return str(request.base_url).rstrip("/")


def ctx_of(request: Request) -> Context:
    ctx = request.app.state.ctx
    if not isinstance(ctx, Context):  # pragma: no cover - create_app always sets it
        raise RuntimeError("the app has no nemowidgets Context (made without create_app?)")
    return ctx
