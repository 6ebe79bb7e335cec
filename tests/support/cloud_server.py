"""A protocol-accurate stand-in for the NemoVideo CLOUD, served on loopback for tests.

Not our local backend: this plays the vendor's server as docs/protocol.md describes
it, including the variants the local backend never emits (``msg`` instead of
``message``, render answers wrapped or bare, ``outputUrl``/``output_url``,
cancel answering nothing), so the client is tested against every shape.

Every knob lives on :class:`CloudState` (``server.state``), reset per test:

* ``inject(endpoint, Fault(...), times=n)`` makes the next ``n`` calls of an
  endpoint fail: any HTTP status, protocol code, envelope, ``Retry-After``, or a
  connection dropped mid-answer; ``expire_tokens()`` revokes every issued token;
* ``sse_script`` is what ``/run_sse`` plays (see ``sse_scripts``);
* render knobs pick the poll envelope, the URL key, the steps, a failure, a
  broken output URL, a duplicate id on the first create;
* ``requests`` records every call (endpoint, method, path, headers, body size),
  ``count(endpoint)`` counts them, ``prompts`` lists the prompts received.

Uploads are parsed as a stream and *discarded* while counting bytes and hashing,
so a 500 MB upload costs the test process no memory and no disk.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import secrets
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from nemowidgets import protocol
from tests.support import sse_scripts
from tests.support.cloud_state import (
    OWN_TOKEN,
    RENDER_ENDPOINTS,
    SKILL_HEADERS,
    CloudState,
    Fault,
    Recorded,
)
from tests.support.multipart_sink import drain, parse_multipart

__all__ = [
    "OWN_TOKEN", "CloudServer", "CloudState", "Fault", "Recorded", "create_app", "serve_cloud",
    "start_cloud",
]  # fmt: skip


def _output_bytes(size: int) -> bytes:
    head = b"\x00\x00\x00\x20ftypisom\x00\x00\x02\x00isomiso2avc1mp41"
    return head + bytes(i % 251 for i in range(max(size - len(head), 0)))


class _Drop:
    """An ASGI answer that starts, sends half a body, then breaks the connection."""

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", b"application/json"),
                                (b"content-length", b"200")]})  # fmt: skip
        await send({"type": "http.response.body", "body": b'{"code": 0, "da', "more_body": True})
        raise ConnectionAbortedError("injected connection drop (expected in tests)")


def create_app(state: CloudState | None = None) -> Starlette:
    st = state or CloudState()

    def envelope_error(
        endpoint: str, status: int, code: int | None, message: str, style: str = "auto",
        headers: dict[str, str] | None = None,
    ) -> Response:  # fmt: skip
        if style == "auto":
            style = "success" if endpoint in RENDER_ENDPOINTS else "code"
        if style == "text":
            return Response(message, status, headers=headers, media_type="text/plain")
        if style == "success":
            body: dict[str, Any] = {"success": False, "error": message}
            if code is not None:
                body["code"] = code
        else:
            body = {"code": code if code is not None else -1, st.error_key: message, "data": None}
        return JSONResponse(body, status, headers=headers)

    def ok(data: Any) -> JSONResponse:
        return JSONResponse({"code": 0, "data": data, st.error_key: "success"})

    async def enter(request: Request, endpoint: str, *, auth: bool = True) -> Response | None:
        headers = {k.lower(): v for k, v in request.headers.items()}
        st.requests.append(Recorded(endpoint, request.method, request.url.path, headers))
        queue = st.faults.get(endpoint)
        if queue:
            fault = queue.popleft()
            await drain(request)
            if fault.delay:
                await asyncio.sleep(fault.delay)
            if fault.drop:
                return _Drop()  # type: ignore[return-value]
            return envelope_error(endpoint, fault.status, fault.code, fault.message,
                                  fault.envelope, fault.headers)  # fmt: skip
        if auth:
            value = headers.get("authorization", "")
            token = value.removeprefix("Bearer ").strip() if value.startswith("Bearer ") else ""
            if token != st.token and token not in st.issued:
                await drain(request)
                return envelope_error(endpoint, 401, 1001, "token invalid or expired")
        return None

    def user_of(request: Request) -> str:
        token = request.headers.get("authorization", "").removeprefix("Bearer ").strip()
        return st.issued.get(token, "usr_registered")

    async def token(request: Request) -> Response:
        if (early := await enter(request, "token", auth=False)) is not None:
            return early
        client_id = request.headers.get(protocol.HEADER_CLIENT_ID)
        if not client_id:
            return JSONResponse({"code": -1, st.error_key: "X-Client-Id required"}, 400)
        if st.local_secret is not None and request.headers.get(
            protocol.HEADER_LOCAL_SECRET) != st.local_secret:  # fmt: skip
            return envelope_error("token", 401, 1001, "local secret required")
        user = st.users.setdefault(client_id, f"anon_{secrets.token_hex(4)}")
        issued = f"nmv_usr_{secrets.token_hex(12)}"
        st.issued[issued] = user
        return ok({"token": issued, "user_id": user, "expires_at": "2030-01-01T00:00:00Z",
                   "credits": protocol.DEFAULT_CREDITS})  # fmt: skip

    async def create_session(request: Request) -> Response:
        if (early := await enter(request, "session")) is not None:
            return early
        body = await request.json()
        if body.get("task_name") != "project" or not isinstance(body.get("language"), str):
            return envelope_error("session", 400, -1, "task_name and language required")
        sid = str(7301234567890123456789 + len(st.sessions))
        st.add_session(sid)
        return ok({"task_id": f"task_{len(st.sessions)}",
                   "session_id": int(sid) if st.numeric_session_id else sid,
                   "user_id": user_of(request)})  # fmt: skip

    async def credits(request: Request) -> Response:
        return await enter(request, "credits") or ok(st.credits)

    async def state_(request: Request) -> Response:
        if (early := await enter(request, "state")) is not None:
            return early
        sid = request.path_params["sid"]
        if sid not in st.sessions:
            return envelope_error("state", 200, 1002, f"session {sid} not found")
        return ok({"session_id": sid, "task_id": st.sessions[sid]["task_id"],
                   "state": {"draft": st.sessions[sid]["draft"], "video_infos": [],
                             "canvas_config": {"width": 1920, "height": 1080, "aspect": "16:9"},
                             "video_analyses": [], "generated_media": []}})  # fmt: skip

    async def upload(request: Request) -> Response:
        if (early := await enter(request, "upload")) is not None:
            return early
        sid = request.path_params["sid"]
        if sid not in st.sessions:
            await drain(request)
            return envelope_error("upload", 200, 1002, f"session {sid} not found")
        ctype = request.headers.get("content-type", "")
        if ctype.startswith("application/json"):
            body = await request.json()
            if body.get("source_type") != "url" or not isinstance(body.get("urls"), list):
                return envelope_error("upload", 400, -1, "urls and source_type=url required")
            files = [{"filename": u.rsplit("/", 1)[-1], "size": 0, "head": b"", "hash": None,
                      "url": u} for u in body["urls"]]  # fmt: skip
        else:
            files = await parse_multipart(request, ctype)
        st.uploads.append({"session_id": sid, "files": files})
        out = []
        for i, f in enumerate(files):
            kind = protocol.media_kind(f["filename"])
            if kind is None:
                return envelope_error("upload", 200, 4001, f"{f['filename']}: unsupported format")
            if f["size"] > protocol.MAX_UPLOAD_BYTES:
                return envelope_error("upload", 200, 4002, f"{f['filename']}: over 500 MB")
            out.append({"filename": f["filename"], "file_type": kind,
                        "cdn_url": f.get("url") or f"{st.base_url}/media/{sid}_{i}",
                        "duration": None if kind == "image" else 3.0,
                        "width": None if kind == "audio" else 320,
                        "height": None if kind == "audio" else 240,
                        "fps": 30.0 if kind == "video" else None, "hash": f["hash"],
                        "vendor_extra": "kept"})  # fmt: skip
        return ok({"files": out, "session_state_applied": True})

    async def run_sse(request: Request) -> Response:
        if (early := await enter(request, "run_sse")) is not None:
            return early
        body = await request.json()
        parts = (body.get("new_message") or {}).get("parts") or [{}]
        if body.get("app_name") != protocol.APP_NAME or body.get("user_id") != "me" or not \
                isinstance(parts[0].get("text"), str):  # fmt: skip
            return envelope_error("run_sse", 400, -1, "not an ADK run_sse request")
        if body.get("session_id") not in st.sessions:
            return envelope_error("run_sse", 200, 1002, "session not found")
        st.prompts.append(parts[0]["text"])
        script = list(st.sse_script)

        async def play() -> Any:
            st.open_streams += 1
            try:
                for item in script:
                    if isinstance(item, float | int):
                        await asyncio.sleep(item)
                    elif item == sse_scripts.DROP:
                        raise ConnectionAbortedError("injected stream drop (expected in tests)")
                    else:
                        yield item
            finally:
                st.open_streams -= 1

        return StreamingResponse(play(), media_type="text/event-stream",
                                 headers={"Cache-Control": "no-store"})  # fmt: skip

    async def render(request: Request) -> Response:
        if (early := await enter(request, "render")) is not None:
            return early
        if st.export_blocked or any(not request.headers.get(h) for h in SKILL_HEADERS):
            return envelope_error("render", 402, None, "export requires a registered plan")
        body = await request.json()
        rid, sid, draft = body.get("id"), body.get("sessionId"), body.get("draft")
        output = body.get("output") or {}
        if not (isinstance(rid, str) and rid.startswith("render_")):
            return envelope_error("render", 400, None, "id must look like render_<unique>")
        if sid not in st.sessions:
            return envelope_error("render", 200, 1002, f"session {sid} not found")
        if output.get("format") != "mp4" or output.get("quality") not in protocol.RENDER_QUALITIES:
            return envelope_error("render", 400, None, "output must be mp4 high|preview")
        tracks = draft.get("t") if isinstance(draft, dict) else None
        if not isinstance(tracks, list) or not any(t.get("sg") for t in tracks):
            return envelope_error("render", 400, None, "draft has no segments")
        if rid in st.renders or st.duplicate_render_once:
            st.duplicate_render_once = False
            return envelope_error("render", 409, None, f"render id {rid} already exists")
        st.renders[rid] = {"id": rid, "session": sid, "draft": draft, "step": 0,
                           "quality": output["quality"], "cancelled": False}  # fmt: skip
        return JSONResponse({"success": True, "data": {"id": rid, "status": "pending",
                                                       "progress": 0}})  # fmt: skip

    def job_view(job: dict[str, Any]) -> dict[str, Any]:
        if job["cancelled"]:
            return {"id": job["id"], "status": "cancelled", "progress": 0}
        status, progress = st.render_steps[min(job["step"], len(st.render_steps) - 1)]
        view: dict[str, Any] = {"id": job["id"], "status": status, "progress": progress}
        if status == "completed":
            origin = st.output_origin or st.base_url
            url = f"{origin}/outputs/{job['id']}.mp4"
            if st.render_url_key == "output.url":
                view["output"] = {"url": url, "format": "mp4"}
            else:
                view[st.render_url_key] = url
        if status == "failed":
            view["error"] = st.render_error
        return view

    def render_answer(view: dict[str, Any]) -> JSONResponse:
        if st.render_envelope == "bare":
            return JSONResponse(view)
        if st.render_envelope == "code":
            return JSONResponse({"code": 0, "data": view, st.error_key: "ok"})
        return JSONResponse({"success": True, "data": view})

    async def poll(request: Request) -> Response:
        if (early := await enter(request, "poll")) is not None:
            return early
        job = st.renders.get(request.path_params["rid"])
        if job is None:
            return envelope_error("poll", 404, None, "render not found")
        view = job_view(job)
        job["step"] += 1
        return render_answer(view)

    async def cancel(request: Request) -> Response:
        if (early := await enter(request, "cancel")) is not None:
            return early
        job = st.renders.get(request.path_params["rid"])
        if job is None:
            return envelope_error("cancel", 404, None, "render not found")
        job["cancelled"] = True
        if st.cancel_answer == "empty":
            return JSONResponse({"success": True})
        return render_answer(job_view(job))

    def finished(rid: str) -> dict[str, Any] | None:
        job = st.renders.get(rid)
        if job is None or job["cancelled"] or job_view(job)["status"] != "completed":
            return None
        return job

    async def download(request: Request) -> Response:
        if (early := await enter(request, "download")) is not None:
            return early
        if finished(request.path_params["rid"]) is None:
            return envelope_error("download", 404, None, "no finished render with that id")
        return Response(st.output_bytes or _output_bytes(st.output_size), media_type="video/mp4")

    async def output(request: Request) -> Response:
        if (early := await enter(request, "output", auth=False)) is not None:
            return early
        if st.render_url_broken:
            return Response("<html>gateway error</html>", 502, media_type="text/html")
        if finished(request.path_params["rid"]) is None:
            return Response("not found", 404)
        return Response(st.output_bytes or _output_bytes(st.output_size), media_type="video/mp4")

    async def media(request: Request) -> Response:
        if (early := await enter(request, "media")) is not None:
            return early
        body = b"\xff\xd8\xff" + request.path_params["key"].encode()
        return Response(body, media_type="image/jpeg")

    async def external(request: Request) -> Response:  # a third-party host, e.g. a CDN
        if (early := await enter(request, "external", auth=False)) is not None:
            return early
        return Response(b"external:" + request.path_params["key"].encode())

    routes = [
        Route(protocol.ANONYMOUS_TOKEN_PATH, token, methods=["POST"]),
        Route(protocol.CREATE_SESSION_PATH, create_session, methods=["POST"]),
        Route(protocol.CREDITS_PATH, credits, methods=["GET"]),
        Route(protocol.STATE_PATH.format(session_id="{sid}"), state_, methods=["GET"]),
        Route(protocol.UPLOAD_PATH.format(session_id="{sid}"), upload, methods=["POST"]),
        Route(protocol.RUN_SSE_PATH, run_sse, methods=["POST"]),
        Route(protocol.RENDER_PATH, render, methods=["POST"]),
        Route(protocol.RENDER_POLL_PATH.format(render_id="{rid}"), poll, methods=["GET"]),
        Route(protocol.RENDER_CANCEL_PATH.format(render_id="{rid}"), cancel, methods=["POST"]),
        Route(protocol.RENDER_DOWNLOAD_PATH.format(render_id="{rid}"), download, methods=["GET"]),
        Route("/outputs/{rid}.mp4", output, methods=["GET"]),
        Route("/media/{key}", media, methods=["GET"]),
        Route("/external/{key}", external, methods=["GET"]),
    ]
    app = Starlette(routes=routes)
    app.state.cloud = st
    return app


@dataclass
class CloudServer:
    """A running stand-in: ``url``, ``state`` (the knobs), ``stop()``."""

    url: str
    state: CloudState
    server: uvicorn.Server = field(repr=False)
    thread: threading.Thread = field(repr=False)

    def reset(self, **knobs: Any) -> CloudState:
        """A fresh state (same server), with ``knobs`` set."""
        fresh = CloudState(base_url=self.url, **knobs)
        self.state.__dict__.update(fresh.__dict__)
        return self.state

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


def start_cloud(state: CloudState | None = None) -> CloudServer:
    """Start a stand-in on 127.0.0.1 and a free port, in a daemon thread."""
    st = state or CloudState()
    config = uvicorn.Config(
        create_app(st),
        host="127.0.0.1",
        port=0,
        log_level="critical",
        access_log=False,
        lifespan="off",
        timeout_graceful_shutdown=1,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="cloud-stand-in", daemon=True)
    thread.start()
    for _ in range(500):
        if server.started:
            break
        thread.join(0.01)
    if not server.started:
        raise RuntimeError("the cloud stand-in did not start")
    port = server.servers[0].sockets[0].getsockname()[1]
    st.base_url = f"http://127.0.0.1:{port}"
    return CloudServer(st.base_url, st, server, thread)


@contextlib.contextmanager
def serve_cloud(state: CloudState | None = None) -> Iterator[CloudServer]:
    """``with serve_cloud() as cloud: ...`` (``cloud.url``, ``cloud.state``)."""
    running = start_cloud(state)
    try:
        yield running
    finally:
        running.stop()


def dumps(obj: Any) -> str:  # pragma: no cover - convenience for debugging tests
    return json.dumps(obj, indent=2, default=str)
