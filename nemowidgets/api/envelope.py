"""Answers -> data or one of our errors; payloads -> the typed records of ``models``.

The protocol wraps answers two ways, ``{"code", "data", "message"|"msg"}`` and
``{"success", "data"|"error"}``, some render answers come bare, and the HTTP
status means something too (400, 402, 429, 5xx).  :func:`unwrap` folds all of
it into "here is ``data``" or an exception of the ``errors`` tree.  Precedence:
a known protocol code (1001, 1002, 2001, 4001, 4002) wins over the HTTP status,
because it is the more specific of the two; then the status; then an unknown
non-zero code or ``success: false`` becomes a plain :class:`APIError`.

The local backend's 4000 ("this request cannot be used", HTTP 422) is not a
cloud code and only sharpens the answer: on a call that sends a draft (export)
it is a :class:`DraftError` quoting the server's message, which names the
segment and the media; elsewhere it stays a plain :class:`APIError` (or what
its HTTP status says, e.g. 404), never the 4001 "unsupported file" error.

The ``parse_*`` functions read ``data`` tolerantly (extra keys are kept or
ignored, numbers may come as strings) but refuse a missing or mistyped field
they need, with a :class:`MalformedPayloadError` that names it
(``"data.files[1].filename"``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import nemowidgets.protocol as protocol
from nemowidgets.api import errors as E
from nemowidgets.api.models import Credits, MediaInfo, RenderJob, SessionInfo, TokenInfo
from nemowidgets.api.retry import parse_retry_after

__all__ = [
    "Context",
    "is_duplicate_id",
    "parse_credits",
    "parse_media",
    "parse_render_job",
    "parse_session",
    "parse_token",
    "unwrap",
]

_BY_CODE: dict[int, type[E.NemoError]] = {
    protocol.ErrorCode.BAD_TOKEN: E.AuthError,
    protocol.ErrorCode.SESSION_NOT_FOUND: E.SessionNotFoundError,
    protocol.ErrorCode.NO_CREDITS: E.NoCreditsError,
    protocol.ErrorCode.UNSUPPORTED_FILE: E.UnsupportedFileError,
    protocol.ErrorCode.FILE_TOO_LARGE: E.FileTooLargeError,
    protocol.ErrorCode.STORAGE_FULL: E.StorageFullError,
}
_WHAT: dict[type[E.NemoError], str] = {
    E.AuthError: "the server rejected the token",
    E.SessionNotFoundError: "the session was not found",
    E.NoCreditsError: "out of credits",
    E.UnsupportedFileError: "the server refused the file",
    E.FileTooLargeError: "the file is too large",
    E.StorageFullError: "the server's disk is full",
}
_STATUS_ALIASES = {
    "queued": protocol.RENDER_PENDING, "waiting": protocol.RENDER_PENDING,
    "created": protocol.RENDER_PENDING, "running": protocol.RENDER_PROCESSING,
    "rendering": protocol.RENDER_PROCESSING, "in_progress": protocol.RENDER_PROCESSING,
    "succeeded": protocol.RENDER_COMPLETED, "success": protocol.RENDER_COMPLETED,
    "done": protocol.RENDER_COMPLETED, "complete": protocol.RENDER_COMPLETED,
    "error": protocol.RENDER_FAILED, "canceled": protocol.RENDER_CANCELLED,
}  # fmt: skip
_KNOWN_STATUSES = frozenset(
    {protocol.RENDER_PENDING, protocol.RENDER_PROCESSING} | protocol.RENDER_FINAL_STATES
)


@dataclass(frozen=True)
class Context:
    """What an error message needs to know about the call and the caller."""

    call: str  # e.g. "credits", "upload to session 123"
    anonymous: bool = False
    user_id: str | None = None
    token_call: bool = False  # the anonymous-token call (HTTP 400 = no client id)
    secrets: tuple[str, ...] = ()  # redacted from any server text we quote
    host: str = "the server"  # scheme://host:port, for messages about the server itself
    draft_call: bool = False  # the call sends a draft (export): 4000 means the draft is bad


def unwrap(status: int, body_text: str, headers: Mapping[str, str], ctx: Context) -> Any:
    """The ``data`` of an answer, or raise the error it means."""
    body: Any = None
    parsed = False
    if body_text.strip():
        try:
            body = json.loads(body_text)
            parsed = True
        except ValueError:
            parsed = False
    ok = 200 <= status < 300
    if ok and not parsed:
        raise E.MalformedPayloadError(
            f"{ctx.call}: the server's answer is not JSON (HTTP {status}: "
            f"{_quote(body_text, ctx) or 'empty body'}).",
            field="body",
        )
    if ok and parsed and not isinstance(body, dict):
        raise E.MalformedPayloadError(
            f"{ctx.call}: the server's answer is a JSON {type(body).__name__}, not an object "
            "(field 'body').",
            field="body",
        )
    code, message, data, failed = _envelope(body if isinstance(body, dict) else None)
    if not parsed and body_text.strip():
        message = body_text
    if ok and not failed:
        return data
    said_hint = body.get("hint") if isinstance(body, dict) else None
    hint = _quote(said_hint, ctx) if isinstance(said_hint, str) and said_hint.strip() else None
    raise _error(status, code, message, headers, ctx, hint)


def _envelope(body: dict[str, Any] | None) -> tuple[int | None, str, Any, bool]:
    """(code, message, data, failed) of either envelope, or of a bare object."""
    if body is None:
        return None, "", None, False
    said = body.get("message") or body.get("msg") or body.get("error") or body.get("detail")
    message = _message(said or "")
    if "code" in body and not isinstance(body.get("code"), bool):
        try:
            code = int(body["code"])
        except (TypeError, ValueError):
            code = -1
        return code, message, body.get("data"), code != 0
    if isinstance(body.get("success"), bool):
        data = body.get("data")
        if data is None:
            data = {k: v for k, v in body.items() if k not in ("success", "error", "message")}
        return None, message, data, not body["success"]
    return None, message, body, False


def _message(value: Any) -> str:
    if isinstance(value, dict):
        return str(value.get("message") or value.get("msg") or json.dumps(value)[:300])
    return str(value)


def _error(
    status: int,
    code: int | None,
    message: str,
    headers: Mapping[str, str],
    ctx: Context,
    hint: str | None = None,
) -> E.NemoError:
    """The error an answer means; ``hint`` is the server's own advice (the envelope's
    ``hint``, a local extension), which replaces the class's default advice."""
    error = _classify(status, code, message, headers, ctx)
    if hint and not error.details.get("register_url"):
        error.hint = hint
    return error


def _classify(
    status: int, code: int | None, message: str, headers: Mapping[str, str], ctx: Context
) -> E.NemoError:
    said = _quote(message, ctx).rstrip(". ")
    tail = f": {said}" if said else ""
    kw: dict[str, Any] = {"code": code, "status": status}
    cls = _BY_CODE.get(code) if code is not None else None
    if cls is not None:
        hint = None
        if cls is E.NoCreditsError and ctx.anonymous and ctx.user_id:
            url = protocol.REGISTER_URL.format(user_id=ctx.user_id)
            hint = f"Register for free to get more credits: {url}"
            kw["register_url"] = url
        text = f"{ctx.call}: {_WHAT[cls]} (code {code}){tail}."
        return cls(text, hint=hint, **kw)
    if status == 400 and ctx.token_call:
        return E.MissingClientIdError(
            f"{ctx.call}: the server wants an X-Client-Id header (HTTP 400){tail}.", **kw
        )
    if status == 401:
        return E.AuthError(f"{ctx.call}: the server rejected the token (HTTP 401){tail}.", **kw)
    if status == 402:
        return E.ExportBlockedError(f"{ctx.call}: export is blocked (HTTP 402){tail}.", **kw)
    if status == 404:
        return E.NotFoundError(f"{ctx.call}: not found (HTTP 404){tail}.", **kw)
    if status == 429:
        wait = parse_retry_after(headers.get("retry-after"))
        when = f"; retry after {wait:g} s" if wait is not None else ""
        return E.RateLimitedError(
            f"{ctx.call}: rate limited (HTTP 429{when}){tail}.", retry_after=wait, **kw
        )
    if status >= 500:
        return E.ServerError(f"{ctx.call}: {ctx.host} failed (HTTP {status}){tail}.", **kw)
    if code == protocol.ErrorCode.BAD_REQUEST and ctx.draft_call and status != 409:
        # 409 is a duplicate render id: left an APIError, so the export retries it.
        return E.DraftError(
            f"{ctx.call}: the server refused the draft (code {code}){tail}.",
            hint="Fix or remove the segment it names, then export again.",
            **kw,
        )
    if status >= 400:
        return E.APIError(f"{ctx.call}: refused (HTTP {status}){tail}.", **kw)
    if not 200 <= status < 300:
        return E.APIError(f"{ctx.call}: unexpected answer (HTTP {status}){tail}.", **kw)
    what = f"code {code}" if code is not None else "success: false"
    return E.APIError(f"{ctx.call}: failed ({what}){tail}.", **kw)


def _quote(text: str, ctx: Context, limit: int = 300) -> str:
    text = " ".join(str(text).split())
    text = E.redact(text, *ctx.secrets)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def is_duplicate_id(error: E.NemoError) -> bool:
    """Whether a render-create error says the render id was already used."""
    if error.status == 409:
        return True
    text = error.message.lower()
    return "duplicate" in text or "already exist" in text or "already used" in text


# -- payloads -----------------------------------------------------------------


def _bad(ctx: Context, where: str, what: str) -> E.MalformedPayloadError:
    return E.MalformedPayloadError(f"{ctx.call}: field '{where}' {what}.", field=where)


def _dict(value: Any, ctx: Context, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _bad(ctx, where, f"should be an object, not {type(value).__name__}")
    return value


def _str(value: Any, ctx: Context, where: str, *, required: bool = True) -> str | None:
    if value is None or value == "":
        if required:
            raise _bad(ctx, where, "is missing")
        return None
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise _bad(ctx, where, f"should be a string, not {type(value).__name__}")
    return str(value)  # a numeric id is kept as its exact digits


def _num(value: Any, ctx: Context, where: str, *, required: bool = False) -> float | None:
    if value is None or value == "":
        if required:
            raise _bad(ctx, where, "is missing")
        return None
    if isinstance(value, bool):
        raise _bad(ctx, where, "should be a number, not a boolean")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise _bad(ctx, where, f"should be a number, not {value!r:.40}") from None
    if number != number:  # NaN
        raise _bad(ctx, where, "is not a number")
    return number


def _int(value: Any, ctx: Context, where: str) -> int | None:
    number = _num(value, ctx, where)
    return None if number is None else round(number)


def parse_token(data: Any, ctx: Context) -> TokenInfo:
    data = _dict(data, ctx, "data")
    credits = _num(data.get("credits"), ctx, "data.credits")
    return TokenInfo(
        token=_str(data.get("token"), ctx, "data.token") or "",
        user_id=_str(data.get("user_id"), ctx, "data.user_id") or "",
        expires_at=_str(data.get("expires_at"), ctx, "data.expires_at", required=False),
        credits=None if credits is None else round(credits),
    )


def parse_session(data: Any, ctx: Context) -> SessionInfo:
    data = _dict(data, ctx, "data")
    return SessionInfo(
        session_id=_str(data.get("session_id"), ctx, "data.session_id") or "",
        task_id=_str(data.get("task_id"), ctx, "data.task_id", required=False),
        user_id=_str(data.get("user_id"), ctx, "data.user_id", required=False),
    )


def parse_credits(data: Any, ctx: Context) -> Credits:
    data = _dict(data, ctx, "data")
    available = _num(data.get("available"), ctx, "data.available", required=True)
    frozen = _num(data.get("frozen"), ctx, "data.frozen") or 0.0
    total = _num(data.get("total"), ctx, "data.total")
    return Credits(available=available or 0.0, frozen=frozen, total=total)


_MEDIA_KEYS = ("filename", "file_type", "cdn_url", "duration", "width", "height", "fps", "hash",
               "id", "size", "thumbnail_url")  # fmt: skip


def parse_media(data: Any, ctx: Context) -> list[MediaInfo]:
    data = _dict(data, ctx, "data")
    files = data.get("files")
    if not isinstance(files, list):
        raise _bad(ctx, "data.files", "should be a list")
    out = []
    for i, raw in enumerate(files):
        at = f"data.files[{i}]"
        item = _dict(raw, ctx, at)
        filename = _str(item.get("filename"), ctx, f"{at}.filename") or ""
        kind = _str(item.get("file_type"), ctx, f"{at}.file_type", required=False)
        kind = kind or protocol.media_kind(filename) or "unknown"
        out.append(MediaInfo(
            filename=filename, file_type=kind,
            cdn_url=_str(item.get("cdn_url"), ctx, f"{at}.cdn_url", required=False),
            duration=_num(item.get("duration"), ctx, f"{at}.duration"),
            width=_int(item.get("width"), ctx, f"{at}.width"),
            height=_int(item.get("height"), ctx, f"{at}.height"),
            fps=_num(item.get("fps"), ctx, f"{at}.fps"),
            hash=_str(item.get("hash"), ctx, f"{at}.hash", required=False),
            id=_str(item.get("id"), ctx, f"{at}.id", required=False),
            size=_int(item.get("size"), ctx, f"{at}.size"),
            thumbnail_url=_str(item.get("thumbnail_url"), ctx, f"{at}.thumbnail_url",
                               required=False),
            extra={k: v for k, v in item.items() if k not in _MEDIA_KEYS},
        ))  # fmt: skip
    return out


def parse_render_job(
    data: Any, ctx: Context, *, render_id: str | None = None, session_id: str | None = None
) -> RenderJob:
    """A render job from any variant of the create / poll / cancel answers."""
    data = _dict(data, ctx, "data")
    if isinstance(data.get("data"), dict):  # wrapped once more
        data = data["data"]
    job_id = _str(
        data.get("id") or data.get("render_id") or data.get("renderId") or render_id,
        ctx, "data.id",
    )  # fmt: skip
    raw_status = _str(data.get("status"), ctx, "data.status", required=False)
    url = _render_url(data, ctx)
    error = data.get("error") or data.get("error_message") or data.get("errorMessage")
    error_text = _message(error) if error else None
    if raw_status is None:
        if url:
            raw_status = protocol.RENDER_COMPLETED
        elif error_text:
            raw_status = protocol.RENDER_FAILED
        else:
            raise _bad(ctx, "data.status", "is missing")
    status = raw_status.strip().lower()
    status = _STATUS_ALIASES.get(status, status)
    if status not in _KNOWN_STATUSES:
        raise _bad(ctx, "data.status", f"has an unknown value {raw_status!r}")
    progress = _num(data.get("progress"), ctx, "data.progress")
    progress = 0.0 if progress is None else min(max(progress, 0.0), 100.0)
    if status == protocol.RENDER_COMPLETED:
        progress = 100.0
    sid = _str(data.get("sessionId") or data.get("session_id"), ctx, "data.sessionId",
               required=False)  # fmt: skip
    raw_warnings = data.get("warnings")
    warnings = tuple(
        _quote(str(w), ctx) for w in (raw_warnings if isinstance(raw_warnings, list) else [])
    )
    error_code = _int(data.get("errorCode"), ctx, "data.errorCode")  # local: why it failed
    # Local extensions, read tolerantly: a server sending something else is ignored.
    extras = {key: data[key] if isinstance(data.get(key), str) and data[key] else None
              for key in ("where", "dashboard", "notice", "aspect")}  # fmt: skip
    return RenderJob(
        id=job_id or "", status=status, progress=progress, url=url,
        error=_quote(error_text, ctx, 600) if error_text else None,
        session_id=sid or session_id, warnings=warnings, error_code=error_code, **extras,
    )  # fmt: skip


def _render_url(data: dict[str, Any], ctx: Context) -> str | None:
    output = data.get("output")
    if isinstance(output, dict):
        url = output.get("url")
        if url:
            return _str(url, ctx, "data.output.url")
    elif isinstance(output, str) and output:
        return output
    for key in ("outputUrl", "output_url", "url"):
        if data.get(key):
            return _str(data[key], ctx, f"data.{key}")
    return None
