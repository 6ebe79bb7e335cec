"""Checks of the arguments a user hands the Session, before any work starts.

Why a module of its own: a notebook user who passes ``quality="ultra"``, a list
where a draft goes, or ``42`` where a path goes should get one of our errors
naming the argument and saying what to pass - not a ``TypeError`` or
``AttributeError`` from deep inside pathlib, the client or the loop, and never
after half the work (a session created, a busy event shown) was done.  Every
check raises :class:`~nemowidgets.api.errors.ConfigurationError` (a bad
argument) or, for drafts, :class:`~nemowidgets.api.errors.MalformedPayloadError`
(the draft's shape), with ``details['field']`` set to the argument's name.
"""

from __future__ import annotations

import inspect
import json
import math
import os
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from nemowidgets.api.errors import ConfigurationError, MalformedPayloadError
from nemowidgets.api.models import MediaInfo
from nemowidgets.api.retry import StreamPolicy
from nemowidgets.draft import Draft
from nemowidgets.protocol import RENDER_QUALITIES, lone_surrogate, surrogate_message

__all__ = [
    "check_callable", "check_coroutine", "check_draft", "check_export_path", "check_index",
    "check_init", "check_media", "check_prompt", "check_quality", "check_url",
]  # fmt: skip


def _type(value: Any) -> str:
    return type(value).__name__


def _bad(field: str, message: str, hint: str = "") -> ConfigurationError:
    return ConfigurationError(message, hint=hint, field=field)


def _optional_text(field: str, value: Any, example: str) -> None:
    if value is not None and not isinstance(value, str):
        raise _bad(field, f"{field} must be a string such as {example}, not {_type(value)}.")


def _optional_path(field: str, value: Any) -> None:
    if value is not None and not isinstance(value, (str, os.PathLike)):
        raise _bad(
            field, f"{field} must be a folder path (str or pathlib.Path), not {_type(value)}."
        )


def check_url(field: str, url: str) -> None:
    """``url`` must be ``http(s)://host[:port]``; ``field`` names where it came from."""
    try:
        parts = urlsplit(url.strip())
        ok = parts.scheme.lower() in ("http", "https") and bool(parts.hostname)
        parts.port  # noqa: B018 - raises ValueError on a port that is not a number
    except ValueError:
        ok = False
    if not ok:
        shown = re.sub(r"//[^/@]*@", "//***@", url)  # never echo a password in the URL
        looks_like_token = url.startswith(("nmv_", "nwl_"))
        raise _bad(
            field,
            f"{field} must be an http(s) URL such as 'http://127.0.0.1:8000', "
            f"not {shown!r}."
            + (
                " It looks like a token: pass it as Session(token=...) instead."
                if looks_like_token
                else ""
            ),
        )


def check_init(
    *,
    base_url: Any,
    token: Any,
    session_id: Any,
    data_dir: Any,
    resume: Any,
    language: Any,
    client_id: Any,
    stream_policy: Any,
    render_interval: Any,
    export_dir: Any,
    client_options: Any,
) -> None:
    """The Session constructor's arguments (the backend is checked with the settings)."""
    _check_where(base_url, token, session_id, data_dir, export_dir)
    _check_behaviour(resume, language, client_id, stream_policy, render_interval, client_options)


def _check_where(
    base_url: Any, token: Any, session_id: Any, data_dir: Any, export_dir: Any
) -> None:
    """Which server, which session, which folders."""
    _optional_text("base_url", base_url, "'http://127.0.0.1:8000'")
    if base_url is not None:
        check_url("base_url", base_url)
    _optional_text("token", token, "'nmv_usr_…' (or leave it out and set NEMO_TOKEN)")
    if session_id is not None and (
        isinstance(session_id, bool) or not isinstance(session_id, (str, int))
    ):
        raise _bad(
            "session_id",
            f"session_id must be the server's session id (a string), not {_type(session_id)}.",
        )
    if isinstance(session_id, str) and not session_id.strip():
        raise _bad(
            "session_id",
            "session_id is empty: pass the id of an existing session, "
            "or leave it out to start a new one.",
        )
    _optional_path("data_dir", data_dir)
    _optional_path("export_dir", export_dir)


def _check_behaviour(
    resume: Any,
    language: Any,
    client_id: Any,
    stream_policy: Any,
    render_interval: Any,
    client_options: Any,
) -> None:
    """How the Session talks to it: resume, language, client, policies, polling."""
    if not isinstance(resume, bool):
        raise _bad("resume", f"resume must be True or False, not {_type(resume)}.")
    if not isinstance(language, str) or not language.strip():
        raise _bad("language", f"language must be a language code such as 'en', not {language!r}.")
    _optional_text("client_id", client_id, "a UUID string")
    if stream_policy is not None and not isinstance(stream_policy, StreamPolicy):
        raise _bad(
            "stream_policy",
            "stream_policy must be a nemowidgets.api.retry.StreamPolicy, "
            f"not {_type(stream_policy)}.",
        )
    if render_interval is not None and (
        isinstance(render_interval, bool)
        or not isinstance(render_interval, (int, float))
        or not math.isfinite(render_interval)
        or render_interval <= 0
    ):
        raise _bad(
            "render_interval",
            "render_interval must be a positive number of seconds "
            f"(e.g. 0.5), not {render_interval!r}.",
        )
    if client_options is not None and not isinstance(client_options, dict):
        raise _bad(
            "client_options",
            "client_options must be a dict of NemoClient keyword "
            f"arguments, not {_type(client_options)}.",
        )


def check_prompt(prompt: Any) -> str:
    """A prompt is non-empty text."""
    if not isinstance(prompt, str):
        raise _bad(
            "prompt",
            f"The prompt must be text (str), not {_type(prompt)}: "
            "e.g. session.send('make a slideshow').",
        )
    if not prompt.strip():
        raise _bad(
            "prompt",
            "The prompt is empty: type what the agent should do, "
            "e.g. 'make a slideshow with music'.",
        )
    bad = lone_surrogate(prompt)  # it could not be sent: UTF-8 has no way to write it
    if bad is not None:
        raise _bad("prompt", surrogate_message(prompt, bad))
    return prompt


def check_quality(quality: Any) -> str:
    if not isinstance(quality, str) or quality not in RENDER_QUALITIES:
        raise _bad(
            "quality",
            f"quality must be one of {', '.join(map(repr, RENDER_QUALITIES))}, "
            f"not {quality!r}: use 'preview' for a quick low-resolution "
            "check, 'high' for the final video.",
        )
    return quality


def check_draft(draft: Any) -> Draft | None:
    """``None`` (the current draft), a :class:`Draft`, or a draft dict with a ``t`` list."""
    if draft is None or isinstance(draft, Draft):
        return draft
    if not isinstance(draft, dict):
        raise MalformedPayloadError(
            f"draft must be a dict with a 't' list of tracks (or a Draft, e.g. session.draft), "
            f"not a {_type(draft)}.",
            hint="Pass session.draft, a version from session.history, or leave draft out "
            "to export the current timeline.",
            field="draft",
        )
    if not isinstance(draft.get("t"), list):
        got = "missing" if "t" not in draft else f"a {_type(draft['t'])}"
        raise MalformedPayloadError(
            f"draft.t must be a list of tracks (a draft is a dict with a 't' list); it is {got}.",
            hint="Start from session.draft.raw and edit a copy of it.",
            field="draft.t",
        )
    return Draft(draft)  # checks the tracks and segments, naming the path of a bad one


def check_export_path(path: Any) -> Path | None:
    """Where the MP4 goes: ``None`` (the default), a file path, or an existing folder."""
    if path is None:
        return None
    if not isinstance(path, (str, os.PathLike)) or (isinstance(path, str) and not path.strip()):
        raise _bad(
            "path",
            f"path must be a file path such as 'video.mp4' (str or pathlib.Path), not {path!r}.",
        )
    dest = Path(path).expanduser()
    if dest.exists() and not dest.is_file() and not dest.is_dir():
        raise _bad("path", f"path {dest} exists and is not a regular file: choose another name.")
    parent = dest if dest.is_dir() else dest.parent
    if parent.exists() and not parent.is_dir():
        raise _bad("path", f"path {dest}: {parent} is a file, not a folder; choose another path.")
    return dest


def check_media(media: Any) -> MediaInfo:
    if not isinstance(media, MediaInfo):
        raise _bad(
            "media", f"media must be one of session.media (a MediaInfo), not {_type(media)}."
        )
    return media


def check_edit(name: Any, args: dict[str, Any]) -> dict[str, Any]:
    """One named edit as the server takes it: ``{"name", "args"}`` of JSON values."""
    if not isinstance(name, str) or not name.strip():
        raise _bad(
            "name", f"name must be an edit's name such as 'move_segment', not {_type(name)}."
        )
    try:
        json.dumps(args, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise _bad(
            "args", f"The arguments of {name} must be JSON values (numbers, text): {exc}."
        ) from None
    return {"name": name.strip(), "args": dict(args)}


def no_media_id(media: MediaInfo) -> ConfigurationError:
    return _bad(
        "media",
        f"{media.filename} has no media id, so it cannot be taken out of the draft here; "
        "ask the agent instead, e.g. 'remove photo 2'.",
    )


def check_index(index: Any, size: int) -> int:
    if isinstance(index, bool) or not isinstance(index, int):
        raise _bad(
            "index", f"index must be an int position in session.history, not {_type(index)}."
        )
    if not -size <= index < size:
        what = (
            "the history is empty: send a prompt that builds a timeline first"
            if not size
            else f"the history has {size} version(s): use 0..{size - 1} (or -1 for the last)"
        )
        raise _bad("index", f"No draft version {index}: {what}.")
    return index


def check_callable(field: str, value: Any, signature: str) -> None:
    if value is not None and not callable(value):
        raise _bad(field, f"{field} must be a function {signature}, not {_type(value)}.")


def check_coroutine(coro: Any) -> None:
    """``submit`` takes a coroutine object: ``session.asend('...')``, not the method."""
    if not inspect.iscoroutine(coro):
        called = " (call it: session.asend('...'), not session.asend)" if callable(coro) else ""
        raise _bad(
            "coro",
            f"submit() takes a coroutine such as session.asend('...'), not {_type(coro)}{called}.",
        )
