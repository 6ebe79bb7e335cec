"""A deliberately dumb client: plain httpx, no checks, no retries, hand-built bodies.

The real client refuses bad input before sending it; to prove the *server*
refuses it too (a second line of defence, e.g. against another program on the
machine), the reliability tests send it raw with this.  Multipart bodies are
built by hand so that a file name can carry anything (NUL, ``../``, bytes that
are not UTF-8), which no well-behaved client would send.
"""

from __future__ import annotations

import json
import secrets
import uuid
from typing import Any

import httpx

from nemowidgets import protocol as P

__all__ = ["ATTRIBUTION", "RawAPI", "multipart"]

ATTRIBUTION = {
    P.HEADER_SKILL_SOURCE: "nemowidgets-tests",
    P.HEADER_SKILL_VERSION: "0",
    P.HEADER_SKILL_PLATFORM: "unknown",
}


def multipart(files: list[tuple[bytes | str, bytes]]) -> tuple[bytes, str]:
    """A multipart/form-data body with one ``files`` part per ``(filename, data)``."""
    boundary = "nemo" + secrets.token_hex(12)
    body = bytearray()
    for name, data in files:
        raw_name = name.encode("utf-8", "surrogateescape") if isinstance(name, str) else name
        body += f"--{boundary}\r\n".encode()
        body += b'Content-Disposition: form-data; name="files"; filename="' + raw_name + b'"\r\n'
        body += b"Content-Type: application/octet-stream\r\n\r\n"
        body += data + b"\r\n"
    body += f"--{boundary}--\r\n".encode()
    return bytes(body), f"multipart/form-data; boundary={boundary}"


class RawAPI:
    """One user on a local server: a token from the kernel's secret, one session."""

    def __init__(
        self,
        base_url: str,
        secret: str | None,
        *,
        client_id: str | None = None,
        token: str | None = None,
        timeout: float = 60.0,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.http = httpx.Client(base_url=self.base_url, timeout=timeout, trust_env=False)
        if token is None:
            headers = {P.HEADER_CLIENT_ID: client_id or str(uuid.uuid4())}
            if secret:
                headers[P.HEADER_LOCAL_SECRET] = secret
            r = self.http.post(P.ANONYMOUS_TOKEN_PATH, headers=headers)
            r.raise_for_status()
            token = r.json()["data"]["token"]
            self.user_id = r.json()["data"]["user_id"]
        self._token = token
        self.http.headers["Authorization"] = f"Bearer {token}"
        self.session_id = self.new_session()

    def __repr__(self) -> str:  # never the token
        return f"RawAPI({self.base_url}, session={self.session_id})"

    def new_session(self) -> str:
        r = self.http.post(P.CREATE_SESSION_PATH, json={"task_name": "project", "language": "en"})
        r.raise_for_status()
        return str(r.json()["data"]["session_id"])

    # -- calls answering (status, envelope) ----------------------------------
    def upload(
        self, files: list[tuple[bytes | str, bytes]], session_id: str | None = None
    ) -> httpx.Response:
        body, ctype = multipart(files)
        path = P.UPLOAD_PATH.format(session_id=session_id or self.session_id)
        return self.http.post(path, content=body, headers={"Content-Type": ctype})

    def upload_file(
        self, path: Any, session_id: str | None = None, chunk: int = 1 << 20
    ) -> httpx.Response:
        """Stream one file from disk as a multipart body (a 501 MB file is never in memory)."""
        from pathlib import Path

        path = Path(path)
        boundary = "nemo" + secrets.token_hex(12)
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="files"; '
            f'filename="{path.name}"\r\nContent-Type: application/octet-stream\r\n\r\n'
        ).encode()
        tail = f"\r\n--{boundary}--\r\n".encode()

        def body():
            yield head
            with path.open("rb") as fh:
                while block := fh.read(chunk):
                    yield block
            yield tail

        size = len(head) + path.stat().st_size + len(tail)
        url = P.UPLOAD_PATH.format(session_id=session_id or self.session_id)
        return self.http.post(
            url,
            content=body(),
            headers={
                "Content-Type": f"multipart/form-data; boundary={boundary}",
                "Content-Length": str(size),
            },
        )

    def upload_urls(self, urls: list[str], session_id: str | None = None) -> httpx.Response:
        path = P.UPLOAD_PATH.format(session_id=session_id or self.session_id)
        return self.http.post(path, json={"urls": urls, "source_type": "url"})

    def state(self, session_id: str | None = None) -> httpx.Response:
        return self.http.get(P.STATE_PATH.format(session_id=session_id or self.session_id))

    def credits(self) -> httpx.Response:
        return self.http.get(P.CREDITS_PATH)

    def export(
        self, draft: Any, session_id: str | None = None, quality: str = "preview"
    ) -> httpx.Response:
        body = {
            "id": f"render_{uuid.uuid4().hex}",
            "sessionId": session_id or self.session_id,
            "draft": draft,
            "output": {"format": "mp4", "quality": quality},
        }
        return self.http.post(
            P.RENDER_PATH,
            content=json.dumps(body),
            headers={"Content-Type": "application/json", **ATTRIBUTION},
        )

    def poll(self, render_id: str) -> httpx.Response:
        return self.http.get(P.RENDER_POLL_PATH.format(render_id=render_id))

    def prompt(self, text: str, session_id: str | None = None) -> httpx.Response:
        body = {
            "app_name": P.APP_NAME,
            "user_id": "me",
            "session_id": session_id or self.session_id,
            "new_message": {"parts": [{"text": text}]},
        }
        # json.dumps escapes to ASCII, so even text UTF-8 cannot hold (a lone surrogate) is sent
        headers = {"Accept": "text/event-stream", "Content-Type": "application/json"}
        return self.http.post(P.RUN_SSE_PATH, content=json.dumps(body), headers=headers)

    def stats(self, session_id: str | None = None) -> dict[str, Any]:
        r = self.http.get("/_local/stats", params={"session_id": session_id or self.session_id})
        r.raise_for_status()
        return r.json()["data"]

    def close(self) -> None:
        self.http.close()


def error_of(response: httpx.Response) -> tuple[int | None, str]:
    """``(code, message)`` of either envelope."""
    try:
        body = response.json()
    except ValueError:
        return None, response.text
    if "success" in body:
        return body.get("code"), str(body.get("error") or "")
    return body.get("code"), str(body.get("message") or body.get("msg") or "")
