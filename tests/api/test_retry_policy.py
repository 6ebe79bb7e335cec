"""Retry-After parsing, the backoff curve, and the policies' validation."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from nemowidgets.api.retry import MAX_RETRY_AFTER, RetryPolicy, StreamPolicy, parse_retry_after

NOW = datetime(2015, 10, 21, 7, 28, 0, tzinfo=timezone.utc)

RETRY_AFTER_CASES = [
    # seconds
    ("120", 120.0),
    ("0", 0.0),
    ("1.5", 1.5),
    ("0.25", 0.25),
    ("  30  ", 30.0),
    ("2s", 2.0),
    # milliseconds
    ("1500ms", 1.5),
    ("250 ms", 0.25),
    ("1500MS", 1.5),
    ("0ms", 0.0),
    # HTTP dates: IMF-fixdate, RFC 850, asctime; past -> 0
    ("Wed, 21 Oct 2015 07:28:30 GMT", 30.0),
    ("Wednesday, 21-Oct-15 07:29:00 GMT", 60.0),
    ("Wed Oct 21 07:28:10 2015", 10.0),
    ("Tue, 20 Oct 2015 07:28:00 GMT", 0.0),
    ("Wed, 21 Oct 2015 07:28:00 GMT", 0.0),
    # huge -> capped
    ("99999999", MAX_RETRY_AFTER),
    ("86400000ms", MAX_RETRY_AFTER),
    ("Fri, 01 Jan 2099 00:00:00 GMT", MAX_RETRY_AFTER),
    # negative -> None (not a valid delta-seconds: the caller waits its default)
    ("-5", None),
    ("-1500ms", None),
    ("- 2", None),
    # garbage -> None
    (None, None),
    ("", None),
    ("soon", None),
    ("1e3", None),
    ("nan", None),
    ("inf", None),
    ("12abc", None),
    ("+5", None),
    ("5 minutes", None),
    ("Wed, 31 Feb 2015 07:28:00 GMT", None),
]


@pytest.mark.parametrize(("value", "expected"), RETRY_AFTER_CASES, ids=repr)
def test_parse_retry_after(value: str | None, expected: float | None) -> None:
    got = parse_retry_after(value, now=NOW)
    if expected is None:
        assert got is None
    else:
        assert got == pytest.approx(expected)


def test_the_table_is_big_enough() -> None:
    assert len(RETRY_AFTER_CASES) >= 16


def test_dates_default_to_the_current_time() -> None:
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0  # long past


def test_backoff_grows_is_capped_and_jittered() -> None:
    low = RetryPolicy(base=1.0, cap=5.0, jitter=0.5, random=lambda: 0.0)
    high = RetryPolicy(base=1.0, cap=5.0, jitter=0.5, random=lambda: 1.0)
    none = RetryPolicy(base=1.0, cap=5.0, jitter=0.0)
    assert [none.backoff(n) for n in (1, 2, 3, 4, 5)] == [1.0, 2.0, 4.0, 5.0, 5.0]
    assert [low.backoff(n) for n in (1, 2, 3)] == [0.5, 1.0, 2.0]
    assert [high.backoff(n) for n in (1, 2, 3, 4)] == [1.5, 3.0, 5.0, 5.0]  # never above cap
    real = RetryPolicy(base=1.0, cap=5.0, jitter=0.5)
    samples = {real.backoff(2) for _ in range(50)}
    assert len(samples) > 1
    assert all(1.0 <= s <= 3.0 for s in samples)


@pytest.mark.badinput
@pytest.mark.parametrize("kw", [{"max_retries": -1}, {"jitter": 1.5}, {"base": -1.0}])
def test_retry_policy_refuses_nonsense(kw: dict) -> None:
    with pytest.raises(ValueError, match="must be"):
        RetryPolicy(**kw)


def test_stream_policy_defaults_are_the_protocols() -> None:
    policy = StreamPolicy()
    assert policy.still_working_every == 120
    assert policy.keepalive_timeout == 600
    assert policy.total_timeout == 900
    assert policy.state_poll_intervals == (30, 60, 90, 120, 150)


@pytest.mark.badinput
@pytest.mark.parametrize(
    "kw", [{"still_working_every": 0}, {"keepalive_timeout": -1}, {"state_poll_intervals": (-1,)}]
)
def test_stream_policy_refuses_nonsense(kw: dict) -> None:
    with pytest.raises(ValueError, match="StreamPolicy"):
        StreamPolicy(**kw)
