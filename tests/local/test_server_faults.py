"""Each fault-injection mode triggers (the full fault matrix lives in tests/reliability)."""

from __future__ import annotations

import time

import httpx
import pytest

from nemowidgets import protocol as P
from nemowidgets.local.faults import FaultPlan, plan_from
from tests.support.local_server import RawClient, photo_draft

pytestmark = pytest.mark.fault
pytest.importorskip("nemowidgets.local.agent")


@pytest.fixture
def session(fault_api: RawClient, sample_media) -> str:
    sid = fault_api.new_session()
    fault_api.upload_ok(sid, [sample_media["photo0"], sample_media["photo1"]])
    return sid


def test_plan_parsing_and_errors(monkeypatch) -> None:
    plan = FaultPlan("drop_stream, http_error:2:status=502:path=/api/credits, render_stall:*")
    assert plan.armed["drop_stream"]["times"] == 1
    assert plan.armed["http_error"] | {} == {"times": 2, "status": 502, "path": "/api/credits"}
    assert plan.armed["render_stall"]["times"] is None
    assert plan.take("http_error", path="/api/state/x") is None  # path filter
    assert plan.take("http_error", path="/api/credits/balance/simple")["status"] == 502
    with pytest.raises(ValueError, match="Unknown fault"):
        plan.arm("explode")
    with pytest.raises(ValueError, match="no parameter"):
        plan.arm("drop_stream", status=1)
    monkeypatch.delenv("NEMO_FAULTS", raising=False)
    assert plan_from(None) is None
    monkeypatch.setenv("NEMO_FAULTS", "drop_stream,render_fail")
    assert sorted(plan_from(None).armed) == ["drop_stream", "render_fail"]
    assert plan_from(False) is None


def test_drop_stream_after_the_first_event(fault_server, fault_api, session) -> None:
    fault_server.faults.arm("drop_stream")
    result = fault_api.sse(session, "make a slideshow")
    assert isinstance(result.error, httpx.HTTPError)
    assert len(result.events) == 1
    # The turn was committed before streaming: the state has it; it was received once.
    assert fault_api.state(session)["state"]["draft_version"] == 1
    assert fault_api.stats(session)["prompts"] == 1
    assert fault_server.faults.hits["drop_stream"] == 1
    assert fault_api.sse(session, "make it square").error is None  # one shot


def test_stall_stream_sends_only_keepalives(fault_server, fault_api, session) -> None:
    fault_server.faults.arm("stall_stream", seconds=0.6, interval=0.05)
    start = time.monotonic()
    result = fault_api.sse(session, "make a slideshow")
    assert time.monotonic() - start >= 0.5
    assert result.events == []
    assert result.keepalives >= 5
    assert result.error is None
    assert fault_api.state(session)["state"]["draft_version"] == 1


def test_malformed_event(fault_server, fault_api, session) -> None:
    fault_server.faults.arm("malformed_event")
    result = fault_api.sse(session, "make a slideshow")
    assert len(result.malformed) == 1
    assert result.events
    assert result.events[-1]["turnComplete"] is True


def test_http_error_n_times(fault_server, fault_api) -> None:
    fault_server.faults.arm("http_error", times=2, status=502, path=P.CREDITS_PATH)
    assert fault_api.get(P.CREDITS_PATH).status_code == 502
    r = fault_api.get(P.CREDITS_PATH)
    assert r.status_code == 502
    assert r.json()["code"] == 502
    assert fault_api.new_session()  # other paths unaffected
    assert fault_api.get(P.CREDITS_PATH).status_code == 200
    fault_server.faults.arm("http_error", status=500)
    r = fault_api.get(P.RENDER_POLL_PATH.format(render_id="x"))
    assert r.status_code == 500
    assert r.json()["success"] is False


def test_rate_limit_with_retry_after(fault_server, fault_api) -> None:
    fault_server.faults.arm("rate_limit", retry_after="2")
    r = fault_api.get(P.CREDITS_PATH)
    assert r.status_code == 429
    assert r.headers["retry-after"] == "2"
    assert fault_api.get(P.CREDITS_PATH).status_code == 200


def test_expire_token(fault_server, fault_api, session) -> None:
    fault_server.faults.arm("expire_token")
    r = fault_api.get(P.STATE_PATH.format(session_id=session))
    assert r.status_code == 401
    assert r.json()["code"] == P.ErrorCode.BAD_TOKEN
    assert "expired" in r.json()["message"]
    # Really expired: the old token stays refused; the same client id gets a new one.
    assert fault_api.get(P.CREDITS_PATH).status_code == 401
    fresh = RawClient.anonymous(fault_server, client_id=None)
    assert fresh.get(P.CREDITS_PATH).status_code == 200
    fresh.close()


def test_forget_session(fault_server, fault_api, session) -> None:
    other = fault_api.new_session()
    fault_server.faults.arm("forget_session", session_id=session)
    assert fault_api.get(P.STATE_PATH.format(session_id=other)).status_code == 200
    r = fault_api.get(P.STATE_PATH.format(session_id=session))
    assert r.status_code == 404
    assert r.json()["code"] == P.ErrorCode.SESSION_NOT_FOUND
    assert fault_api.get(P.STATE_PATH.format(session_id=session)).status_code == 404  # stays gone


def test_render_fail(fault_server, fault_api, session) -> None:
    files = fault_api.state(session)["state"]["media"]
    fault_server.faults.arm("render_fail", message="Injected: segment seg_1 (photo0.jpg) failed")
    job = fault_api.data(fault_api.export(session, photo_draft(files)))
    final = fault_api.wait_render(job["id"])
    assert final["status"] == "failed"
    assert "seg_1 (photo0.jpg)" in final["error"]


def test_render_stall_then_cancel(fault_server, fault_api, session) -> None:
    files = fault_api.state(session)["state"]["media"]
    fault_server.faults.arm("render_stall")
    job = fault_api.data(fault_api.export(session, photo_draft(files)))
    time.sleep(0.5)
    polled = fault_api.poll(job["id"])
    assert polled["status"] == "processing"
    assert polled["progress"] == 0
    fault_api.post(P.RENDER_CANCEL_PATH.format(render_id=job["id"]))
    assert fault_api.wait_render(job["id"], timeout=10)["status"] == "cancelled"


def test_faults_endpoint(fault_server, fault_api) -> None:
    r = fault_api.post("/_local/faults", json={"arm": {"http_error": {"times": 1, "status": 503}}})
    assert r.status_code == 200
    assert "http_error" in r.json()["data"]["armed"]
    assert fault_api.get(P.CREDITS_PATH).status_code == 503
    assert fault_api.get("/_local/faults").json()["data"]["hits"] == {"http_error": 1}
    r = fault_api.post("/_local/faults", json={"arm": {"nope": {}}})
    assert r.status_code == 422
    assert "Unknown fault" in r.json()["message"]
    r = httpx.get(fault_server.url + "/_local/faults", trust_env=False)
    assert r.status_code == 401  # token-protected like everything else
    fault_api.post("/_local/faults", json={"arm": {"rate_limit": {}, "drop_stream": {}}})
    fault_api.post("/_local/faults", json={"disarm": ["drop_stream"]})
    assert list(fault_api.get("/_local/faults").json()["data"]["armed"]) == ["rate_limit"]
    fault_api.post("/_local/faults", json={"clear": True})
    assert fault_api.get("/_local/faults").json()["data"]["armed"] == {}
    assert fault_api.get(P.CREDITS_PATH).status_code == 200


def test_env_switch_arms_faults(start_local_server, monkeypatch) -> None:
    monkeypatch.setenv("NEMO_FAULTS", "rate_limit:retry_after=7")
    server = start_local_server()
    r = httpx.post(
        server.url + P.ANONYMOUS_TOKEN_PATH,
        headers={P.HEADER_CLIENT_ID: "c", P.HEADER_LOCAL_SECRET: server.secret},
        trust_env=False,
    )
    assert r.status_code == 429
    assert r.headers["retry-after"] == "7"
    assert server.faults.hits["rate_limit"] == 1


def test_restart_helper_keeps_port_data_and_plan(fault_server, fault_api, session) -> None:
    port, plan = fault_server.port, fault_server.faults
    new = fault_server.restart()
    try:
        assert new.port == port
        assert new.faults is plan
        assert new.secret == fault_server.secret
        assert fault_api.state(session)["session_id"] == session  # same URL, same token
    finally:
        new.stop()
