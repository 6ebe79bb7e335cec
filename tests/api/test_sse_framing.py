"""SSE framing: WHATWG examples, every split point, every line ending, comments, UTF-8.

The framer is fed real bytes; the client-level cases go through httpx with a
``MockTransport`` whose body arrives in the chunks under test (a socket cannot
be made to cut a stream at an exact byte offset).
"""

from __future__ import annotations

import json

import httpx
import pytest
from httpx_sse import ServerSentEvent

from nemowidgets.api import NemoClient
from nemowidgets.api.sse import Comment, SSEFramer

LINE_ENDINGS = {"LF": "\n", "CR": "\r", "CRLF": "\r\n"}


def frames(*chunks: bytes) -> list[tuple[str, str]]:
    """Feed ``chunks`` to one framer; ``("event", data)`` / ``("comment", text)`` in order."""
    framer = SSEFramer()
    out = []
    for chunk in chunks:
        out += framer.feed(chunk)
    out += framer.close()
    return [("comment", f.text) if isinstance(f, Comment) else ("event", f.data) for f in out]


def events(stream: str) -> list[ServerSentEvent]:
    framer = SSEFramer()
    out = framer.feed(stream.encode()) + framer.close()
    return [f for f in out if isinstance(f, ServerSentEvent)]


# -- the four examples of the WHATWG spec (9.2.6 Interpreting an event stream) --------------


def test_whatwg_example_1_multiline_data() -> None:
    got = events("data: YHOO\ndata: +2\ndata: 10\n\n")
    assert [e.data for e in got] == ["YHOO\n+2\n10"]


def test_whatwg_example_2_comment_ids_and_leading_space() -> None:
    stream = (
        ": test stream\n\ndata: first event\nid: 1\n\n"
        "data:second event\nid\n\ndata:  third event\n\n"
    )
    got = events(stream)
    assert [(e.data, e.id) for e in got] == [
        ("first event", "1"),
        ("second event", ""),  # the empty id resets the last event id
        (" third event", ""),  # only one leading space is stripped
    ]
    assert frames(stream.encode())[0] == ("comment", "test stream")


def test_whatwg_example_3_empty_data_and_unterminated_block() -> None:
    got = events("data\n\ndata\ndata\n\ndata:")
    assert [e.data for e in got] == ["", "\n"]  # the last block has no blank line: dropped


def test_whatwg_example_4_space_after_colon_is_optional() -> None:
    got = events("data:test\n\ndata: test\n\n")
    assert [e.data for e in got] == ["test", "test"]


# -- splits and line endings ----------------------------------------------------------------

STREAM_TEMPLATE = (
    ": ping{n}"
    'data: {{"type": "text", "content": "Caf\u00e9 \u2014 \u4e2d\u6587 \U0001f389"}}{n}{n}'
    "data: first line{n}data: second line{n}{n}"
    "data:{n}{n}"
    ":{n}"
    "event: ignored{n}id: 7{n}data: last{n}{n}"
)
EXPECTED = [
    ("comment", "ping"),
    ("event", '{"type": "text", "content": "Caf\u00e9 \u2014 \u4e2d\u6587 \U0001f389"}'),
    ("event", "first line\nsecond line"),
    ("event", ""),
    ("comment", ""),
    ("event", "last"),
]


@pytest.mark.parametrize("eol", LINE_ENDINGS.values(), ids=LINE_ENDINGS.keys())
def test_whole_stream_parses(eol: str) -> None:
    assert frames(STREAM_TEMPLATE.format(n=eol).encode()) == EXPECTED


@pytest.mark.parametrize("eol", LINE_ENDINGS.values(), ids=LINE_ENDINGS.keys())
def test_split_at_every_byte_offset(eol: str) -> None:
    raw = STREAM_TEMPLATE.format(n=eol).encode()
    for cut in range(1, len(raw)):
        assert frames(raw[:cut], raw[cut:]) == EXPECTED, f"split at byte {cut}"


@pytest.mark.parametrize("eol", LINE_ENDINGS.values(), ids=LINE_ENDINGS.keys())
def test_one_byte_at_a_time(eol: str) -> None:
    raw = STREAM_TEMPLATE.format(n=eol).encode()
    assert frames(*(raw[i : i + 1] for i in range(len(raw)))) == EXPECTED


@pytest.mark.parametrize("eol", LINE_ENDINGS.values(), ids=LINE_ENDINGS.keys())
def test_two_cuts_everywhere(eol: str) -> None:
    raw = 'data: {"a": "\u00e9"}EE: kaEdata: bEE'.replace("E", eol).encode()
    expected = frames(raw)
    assert expected == [("event", '{"a": "\u00e9"}'), ("comment", "ka"), ("event", "b")]
    for i in range(1, len(raw)):
        for j in range(i, len(raw)):
            assert frames(raw[:i], raw[i:j], raw[j:]) == expected, (i, j)


def test_a_lone_cr_dispatches_at_once() -> None:
    """A live stream ending its lines in CR must not wait for the next chunk."""
    framer = SSEFramer()
    assert [f.data for f in framer.feed(b"data: now\r\r")] == ["now"]
    assert framer.feed(b"\ndata: x\n\n")[0].data == "x"  # the LF pairs with the CR: no extra line


def test_crlf_split_between_cr_and_lf_makes_no_extra_blank_line() -> None:
    framer = SSEFramer()
    assert framer.feed(b"data: a\r") == []
    assert framer.feed(b"\ndata: b\r\n\r\n")[0].data == "a\nb"


def test_bom_is_dropped_only_at_the_start() -> None:
    assert frames(b"\xef\xbb\xbfdata: x\n\n") == [("event", "x")]
    assert frames(b"\xef", b"\xbb\xbfdata: x\n\n") == [("event", "x")]
    assert frames(b"data: \xef\xbb\xbfx\n\n") == [("event", "\ufeffx")]


def test_blocks_without_data_are_not_events() -> None:
    assert frames(b"id: 3\n\nevent: add\n\nretry: 100\n\n\n\n") == []


def test_invalid_utf8_is_replaced_not_fatal() -> None:
    assert frames(b"data: caf\xe9\n\n") == [("event", "caf\ufffd")]


def test_a_comment_without_space_and_unknown_fields() -> None:
    assert frames(b":ping\nfoo: bar\ndata: x\n\n") == [("comment", "ping"), ("event", "x")]


# -- the same through the client, chunked by the transport ----------------------------------


class Chunks(httpx.AsyncByteStream):
    def __init__(self, chunks: list[bytes]) -> None:
        self.chunks = chunks

    async def __aiter__(self):  # type: ignore[override]
        for chunk in self.chunks:
            yield chunk


def sse_transport(chunks: list[bytes]) -> httpx.MockTransport:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("anonymous-token"):
            token = {"token": "nmv_usr_x", "user_id": "anon_1"}
            return httpx.Response(200, json={"code": 0, "data": token})
        assert json.loads(request.content)["new_message"]["parts"][0]["text"] == "hi"
        return httpx.Response(200, headers={"content-type": "text/event-stream"},
                              stream=Chunks(chunks))  # fmt: skip

    return httpx.MockTransport(handler)


@pytest.mark.anyio
@pytest.mark.parametrize("eol", LINE_ENDINGS.values(), ids=LINE_ENDINGS.keys())
async def test_client_stream_byte_by_byte(eol: str) -> None:
    stream = (
        f": ping{eol}{eol}"
        f'data: {{"content": {{"parts": [{{"text": "Hel"}}]}}, "partial": true}}{eol}{eol}'
        f'data: {{"content": {{"parts": [{{"text": "lo \u2728"}}]}}, "partial": true}}{eol}{eol}'
        f"data:{eol}{eol}"
        f'data: {{"type": "heartbeat"}}{eol}{eol}'
        f'data: {{"content": {{"parts": [{{"text": "Hello \u2728"}}]}}}}{eol}{eol}'
    ).encode()
    chunks = [stream[i : i + 1] for i in range(len(stream))]
    async with NemoClient("http://cloud.test", transport=sse_transport(chunks)) as client:
        got = [(e.kind, e.text) async for e in client.stream("1", "hi")]
    assert got == [("keepalive", ""), ("text", "Hel"), ("text", "lo \u2728"), ("keepalive", ""),
                   ("keepalive", "")]  # fmt: skip
