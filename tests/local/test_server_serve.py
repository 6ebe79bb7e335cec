"""`serve` (what `nemowidgets serve` runs): starts, answers with its token, stops on SIGINT."""

from __future__ import annotations

import httpx

from nemowidgets import protocol as P


def test_serve_prints_its_token_once_and_stops_cleanly(serve_process) -> None:
    server = serve_process()
    assert server.url.startswith("http://127.0.0.1:")  # loopback by default
    assert server.token.startswith("nwl_")
    printed = "".join(server.output)
    assert printed.count(server.token) == 1
    ok = httpx.get(
        server.url + P.CREDITS_PATH,
        trust_env=False,
        headers={"Authorization": f"Bearer {server.token}"},
    )
    assert ok.status_code == 200
    assert ok.json()["data"]["available"] == 100
    refused = httpx.get(server.url + P.CREDITS_PATH, trust_env=False)
    assert refused.status_code == 401
    assert server.stop() == 0
    rest = server.process.stdout.read()
    assert "stopped" in rest
    assert "Traceback" not in rest
    assert server.token not in rest


def test_serve_takes_the_token_from_the_environment(serve_process) -> None:
    token = "nwl_env_token_0123456789"
    server = serve_process(env={"NEMO_TOKEN": token})
    assert token not in "".join(server.output)  # given, so not printed
    r = httpx.post(
        server.url + P.CREATE_SESSION_PATH,
        json={"language": "en"},
        trust_env=False,
        headers={"Authorization": f"Bearer {token}"},
    )
    assert r.json()["code"] == 0
    assert server.stop() == 0
