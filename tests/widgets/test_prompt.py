"""PromptBox: send through the Session, disabled while a turn runs, Cancel, chips, Ctrl+Enter."""

from __future__ import annotations

from nemowidgets.api.errors import TransportError
from nemowidgets.widgets import PromptBox
from nemowidgets.widgets.prompt import EXAMPLES, KEY_HOOK, SEND_MARK

from .conftest import from_frontend, updates


def controls(box: PromptBox) -> dict[str, bool]:
    return {
        "text": box._text.disabled,
        "send": box._send_button.disabled,
        "cancel": box._cancel.disabled,
        "chip": box._chips[0].disabled,
    }


def test_send_submits_the_prompt_and_returns_at_once(fake) -> None:
    box = PromptBox(fake)
    fake.gate.clear()  # the turn takes its time
    from_frontend(box._text, {"value": "  make a slideshow  "})  # typed in the browser
    box._send_button.click()  # returns at once: the Session's thread does the work
    assert box._text.value == ""
    assert controls(box)["send"] is True  # no double send before the turn starts
    assert box.send() is None  # a second send is refused meanwhile
    fake.settle(0.05)
    assert fake.calls == [("send", "make a slideshow")]
    fake.gate.set()
    fake.settle(0.05)
    assert controls(box)["send"] is False


def test_disabled_while_a_turn_runs_with_cancel_enabled(fake) -> None:
    box = PromptBox(fake)
    assert controls(box) == {"text": False, "send": False, "cancel": True, "chip": False}
    fake.busy, fake.busy_what = True, "turn"
    fake.emit_many(
        [
            ("busy", {"busy": True, "what": "turn"}),
            ("turn_started", {"prompt": "x", "action": "agent"}),
        ]
    )
    assert controls(box) == {"text": True, "send": True, "cancel": False, "chip": True}
    box._cancel.click()
    assert ("cancel", None) in fake.calls
    fake.busy, fake.busy_what = False, None
    fake.emit_many([("turn_finished", {"turn": None}), ("busy", {"busy": False, "what": None})])
    assert controls(box) == {"text": False, "send": False, "cancel": True, "chip": False}


def test_a_prompt_sent_from_code_disables_the_box_too(fake) -> None:
    box = PromptBox(fake)
    fake.emit("turn_started", prompt="from a cell", action="agent")
    assert box._send_button.disabled
    assert box._text.disabled


def test_cancel_is_for_the_turn_an_export_has_its_own(fake) -> None:
    box = PromptBox(fake)
    fake.busy, fake.busy_what = True, "export"
    fake.emit("busy", busy=True, what="export")
    assert box._cancel.disabled  # the player's Cancel stops the render: one Cancel per job
    assert not box._send_button.disabled  # an export does not block the next prompt
    fake.emit("turn_started", prompt="x", action="agent")
    assert not box._cancel.disabled


def test_empty_prompt_is_not_sent(fake) -> None:
    box = PromptBox(fake)
    box._send_button.click()
    fake.settle(0.05)
    assert not [c for c in fake.calls if c[0] == "send"]
    assert "Type a prompt first" in box._note.value


def test_failed_send_gives_the_prompt_back(fake) -> None:
    fake.send_error = TransportError("Cannot reach the server.", hint="Is it running?")
    box = PromptBox(fake)
    box.value = "add a title"
    future = box.send()
    assert future is not None
    future.exception(timeout=5)
    fake.settle(0.05)
    assert box._text.value == "add a title"
    assert "Cannot reach the server." in box._note.value
    assert "Is it running?" in box._note.value
    assert not box._send_button.disabled


def test_chips_fill_the_textarea_without_sending(fake) -> None:
    box = PromptBox(fake)
    box._chips[0].click()
    assert box._text.value == EXAMPLES[0]
    fake.settle(0.05)
    assert not [c for c in fake.calls if c[0] == "send"]
    assert any(
        m.get("method") == "custom" and m["content"] == {"do": "focus"}
        for m in box._text.comm.messages
    )  # focus moves to the textarea


def test_custom_examples(fake) -> None:
    box = PromptBox(fake, examples=("one", "two"))
    assert [c.description for c in box._chips] == ["one", "two"]
    assert not PromptBox(fake, examples=())._chips


def test_ctrl_enter_hook_targets_the_box_classes(fake) -> None:
    box = PromptBox(fake)
    assert "nemo-promptbox" in box._dom_classes
    assert "nemo-prompt" in box._text._dom_classes
    assert "nemo-send" in box._send_button._dom_classes
    assert KEY_HOOK in box.children[0].value
    for needle in (
        ".nemo-prompt textarea",
        ".nemo-promptbox",
        ".nemo-send",
        "ctrlKey",
        "metaKey",
        "'change'",
        "\\u2063",
        "addEventListener('click'",
    ):
        assert needle in KEY_HOOK
    assert box._send_button.tooltip
    assert box._cancel.tooltip
    assert box._text.description == "Prompt"


def test_the_send_mark_from_the_page_sends_exactly_the_typed_text(fake) -> None:
    """Ctrl+Enter / Send in the browser: the text arrives with SEND_MARK, in one update."""
    box = PromptBox(fake)
    from_frontend(box._text, {"value": "make it 9:16" + SEND_MARK})
    fake.settle(0.05)
    assert fake.calls == [("send", "make it 9:16")]
    assert box._text.value == ""
    assert updates(box._text, "value")[-1]["state"]["value"] == ""  # cleared in the browser


def test_the_send_mark_while_a_turn_runs_keeps_the_text(fake) -> None:
    box = PromptBox(fake)
    fake.emit("turn_started", prompt="first", action="agent")
    from_frontend(box._text, {"value": "second" + SEND_MARK})
    fake.settle(0.05)
    assert fake.calls == []
    assert box._text.value == "second"
