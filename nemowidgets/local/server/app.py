"""The local backend: a Starlette app speaking the NemoVideo protocol on loopback.

Every endpoint of docs/protocol.md, with its path (from :mod:`nemowidgets.protocol`),
envelope, field names and codes, emitting the first variant wherever the
protocol lists several.  The endpoints live in small modules by concern
(:mod:`.files` uploads and media, :mod:`.turns` the agent stream,
:mod:`.renders` render jobs); this module assembles them, and guards them.

Security, in order of the request:

* :class:`Gate` (ASGI middleware) runs before routing, so *every* path, even
  an unknown one, needs ``Authorization: Bearer <token>``: the server's fixed
  token (compared with ``hmac.compare_digest``) or one it issued.  Missing or
  wrong: code 1001, HTTP 401.  The one exception is the anonymous-token call,
  which checks its own credential (below).
* ``POST /api/auth/anonymous-token`` hands out tokens only against the
  kernel's secret (``X-Nemo-Local-Secret``) when the server has one (the
  in-process server always does); on a server without a secret (``nemowidgets
  serve``) only against the server's token.  So no other process on the machine
  obtains a token by reaching the port.  The same ``X-Client-Id`` always maps to
  the same ``anon_…`` user, so a restarted kernel finds its sessions again.
* Sessions, media and renders are looked up by id *and* owner; another user's
  ids answer exactly like unknown ones (1002 / 404).
* No static directories (so no listings) and no CORS headers.

Local extras (not in the protocol): ``GET /_local/stats`` (per session: prompts
received, draft versions, media, renders; for the caller's sessions only),
``POST /_local/edits`` and ``POST /_local/draft`` (hand edits and setting the
draft, :mod:`.edit_routes`) and,
only when fault injection is on, ``GET``/``POST /_local/faults``.
Credits: local prompts and exports are free; the balance is always 100/0/100.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import Any

import anyio.to_thread
from starlette.applications import Starlette
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from nemowidgets.local.faults import FaultPlan, plan_from
from nemowidgets.local.server import edit_routes, media_routes, render_routes, turn_routes
from nemowidgets.local.server.context import (
    BAD_REQUEST,
    ApiError,
    Context,
    base_url,
    ctx_of,
    error_response,
    ok,
    read_json,
    storage_error,
)
from nemowidgets.local.server.state_payload import iso, state_payload
from nemowidgets.local.store import Store
from nemowidgets.local.store.jobs import JobRunner
from nemowidgets.local.store.leftovers import sweep_parts
from nemowidgets.local.store.owners import owner_alive
from nemowidgets.local.store.placement import Placement
from nemowidgets.local.store.space import StorageFull, full_after, is_disk_full
from nemowidgets.protocol import (
    ANONYMOUS_TOKEN_PATH,
    CREATE_SESSION_PATH,
    CREDITS_PATH,
    DEFAULT_CREDITS,
    HEADER_CLIENT_ID,
    HEADER_LOCAL_SECRET,
    LOCAL_DRAFT_PATH,
    LOCAL_EDITS_PATH,
    RENDER_CANCEL_PATH,
    RENDER_DOWNLOAD_PATH,
    RENDER_PATH,
    RENDER_POLL_PATH,
    RUN_SSE_PATH,
    STATE_PATH,
    UPLOAD_PATH,
    ErrorCode,
)

__all__ = ["TOKEN_TTL", "create_app"]

log = logging.getLogger(__name__)

TOKEN_TTL = 7 * 24 * 3600.0  # seconds, as the cloud's tokens
_BAD_TOKEN = "Missing or invalid token: send 'Authorization: Bearer <token>' with a valid token."


def _bearer(value: str | None) -> str | None:
    if not value:
        return None
    scheme, _, token = value.partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


class Gate:
    """Auth and fault injection, before routing (pure ASGI: no body is read here)."""

    def __init__(self, app: ASGIApp, ctx: Context) -> None:
        self.app = app
        self.ctx = ctx

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        faults = self.ctx.faults
        if faults is not None and faults.armed and not path.startswith("/_local/"):
            response = _http_fault(faults, path)
            if response is not None:
                await response(scope, receive, send)
                return
        if path == ANONYMOUS_TOKEN_PATH:
            await self.app(scope, receive, send)
            return
        token = _bearer(Headers(scope=scope).get("authorization"))
        user_id = self.ctx.authenticate(token)
        if user_id is None or (
            faults is not None
            and faults.armed
            and not path.startswith("/_local/")
            and self._expire(faults, token)
        ):
            err = ApiError(
                ErrorCode.BAD_TOKEN,
                _BAD_TOKEN
                if user_id is None
                else "The token has expired: get a new one (anonymous tokens last 7 days).",
                headers={"WWW-Authenticate": "Bearer"},
            )
            await error_response(path, err)(scope, receive, send)
            return
        scope.setdefault("state", {})["user_id"] = user_id
        await self.app(scope, receive, send)

    def _expire(self, faults: FaultPlan, token: str | None) -> bool:
        if faults.take("expire_token") is None:
            return False
        if token and not self.ctx.is_fixed_token(token):
            self.ctx.store.expire_token(token)  # really expired: the client must get a new one
        return True


def _http_fault(faults: FaultPlan, path: str) -> Response | None:
    fired = faults.take("rate_limit", path=path)
    if fired is not None:
        err = ApiError(
            429,
            "Too many requests (injected fault): wait and retry.",
            429,
            headers={"Retry-After": str(fired["retry_after"])},
        )
        return error_response(path, err)
    fired = faults.take("http_error", path=path)
    if fired is not None:
        status = int(fired["status"])
        return error_response(
            path, ApiError(status, f"Server error {status} (injected fault).", status)
        )
    return None


# -- endpoints -------------------------------------------------------------------
async def anonymous_token(request: Request) -> Response:
    ctx = ctx_of(request)
    if ctx.secret:
        if not ctx.secret_ok(request.headers.get(HEADER_LOCAL_SECRET)):
            raise ApiError(
                ErrorCode.BAD_TOKEN,
                "This local server gives tokens only to the "
                f"kernel that started it (header {HEADER_LOCAL_SECRET}).",
                headers={"WWW-Authenticate": "Bearer"},
            )
    elif not ctx.is_fixed_token(_bearer(request.headers.get("authorization"))):
        raise ApiError(
            ErrorCode.BAD_TOKEN,
            "This server gives tokens only to callers that "
            "present its token (nemowidgets serve --token / NEMO_TOKEN).",
            headers={"WWW-Authenticate": "Bearer"},
        )
    client_id = (request.headers.get(HEADER_CLIENT_ID) or "").strip()
    if not client_id or len(client_id) > 200:
        raise ApiError(
            400,
            f"The {HEADER_CLIENT_ID} header is required (a UUID the client keeps and reuses).",
            400,
        )
    user_id = ctx.store.user_for_client(client_id)
    token, expires = ctx.store.issue_token(user_id, TOKEN_TTL)
    return ok(
        {
            "token": token,
            "user_id": user_id,
            "expires_at": iso(expires),
            "credits": DEFAULT_CREDITS,
        }
    )


async def create_session(request: Request) -> Response:
    ctx = ctx_of(request)
    body = await read_json(request)
    language = body.get("language", "en")
    if not isinstance(language, str) or len(language) > 16:
        raise ApiError(BAD_REQUEST, "'language' must be a short language code such as 'en'.")
    return ok(ctx.store.create_session(request.state.user_id, language))


async def credits(request: Request) -> Response:
    """Local prompts and exports cost nothing: the balance never moves."""
    return ok({"available": DEFAULT_CREDITS, "frozen": 0, "total": DEFAULT_CREDITS})


async def state(request: Request) -> Response:
    ctx = ctx_of(request)
    session = ctx.require_session(request, request.path_params["session_id"])
    return ok(state_payload(ctx, session, base_url(request)))


async def stats(request: Request) -> Response:
    """Per session of the caller: prompts received, draft versions, media and renders."""
    ctx = ctx_of(request)
    sessions = ctx.store.user_stats(request.state.user_id)
    wanted = request.query_params.get("session_id")
    if wanted is not None:
        if wanted not in sessions:
            raise ApiError(ErrorCode.SESSION_NOT_FOUND, f"Session {wanted[:40]} was not found.")
        return ok({"session_id": wanted, **sessions[wanted]})
    return ok({"sessions": sessions})


async def faults_endpoint(request: Request) -> Response:
    """``GET`` the plan; ``POST {"arm": {name: {times, ...}}, "disarm": [...], "clear": bool}``."""
    plan = ctx_of(request).faults
    if plan is None:  # the route exists only with a plan; this keeps the types honest
        raise ApiError(404, "Not found.", 404)
    if request.method == "POST":
        body = await read_json(request)
        try:
            if body.get("clear"):
                plan.clear()
            for name in body.get("disarm") or []:
                plan.disarm(str(name))
            for name, params in (body.get("arm") or {}).items():
                plan.arm(str(name), **(params or {}))
        except (TypeError, ValueError) as exc:
            raise ApiError(BAD_REQUEST, str(exc)) from None
    return ok(plan.snapshot())


# -- errors ----------------------------------------------------------------------
async def _api_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    return error_response(request.url.path, exc)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    message = "Not found." if exc.status_code == 404 else str(exc.detail)
    return error_response(request.url.path, ApiError(exc.status_code, message, exc.status_code))


async def _storage_full(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StorageFull)
    log.warning("%s %s: %s", request.method, request.url.path, exc.message)
    return error_response(request.url.path, storage_error(exc))


async def _crash(request: Request, exc: Exception) -> Response:
    if is_disk_full(exc):  # a write anywhere ran out of room: say so, without a traceback
        full = full_after(ctx_of(request).data_dir, "this request")
        return await _storage_full(request, full)
    log.exception("error in %s %s", request.method, request.url.path, exc_info=exc)
    return error_response(
        request.url.path,
        ApiError(
            500, f"Internal server error ({type(exc).__name__}); the server log has details.", 500
        ),
    )


# -- the app ---------------------------------------------------------------------
def create_app(
    data_dir: Path | str,
    *,
    token: str | None = None,
    secret: str | None = None,
    faults: FaultPlan | str | bool | dict[str, Any] | None = None,
    allow_private_urls: bool = False,
    render_workers: int = 1,
    keepalive: float = 5.0,
    cluster: Any = None,
    auto_cluster: bool = True,
) -> Starlette:
    """The local server's ASGI app on ``data_dir``.

    ``token``: a fixed bearer token that every client may use (``nemowidgets serve``).
    ``secret``: the kernel's secret for the anonymous-token call; when neither is
    given a random secret is made (read it from ``app.state.ctx.secret``).
    ``faults``: a :class:`FaultPlan`, a ``NEMO_FAULTS`` spec, ``True`` (on, nothing
    armed), or ``None`` to follow ``NEMO_FAULTS``.  ``allow_private_urls`` lets URL
    uploads reach loopback/private hosts (tests only).  ``keepalive``: seconds
    between ``: ping`` comments on ``/run_sse``.  ``cluster``: where batch, variant
    and chunked renders go (a scheduler address or a ``distributed.Client``; default
    ``NEMO_DASK_SCHEDULER``, else a LocalCluster started when needed); with
    ``auto_cluster`` a render that overlaps another goes there too
    (docs/parallel-rendering.md).
    """
    store = Store(Path(data_dir))
    plan = plan_from(faults)
    if not token and not secret:
        secret = "nwl_sec_" + secrets.token_urlsafe(32)
    ctx = Context(
        store=store,
        jobs=JobRunner(
            store,
            workers=render_workers,
            faults=plan,
            placement=Placement(cluster, auto=auto_cluster),
        ),
        token=token or None,
        secret=secret or None,
        faults=plan,
        allow_private_urls=allow_private_urls,
        keepalive=keepalive,
    )
    app = Starlette(
        routes=_routes(plan),
        middleware=[Middleware(Gate, ctx=ctx)],
        exception_handlers={
            ApiError: _api_error,
            StorageFull: _storage_full,
            HTTPException: _http_error,
            Exception: _crash,
        },
        lifespan=_lifespan(ctx),
    )
    app.state.ctx = ctx
    return app


def _lifespan(ctx: Context) -> Callable[[Starlette], AbstractAsyncContextManager[None]]:
    """Start the render workers with the server; stop them when it stops."""

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        ctx.jobs.start()  # from here on, this server's own parts count as alive
        sweep_parts(ctx.data_dir / "tmp", owner_alive)
        try:
            yield
        finally:
            await anyio.to_thread.run_sync(ctx.jobs.shutdown)

    return lifespan


def _routes(plan: FaultPlan | None) -> list[Route]:
    """Every endpoint of the protocol, the local extensions, and the faults switch if on."""
    routes = [
        Route(ANONYMOUS_TOKEN_PATH, anonymous_token, methods=["POST"]),
        Route(CREATE_SESSION_PATH, create_session, methods=["POST"]),
        Route(RUN_SSE_PATH, turn_routes.run_sse, methods=["POST"]),
        Route(UPLOAD_PATH, media_routes.upload, methods=["POST"]),
        Route(CREDITS_PATH, credits, methods=["GET"]),
        Route(STATE_PATH, state, methods=["GET"]),
        Route(RENDER_PATH, render_routes.create_render, methods=["POST"]),
        Route(RENDER_POLL_PATH, render_routes.poll_render, methods=["GET"]),
        Route(RENDER_CANCEL_PATH, render_routes.cancel_render, methods=["POST"]),
        Route(RENDER_DOWNLOAD_PATH, render_routes.download_render, methods=["GET"]),
        Route("/media/{session_id}/{media_id}", media_routes.serve_media, methods=["GET"]),
        Route(
            "/media/{session_id}/{media_id}/thumbnail.jpg",
            media_routes.serve_thumbnail,
            methods=["GET"],
        ),
        Route("/renders/{render_id}.mp4", render_routes.serve_render, methods=["GET"]),
        Route("/_local/stats", stats, methods=["GET"]),
        Route(LOCAL_EDITS_PATH, edit_routes.post_edits, methods=["POST"]),
        Route(LOCAL_DRAFT_PATH, edit_routes.post_draft, methods=["POST"]),
    ]
    if plan is not None:
        routes.append(Route("/_local/faults", faults_endpoint, methods=["GET", "POST"]))
    return routes
