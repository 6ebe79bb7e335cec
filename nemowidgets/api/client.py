"""The NemoVideo protocol client: every endpoint of docs/protocol.md on one ``httpx.AsyncClient``.

No UI and no threads: the Session runs it on its own event loop.  The
transport rules (token, attribution headers, envelopes, retries) live in
``http.py``; this module is the endpoints, each a few lines that build one
:class:`~nemowidgets.api.http.Call` and turn the answer into a typed record.

1002 (session gone) is only raised here: starting a new session is the
Session's decision, because it knows what the user was doing.  Likewise a
broken ``/run_sse`` stream raises :class:`StreamError` and is never re-sent;
the Session reads the state instead.
"""

from __future__ import annotations

import asyncio
import logging
import os
import uuid
from collections.abc import AsyncIterator, Callable, Iterable
from pathlib import Path
from typing import Any

import httpx

import nemowidgets.protocol as protocol
from nemowidgets.api import errors as E
from nemowidgets.api.envelope import (
    is_duplicate_id,
    parse_credits,
    parse_media,
    parse_render_job,
    parse_session,
)
from nemowidgets.api.events import AgentEvent
from nemowidgets.api.http import Call, origin
from nemowidgets.api.local_edits import LocalEdits
from nemowidgets.api.media import check_upload, check_url
from nemowidgets.api.models import Credits, MediaInfo, RenderJob, SessionInfo
from nemowidgets.api.multipart import Progress, batches
from nemowidgets.api.retry import StreamPolicy
from nemowidgets.api.sse import read_turn

__all__ = ["NemoClient", "check_exportable"]

log = logging.getLogger(__name__)


def check_exportable(draft: Any) -> None:
    """Raise unless ``draft`` has a track with segments (docs/protocol.md: check first)."""
    if not isinstance(draft, dict):
        raise E.MalformedPayloadError(
            f"The draft (field 'draft') must be an object, not {type(draft).__name__}.",
            field="draft",
        )
    tracks = draft.get("t")
    if not isinstance(tracks, list):
        raise E.MalformedPayloadError(
            "The draft's tracks (field 'draft.t') must be a list.", field="draft.t"
        )
    for i, track in enumerate(tracks):
        if not isinstance(track, dict):
            raise E.MalformedPayloadError(f"draft.t[{i}] must be an object.", field=f"draft.t[{i}]")
        segments = track.get("sg", [])
        if not isinstance(segments, list):
            raise E.MalformedPayloadError(
                f"The segments of track {i} (field 'draft.t[{i}].sg') must be a list.",
                field=f"draft.t[{i}].sg",
            )
    if not any(track.get("sg") for track in tracks):
        raise E.DraftError("The draft has no segments yet, so there is nothing to export.")


class NemoClient(LocalEdits):
    """An async client of one NemoVideo server (the cloud, or the local backend).

    ``NemoClient(base_url=None, token=None, *, client_id=None, local_secret=None,
    retry=None, transport=None, platform=None, timeout=60.0)``: see ``HTTPCore``.
    """

    #: Seconds between render polls when ``wait_render`` is given no interval.
    render_poll_interval: float = 30.0

    # -- endpoints ---------------------------------------------------------------

    async def create_session(self, language: str = "en") -> SessionInfo:
        call = Call("POST", protocol.CREATE_SESSION_PATH, "create session",
                    json={"task_name": "project", "language": language})  # fmt: skip
        info = parse_session(await self._send(call), self._ctx(call))
        if self.user_id is None and info.user_id:
            self.user_id = info.user_id
        return info

    async def upload(
        self,
        session_id: str,
        items: Iterable[str | os.PathLike[str] | tuple[str, bytes]],
        *,
        progress: Progress | None = None,
    ) -> list[MediaInfo]:
        """Upload files (paths or ``(name, bytes)``), streamed; all are checked before sending.

        More than ``protocol.MAX_UPLOAD_FILES`` files, or files adding up to more than
        ``protocol.MAX_UPLOAD_REQUEST_BYTES``, go as several requests, one after the
        other (see ``multipart.batches``); ``progress`` reports every file of every one.
        If a later one fails, the files of the earlier ones are already stored: the
        error says so and lists them in ``details["uploaded"]``.
        """
        checked = [check_upload(item) for item in items]
        if not checked:
            raise E.ConfigurationError("Nothing to upload: give at least one file.", field="items")
        path = self._path(protocol.UPLOAD_PATH, session_id=session_id)
        done: list[MediaInfo] = []
        plan = batches(checked, protocol.MAX_UPLOAD_REQUEST_BYTES, protocol.MAX_UPLOAD_FILES)
        for body in plan:
            call = Call("POST", path, f"upload to session {session_id}", body=body,
                        progress=progress)  # fmt: skip
            try:
                done += parse_media(await self._send(call), self._ctx(call))
            except E.NemoError as exc:
                if done:
                    names = ", ".join(m.filename for m in done[:5])
                    more = f" and {len(done) - 5} more" if len(done) > 5 else ""
                    exc.message += f" (already uploaded in an earlier request: {names}{more})"
                    exc.args = (exc.message,)
                    exc.details["uploaded"] = list(done)
                raise
        return done

    async def upload_urls(self, session_id: str, urls: list[str]) -> list[MediaInfo]:
        """Ask the server to fetch files from ``http(s)`` URLs."""
        checked = [check_url(url) for url in urls]
        if not checked:
            raise E.ConfigurationError("Nothing to upload: give at least one URL.", field="urls")
        call = Call("POST", self._path(protocol.UPLOAD_PATH, session_id=session_id),
                    f"URL upload to session {session_id}",
                    json={"urls": checked, "source_type": "url"})  # fmt: skip
        return parse_media(await self._send(call), self._ctx(call))

    async def credits(self) -> Credits:
        call = Call("GET", protocol.CREDITS_PATH, "credits", idempotent=True)
        return parse_credits(await self._send(call), self._ctx(call))

    async def state(self, session_id: str) -> dict[str, Any]:
        """The state envelope's ``data`` (``session_id``, ``task_id``, ``state``)."""
        call = Call("GET", self._path(protocol.STATE_PATH, session_id=session_id),
                    f"state of session {session_id}", idempotent=True)  # fmt: skip
        data = await self._send(call)
        if not isinstance(data, dict) or not isinstance(data.get("state"), dict):
            raise E.MalformedPayloadError(
                f"state of session {session_id}: field 'data.state' is missing or not an object.",
                field="data.state",
            )
        return data

    async def stream(
        self, session_id: str, text: str, *, policy: StreamPolicy | None = None
    ) -> AsyncIterator[AgentEvent]:
        """Send one prompt; yield the turn's events as they stream (see the module docstring)."""
        if not isinstance(text, str) or not text.strip():
            raise E.ConfigurationError(
                "The prompt is empty: type what the agent should do.", field="prompt", hint=""
            )
        bad = protocol.lone_surrogate(text)
        if bad is not None:  # httpx would fail to encode it, with a bare UnicodeEncodeError
            raise E.ConfigurationError(protocol.surrogate_message(text, bad), field="prompt",
                                       hint="")  # fmt: skip
        body = {"app_name": protocol.APP_NAME, "user_id": "me", "session_id": str(session_id),
                "new_message": {"parts": [{"text": text}]}}  # fmt: skip
        call = Call("POST", protocol.RUN_SSE_PATH, "the agent's stream", kind="sse", json=body)
        response = await self._send(call)
        host = origin(None, str(response.request.url))
        try:
            async for event in read_turn(response.aiter_bytes(), policy or StreamPolicy(), host):
                yield event
        finally:
            await response.aclose()

    async def export(
        self,
        session_id: str,
        draft: dict[str, Any],
        quality: str = "high",
        *,
        aspect: str | None = None,
        parallel: str | None = None,
    ) -> RenderJob:
        """Start a render of ``draft`` (sent unchanged); a duplicate id is retried once.

        ``aspect`` and ``parallel`` are local-backend extensions of ``output``
        (docs/protocol.md); they are sent only when given.
        """
        check_exportable(draft)
        if quality not in protocol.RENDER_QUALITIES:
            raise E.ConfigurationError(
                f"quality must be one of {', '.join(protocol.RENDER_QUALITIES)}, not {quality!r}.",
                field="quality",
            )
        for attempt in range(2):
            render_id = f"render_{uuid.uuid4().hex}"
            output: dict[str, Any] = {"format": "mp4", "quality": quality}
            output.update({k: v for k, v in (("aspect", aspect), ("parallel", parallel)) if v})
            body = {"id": render_id, "sessionId": str(session_id), "draft": draft,
                    "output": output}  # fmt: skip
            call = Call(
                "POST",
                protocol.RENDER_PATH,
                f"export of session {session_id}",
                json=body,
                draft=True,
            )
            try:
                data = await self._send(call)
            except E.APIError as err:
                if attempt == 0 and type(err) is E.APIError and is_duplicate_id(err):
                    log.info("render id was taken; retrying with a new one")
                    continue
                raise
            return parse_render_job(data, self._ctx(call), render_id=render_id,
                                    session_id=str(session_id))  # fmt: skip
        raise AssertionError("unreachable")  # pragma: no cover

    async def render_status(self, render_id: str) -> RenderJob:
        call = Call("GET", self._path(protocol.RENDER_POLL_PATH, render_id=render_id),
                    f"render {render_id}", idempotent=True)  # fmt: skip
        return parse_render_job(await self._send(call), self._ctx(call), render_id=render_id)

    async def wait_render(
        self,
        render_id: str,
        *,
        progress: Callable[[RenderJob], None] | None = None,
        interval: float | None = None,
        timeout: float | None = None,
    ) -> RenderJob:
        """Poll until the render ends; :class:`RenderError` if it failed."""
        interval = self.render_poll_interval if interval is None else interval
        loop = asyncio.get_running_loop()
        start = loop.time()
        while True:
            job = await self.render_status(render_id)
            if progress is not None:
                progress(job)
            if job.status == protocol.RENDER_COMPLETED:
                return job
            if job.status == protocol.RENDER_FAILED:
                reason = job.error or "the server gave no reason"
                if job.error_code == protocol.ErrorCode.STORAGE_FULL:
                    raise E.StorageFullError(
                        f"The render {render_id} failed: {reason.rstrip('. ')}.",
                        code=job.error_code, job=job,
                    )  # fmt: skip
                raise E.RenderError(f"The render {render_id} failed: {reason}.", job=job)
            if job.status == protocol.RENDER_CANCELLED:
                raise E.CancelledByUser(f"The render {render_id} was cancelled.", job=job)
            if timeout is not None and loop.time() - start + interval > timeout:
                raise E.RenderError(
                    f"The render {render_id} did not finish within {timeout:g} s "
                    f"(last status {job.status}, {job.progress:.0f} %).",
                    hint="It may still finish: check again later.",
                    job=job,
                )
            await asyncio.sleep(interval)

    async def cancel_render(self, render_id: str) -> RenderJob | None:
        """Cancel a render; the job as the server reports it, or ``None`` if it said nothing."""
        call = Call("POST", self._path(protocol.RENDER_CANCEL_PATH, render_id=render_id),
                    f"cancel of render {render_id}", idempotent=True)  # fmt: skip
        data = await self._send(call)
        if isinstance(data, dict) and any(k in data for k in ("status", "data")):
            return parse_render_job(data, self._ctx(call), render_id=render_id)
        return None

    async def download(
        self, job: RenderJob, dest: Path, *, progress: Callable[[int, int], None] | None = None
    ) -> Path:
        """Stream the MP4 to ``dest``: from the job's URL, else from the ``/download`` fallback."""
        dest = Path(dest)
        dest.parent.mkdir(parents=True, exist_ok=True)
        part = dest.with_name(dest.name + ".part")
        try:
            return await self._download(job, dest, part, progress)
        finally:
            part.unlink(missing_ok=True)  # only ever left by a failure or a cancellation

    async def _download(
        self, job: RenderJob, dest: Path, part: Path, progress: Callable[[int, int], None] | None
    ) -> Path:
        first: E.NemoError | None = None
        if job.url:
            try:
                await self._download_to(job.url, part, progress, f"download of {job.id}", False)
                os.replace(part, dest)
                return dest
            except E.NemoError as exc:
                log.info("the render's URL failed (%s); trying the download fallback", exc.message)
                first = exc
        fallback = self._path(protocol.RENDER_DOWNLOAD_PATH, render_id=job.id)
        try:
            await self._download_to(fallback, part, progress, f"download of {job.id}", True)
        except E.NemoError as exc:
            if first is not None:
                exc.message += f" (before that, the render's URL failed: {first.message})"
                exc.args = (exc.message,)
            raise
        os.replace(part, dest)
        return dest

    async def fetch_bytes(self, url: str) -> bytes:
        """GET a media or thumbnail URL; the token goes only to this server's own origin."""
        call = Call("GET", url, "media download", kind="bytes", idempotent=True,
                    auth=self._same_origin(url))  # fmt: skip
        data = await self._send(call)
        if not isinstance(data, bytes):  # a "bytes" call answers bytes, or raises
            raise E.MalformedPayloadError(f"{url}: the answer is not a file.", field="body")
        return data

    async def _download_to(
        self, url: str, part: Path, progress: Callable[[int, int], None] | None, what: str,
        idempotent: bool,
    ) -> None:  # fmt: skip
        attempts = self._retry.max_retries + 1 if idempotent else 1
        for attempt in range(attempts):
            call = Call("GET", url, what, kind="stream", idempotent=idempotent,
                        auth=self._same_origin(url))  # fmt: skip
            response = await self._send(call)
            length = response.headers.get("content-length", "")
            total = int(length) if length.isdigit() else 0  # 0: unknown
            sent = 0
            try:
                with part.open("wb") as fh:
                    async for chunk in response.aiter_bytes(1024 * 1024):
                        await asyncio.to_thread(fh.write, chunk)
                        sent += len(chunk)
                        if progress is not None:
                            progress(sent, total)
                return
            except httpx.TransportError as exc:
                if attempt + 1 >= attempts:
                    raise self._transport_error(call, exc) from exc
                await self._retry.sleep(self._retry.backoff(attempt + 1))
            finally:
                await response.aclose()
