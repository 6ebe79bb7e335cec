"""The token (and the local secret) never appear in a repr, a str, a log line or an error."""

from __future__ import annotations

import logging
import pickle
import socket

import httpx
import pytest

from nemowidgets.api import NemoClient, NemoError, RetryPolicy
from nemowidgets.api.auth import Secret
from tests.support.cloud_server import CloudState, Fault

PLAIN_TOKEN = "plain-secret-token-XYZ-1234567"  # does not look like nmv_...: only exact redaction
LOCAL_SECRET = "kernel-only-secret-abc987"


def exception_texts(exc: BaseException) -> list[str]:
    """Everything an exception can show, through its whole cause/context chain."""
    texts = []
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        texts += [str(exc), repr(exc), repr(exc.args)]
        if isinstance(exc, NemoError):
            texts += [exc.message, exc.hint, repr(exc.details)]
        exc = exc.__cause__ or exc.__context__  # type: ignore[assignment]
    return texts


async def collect_failures(client: NemoClient, cloud: CloudState, token: str) -> list[str]:
    texts: list[str] = []
    faults = [
        ("credits", Fault(status=200, code=1001, message=f"token {token} expired"), 2),
        ("credits", Fault(status=500, message=f"crash while checking Bearer {token}"), 3),
        ("credits", Fault(status=429, message=f"slow {token}", headers={"Retry-After": "9999"}), 1),
        ("credits", Fault(status=200, code=2001, message=f"no credits for {token}"), 1),
        ("credits", Fault(status=200, envelope="text", message=f"<html>{token}</html>"), 1),
        ("credits", Fault(drop=True), 3),
    ]
    for endpoint, fault, times in faults:
        cloud.inject(endpoint, fault, times=times)
        with pytest.raises(NemoError) as info:
            await client.credits()
        texts += exception_texts(info.value)
    return texts


@pytest.mark.anyio
@pytest.mark.parametrize("mode", ["own", "anonymous"])
async def test_token_never_shows(
    cloud: CloudState, caplog: pytest.LogCaptureFixture, mode: str
) -> None:
    caplog.set_level(logging.DEBUG)  # root, httpx and httpcore all at DEBUG
    for name in ("httpx", "httpcore", "nemowidgets"):
        logging.getLogger(name).setLevel(logging.DEBUG)
    if mode == "own":
        cloud.token = PLAIN_TOKEN
        kw = {"token": PLAIN_TOKEN}
    else:
        cloud.local_secret = LOCAL_SECRET
        kw = {"local_secret": LOCAL_SECRET}
    policy = RetryPolicy(base=0.0, cap=0.0)
    client = NemoClient(cloud.base_url, retry=policy, **kw)
    texts: list[str] = []
    try:
        if mode == "anonymous":
            info = await client.anonymous_token()
            texts += [repr(info), str(info)]
        sid = cloud.add_session()
        texts += [repr(await client.credits()), repr(await client.state(sid))]
        token = PLAIN_TOKEN if mode == "own" else next(iter(cloud.issued))
        texts += await collect_failures(client, cloud, token)
        texts += [repr(client), str(client), repr(vars(client)), repr(client._token)]
    finally:
        await client.aclose()
    port = socket.socket()
    port.bind(("127.0.0.1", 0))
    dead = NemoClient(f"http://127.0.0.1:{port.getsockname()[1]}", retry=policy, **kw)
    port.close()
    with pytest.raises(NemoError) as info:
        await dead.credits()
    texts += exception_texts(info.value)
    await dead.aclose()
    everything = "\n".join(texts) + "\n" + caplog.text
    assert "HTTP Request" in caplog.text  # the httpx loggers really were captured
    assert everything.count("***") >= 5  # the server echoed the token; we redacted it
    for secret in [PLAIN_TOKEN, LOCAL_SECRET, *cloud.issued]:
        assert secret not in everything


def test_secret_wrapper_hides_itself() -> None:
    secret = Secret("nmv_usr_abcdef")
    assert repr(secret) == "Secret('***')"
    assert str(secret) == "***"
    assert f"{secret}" == "***"
    assert secret.reveal() == "nmv_usr_abcdef"
    assert secret == Secret("nmv_usr_abcdef")
    with pytest.raises(TypeError, match="cannot be pickled"):
        pickle.dumps(secret)


def test_headers_built_for_requests_hide_the_token_too() -> None:
    """httpx's own Headers repr masks Authorization, so a logged request shows no token."""
    headers = httpx.Headers({"Authorization": f"Bearer {PLAIN_TOKEN}"})
    assert PLAIN_TOKEN not in repr(headers)
