"""The transport under :class:`~nemowidgets.api.client.NemoClient`: auth, retries, error mapping.

Every call of the client is one :class:`Call` given to :meth:`HTTPCore._send`,
which adds the attribution headers and the bearer token (fetching an anonymous
token on first use), maps both envelopes and the HTTP status to the errors
tree (``envelope.py``), and applies the retry policy (``retry.py``):

* 1001 on an anonymous token: fetch a new one (same client id), retry once;
* 429: wait ``Retry-After`` (else 30 s), retry once;
* transport errors and 5xx: up to 2 retries with jittered backoff, for idempotent
  calls only (GETs, cancel, the token call); a connection that never opened is
  retried for any call but ``/run_sse``;
* ``POST /run_sse`` is never re-sent once it reached the server: a prompt costs
  credits, and a second one would be charged twice.

The token lives in a :class:`~nemowidgets.api.auth.Secret` and is put on each
request here and nowhere else; server text quoted in errors is redacted.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import httpx

import nemowidgets.protocol as protocol
from nemowidgets.api import errors as E
from nemowidgets.api.auth import (
    Secret,
    attribution_headers,
    load_client_id,
    resolve_base_url,
    resolve_token,
)
from nemowidgets.api.envelope import Context, parse_token, unwrap
from nemowidgets.api.models import TokenInfo
from nemowidgets.api.multipart import MultipartBody, Progress
from nemowidgets.api.retry import RetryPolicy

__all__ = ["Call", "HTTPCore", "origin"]

log = logging.getLogger("nemowidgets.api.client")
_NOTHING_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


@dataclass
class Call:
    method: str
    url: str
    what: str  # names the call in messages: "credits", "upload to session 42"
    kind: str = "json"  # json | sse | stream | bytes
    json: Any = None
    body: MultipartBody | None = None
    progress: Progress | None = None
    headers: dict[str, str] = field(default_factory=dict)
    idempotent: bool = False
    auth: bool = True
    token_call: bool = False
    draft: bool = False  # the body carries a draft: a 4000 refusal is a DraftError


class _Transport(Exception):
    def __init__(self, exc: httpx.TransportError) -> None:
        self.exc = exc


class HTTPCore:
    """One ``httpx.AsyncClient`` to one server, with the protocol's auth and retry rules."""

    def __init__(
        self,
        base_url: str | None = None,
        token: str | None = None,
        *,
        client_id: str | None = None,
        local_secret: str | None = None,
        retry: RetryPolicy | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        platform: str | None = None,
        timeout: float = 60.0,
    ) -> None:
        self.base_url = resolve_base_url(base_url)
        self._token = resolve_token(token)
        self.is_anonymous = self._token is None
        self.user_id: str | None = None
        self._client_id = client_id
        self._secret = Secret(local_secret) if local_secret else None
        self._retry = retry or RetryPolicy()
        self._timeout = timeout
        self._token_lock = asyncio.Lock()
        self._http = httpx.AsyncClient(
            base_url=self.base_url,
            headers=attribution_headers(platform),
            transport=transport,
            timeout=httpx.Timeout(timeout, connect=min(timeout, 20.0)),
        )

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(base_url={self.base_url!r}, anonymous={self.is_anonymous}, "
            f"user_id={self.user_id!r})"
        )

    @property
    def client_id(self) -> str:
        """The persisted client id (loaded on first use)."""
        if self._client_id is None:
            self._client_id = load_client_id()
        return self._client_id

    async def __aenter__(self) -> HTTPCore:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    async def anonymous_token(self) -> TokenInfo:
        """Fetch an anonymous token for this client id and use it from now on."""
        headers = {protocol.HEADER_CLIENT_ID: self.client_id}
        if self._secret is not None:
            headers[protocol.HEADER_LOCAL_SECRET] = self._secret.reveal()
        call = Call("POST", protocol.ANONYMOUS_TOKEN_PATH, "anonymous token", headers=headers,
                    idempotent=True, auth=False, token_call=True)  # fmt: skip
        info = parse_token(await self._send(call), self._ctx(call))
        self._token, self.is_anonymous, self.user_id = Secret(info.token), True, info.user_id
        return info

    # -- machinery ---------------------------------------------------------------

    def _path(self, template: str, **ids: str) -> str:
        return template.format(**{k: quote(str(v), safe="") for k, v in ids.items()})

    def _same_origin(self, url: str) -> bool:
        target = self._http.base_url.join(url)
        base = self._http.base_url
        return (target.scheme, target.host, target.port) == (base.scheme, base.host, base.port)

    def _ctx(self, call: Call) -> Context:
        secrets = tuple(s.reveal() for s in (self._token, self._secret) if s is not None)
        host = origin(None, str(self._http.base_url.join(call.url)))
        return Context(
            call.what, self.is_anonymous, self.user_id, call.token_call, secrets, host, call.draft
        )

    async def _bearer(self) -> Secret:
        if self._token is None:
            async with self._token_lock:
                if self._token is None:
                    await self.anonymous_token()
        assert self._token is not None
        return self._token

    async def _refresh(self, stale: Secret | None) -> None:
        async with self._token_lock:
            if self._token == stale:  # nobody refreshed it meanwhile
                await self.anonymous_token()

    async def _send(self, call: Call) -> Any:
        """One logical call: attempts, retries and error mapping."""
        policy = self._retry
        failures, refreshed, waited = 0, False, False
        while True:
            token = await self._bearer() if call.auth else None
            try:
                return await self._attempt(call, token)
            except _Transport as t:
                nothing_sent = isinstance(t.exc, _NOTHING_SENT) and call.kind != "sse"
                if (call.idempotent or nothing_sent) and failures < policy.max_retries:
                    failures += 1
                    await policy.sleep(policy.backoff(failures))
                    continue
                raise self._transport_error(call, t.exc) from t.exc
            except E.AuthError:
                if not (call.auth and self.is_anonymous) or refreshed:
                    raise
                refreshed = True
                await self._refresh(token)
            except E.RateLimitedError as err:
                wait = policy.rate_limit_wait if err.retry_after is None else err.retry_after
                if waited or wait > policy.max_rate_limit_wait:
                    raise
                waited = True
                await policy.sleep(wait)
            except E.ServerError:
                if not call.idempotent or failures >= policy.max_retries:
                    raise
                failures += 1
                await policy.sleep(policy.backoff(failures))

    async def _attempt(self, call: Call, token: Secret | None) -> Any:
        headers = dict(call.headers)
        if token is not None:
            headers["Authorization"] = f"Bearer {token.reveal()}"
        content = None
        if call.body is not None:
            content = call.body.stream(call.progress)
            headers["Content-Type"] = call.body.content_type
            headers["Content-Length"] = str(call.body.length)
        timeout: Any = httpx.USE_CLIENT_DEFAULT
        if call.kind == "sse":
            headers.update({"Accept": "text/event-stream", "Cache-Control": "no-store"})
            timeout = httpx.Timeout(self._timeout, read=None)  # the watchdog keeps time
        request = self._http.build_request(call.method, call.url, json=call.json, content=content,
                                           headers=headers, timeout=timeout)  # fmt: skip
        try:
            response = await self._http.send(
                request, stream=True, follow_redirects=call.kind in ("bytes", "stream")
            )
        except httpx.TransportError as exc:
            raise _Transport(exc) from exc
        log.debug("%s %s -> HTTP %s", call.method, request.url.path, response.status_code)
        streaming = call.kind in ("sse", "stream") and response.is_success
        if streaming and (call.kind != "sse" or _is_event_stream(response)):
            return response
        try:
            raw = await response.aread()
        except httpx.TransportError as exc:
            raise _Transport(exc) from exc
        finally:
            await response.aclose()
        if call.kind == "bytes" and response.is_success:
            return raw
        text = raw.decode("utf-8", "replace")
        data = unwrap(response.status_code, text, response.headers, self._ctx(call))
        if call.kind == "sse":
            raise E.MalformedPayloadError(
                f"{call.what}: expected an event stream, got "
                f"{response.headers.get('content-type', 'no content type')}.",
                field="content-type",
            )
        return data

    def _transport_error(self, call: Call, exc: httpx.TransportError) -> E.TransportError:
        """The error for a failed connection: never reached, or broken once it was open.

        "Cannot reach" only when nothing was sent (the connection never opened): a
        connection that broke mid-request reached the server, and an upload cut off
        that way can simply be sent again (the server keeps no unfinished request).
        """
        host = origin(exc, self.base_url)
        if isinstance(exc, httpx.TimeoutException):
            why = f"no answer within {self._timeout:g} s ({type(exc).__name__})"
        else:
            why = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        secrets = tuple(s.reveal() for s in (self._token, self._secret) if s is not None)
        hint = None
        if isinstance(exc, _NOTHING_SENT):
            text = f"Cannot reach {host} ({call.what}): {why}."
        elif call.body is not None:
            text = f"The connection to {host} broke in the middle of the {call.what}: {why}."
            hint = (
                "The server keeps no unfinished upload, so it can be retried: once the "
                "server is running again, upload the files again."
            )
        else:
            text = f"The connection to {host} broke during the {call.what}: {why}."
        return E.TransportError(E.redact(text, *secrets), hint=hint, host=host)


def _is_event_stream(response: httpx.Response) -> bool:
    return "text/event-stream" in response.headers.get("content-type", "").lower()


def origin(exc: httpx.TransportError | None, default: str) -> str:
    """``scheme://host[:port]`` of the request that failed (or of ``default``)."""
    try:
        url = exc.request.url if exc is not None else httpx.URL(default)
    except RuntimeError:
        url = httpx.URL(default)
    port = f":{url.port}" if url.port else ""
    return f"{url.scheme}://{url.host}{port}"
