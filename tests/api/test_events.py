"""The three payload styles -> AgentEvent, and text shown exactly once."""

from __future__ import annotations

import json

import pytest

from nemowidgets.api.errors import MalformedPayloadError
from nemowidgets.api.events import AgentEvent, TextAssembler, is_temporary_issue, parse_payload
from tests.support.sse_scripts import adk, adk_call, adk_error, adk_result, adk_text


def parse(obj: object) -> list[AgentEvent]:
    return parse_payload(obj if isinstance(obj, str) else json.dumps(obj))


def test_adk_text_partial_and_final() -> None:
    assert parse(adk_text("Hel", partial=True)) == [AgentEvent("text", "Hel", partial=True)]
    assert parse(adk_text("Hello")) == [AgentEvent("text", "Hello")]


def test_adk_function_call_and_response() -> None:
    assert parse(adk_call("set_transition", {"type": "wipe"})) == [
        AgentEvent("tool_call", name="set_transition", data={"type": "wipe"})
    ]
    assert parse(adk_result("set_transition", {"ok": True})) == [
        AgentEvent("tool_result", name="set_transition", data={"ok": True})
    ]
    assert parse(adk_result("x", "plain"))[0].data == {"result": "plain"}  # type: ignore[arg-type]


def test_adk_several_parts_keep_their_order() -> None:
    event = adk([{"text": "Making it."}, {"functionCall": {"name": "make", "args": {}}},
                 {"thought": True, "text": "internal reasoning"}])  # fmt: skip
    assert [(e.kind, e.text or e.name) for e in parse(event)] == [
        ("text", "Making it."), ("tool_call", "make")]  # fmt: skip


def test_adk_error_fields() -> None:
    (event,) = parse(adk_error("MODEL_OVERLOADED", "The model is overloaded."))
    expected = AgentEvent("error", "The model is overloaded.", data={"code": "MODEL_OVERLOADED"})
    assert event == expected
    (event,) = parse({"errorCode": "E42"})
    assert event.kind == "error"
    assert "E42" in event.text


def test_adk_event_without_content_is_a_sign_of_life() -> None:
    assert [e.kind for e in parse({"content": None, "actions": {"stateDelta": {"a": 1}}})] == [
        "keepalive"]  # fmt: skip
    assert parse({"author": "x", "turnComplete": True})[0].kind == "keepalive"


def test_typed_events() -> None:
    assert parse({"type": "text", "content": "Hi"}) == [AgentEvent("text", "Hi")]
    assert parse({"type": "tool_call", "name": "trim", "args": {"s": 2}}) == [
        AgentEvent("tool_call", name="trim", data={"s": 2})]  # fmt: skip
    assert parse({"type": "tool_result", "name": "trim", "result": {"ok": 1}}) == [
        AgentEvent("tool_result", name="trim", data={"ok": 1})]  # fmt: skip
    assert parse({"type": "heartbeat"})[0].kind == "keepalive"
    assert parse({"type": "error", "message": "boom"}) == [AgentEvent("error", "boom")]
    assert parse({"type": "brand_new_kind"})[0].kind == "keepalive"  # forward compatible


def test_error_payloads() -> None:
    assert parse({"error": "The agent failed."}) == [AgentEvent("error", "The agent failed.")]
    (event,) = parse({"error": {"message": "quota", "code": 7}})
    assert (event.text, event.data) == ("quota", {"code": 7})
    assert parse({"error": ""})[0].text  # never an empty message


@pytest.mark.parametrize("data", ["", "   ", "\n"])
def test_empty_data_is_a_keepalive(data: str) -> None:
    assert [e.kind for e in parse_payload(data)] == ["keepalive"]


@pytest.mark.badinput
@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ("{not json", "data"),
        ("[1, 2]", "data"),
        ('"a string"', "data"),
        (json.dumps({"content": "text"}), "content"),
        (json.dumps({"content": {"parts": {"text": "x"}}}), "content.parts"),
        (json.dumps({"content": {"parts": ["x"]}}), "content.parts[0]"),
        (json.dumps({"content": {"parts": [{"text": 5}]}}), "content.parts[0].text"),
        (json.dumps(adk([{"functionCall": {"args": {}}}])), "content.parts[0].functionCall.name"),
        (json.dumps(adk([{"functionCall": {"name": "f", "args": [1]}}])),
         "content.parts[0].functionCall.args"),
        (json.dumps(adk([{"text": "ok"}, {"functionResponse": "x"}])),
         "content.parts[1].functionResponse"),
        (json.dumps({"type": "text", "content": {"a": 1}}), "content"),
        (json.dumps({"type": "tool_call", "args": {}}), "name"),
        (json.dumps({"type": "tool_call", "name": "f", "args": "x"}), "args"),
    ],
)  # fmt: skip
def test_malformed_payloads_name_the_field(payload: str, field: str) -> None:
    with pytest.raises(MalformedPayloadError) as info:
        parse_payload(payload)
    assert info.value.details["field"] == field
    assert f"'{field}'" in str(info.value)


# -- TextAssembler --------------------------------------------------------------------------


def feed_all(events: list[AgentEvent]) -> tuple[list[AgentEvent], str]:
    assembler = TextAssembler()
    shown = [s for e in events if (s := assembler.feed(e)) is not None]
    return shown, assembler.text


def test_partials_then_identical_final_are_shown_once() -> None:
    shown, text = feed_all(
        [
            AgentEvent("text", "Hel", partial=True),
            AgentEvent("text", "lo.", partial=True),
            AgentEvent("text", "Hello."),
        ]
    )
    assert [e.text for e in shown] == ["Hel", "lo."]
    assert text == "Hello."


def test_final_longer_than_partials_shows_only_the_tail() -> None:
    shown, text = feed_all([AgentEvent("text", "Hel", partial=True), AgentEvent("text", "Hello.")])
    assert [e.text for e in shown] == ["Hel", "lo."]
    assert text == "Hello."


def test_final_that_differs_replaces_the_partials() -> None:
    shown, text = feed_all([AgentEvent("text", "Draft", partial=True), AgentEvent("text", "Done.")])
    assert shown[-1].text == "Done."
    assert shown[-1].data == {"replaces_partial": True}
    assert text == "Done."


def test_two_messages_in_one_turn() -> None:
    shown, text = feed_all([
        AgentEvent("text", "A", partial=True), AgentEvent("text", "A"),
        AgentEvent("tool_call", name="x"),
        AgentEvent("text", "B", partial=True), AgentEvent("text", "B"),
        AgentEvent("text", " C"),
    ])  # fmt: skip
    assert [(e.kind, e.text) for e in shown] == [("text", "A"), ("tool_call", ""), ("text", "B"),
                                                 ("text", " C")]  # fmt: skip
    assert text == "AB C"


def test_trailing_temporary_issue_is_dropped_after_a_reply() -> None:
    boiler = "I encountered a temporary issue. Please try again."
    shown, text = feed_all([AgentEvent("text", "Added a title."), AgentEvent("text", boiler),
                            AgentEvent("error", boiler)])  # fmt: skip
    assert [e.text for e in shown] == ["Added a title."]
    assert text == "Added a title."


def test_temporary_issue_alone_is_shown() -> None:
    boiler = "I encountered a temporary issue."
    assert [e.kind for e in feed_all([AgentEvent("error", boiler)])[0]] == ["error"]
    assert [e.text for e in feed_all([AgentEvent("text", boiler)])[0]] == [boiler]
    assert is_temporary_issue("  i ENCOUNTERED a temporary issue, sorry")
    assert not is_temporary_issue("Done. I encountered a temporary issue earlier.")
