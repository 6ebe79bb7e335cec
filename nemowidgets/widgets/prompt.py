"""PromptBox: a textarea, Send, Cancel, and example prompts as chips.

The prompt goes to ``session.asend`` on the Session's thread, which routes it
(export / credits / status / upload are done by the client, anything else goes
to the agent), so a click returns at once.  While a turn runs the box is
disabled and Cancel is enabled; the box follows the Session's events, so a
prompt sent from code (``session.send(...)``) disables it too.

Ctrl/Cmd+Enter
--------------
ipywidgets has no key events on a ``Textarea`` (its view stops keydown
propagation and only syncs ``value``), and only ``Text`` sends a "submit" on
Enter - a single line.  So the box ships a small progressive enhancement,
delivered as the value of a standard ``ipywidgets.HTML`` (no custom frontend:
ipywidgets renders HTML values as ``innerHTML``, where an ``<img onerror>``
runs once per page): capture-phase listeners on ``window`` that, on
Ctrl/Cmd+Enter in a ``.nemo-prompt`` textarea or a click on its ``.nemo-send``
button, append :data:`SEND_MARK` (an invisible separator) to the text and
commit it.  The kernel sends when the value ends with the mark.  Why not just
click the button: the frontend holds back model updates while one is in
flight, but a click is a separate message that can overtake them - the kernel
would send the text as it was a few keystrokes ago (seen in JupyterLab).  The
mark travels *in* the value, so the text sent is exactly the text typed.
Where the script cannot run (a strict CSP), Send still works the plain way and
is the next stop of the Tab key (Tab, then Enter).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

import ipywidgets as W

from nemowidgets.widgets._base import CSS, SessionWidget, guard, linkify

if TYPE_CHECKING:  # pragma: no cover
    from concurrent.futures import Future

    from nemowidgets.session import Session

__all__ = ["EXAMPLES", "SEND_MARK", "PromptBox"]

#: Example prompts shown as chips; a click puts one in the textarea.
EXAMPLES: tuple[str, ...] = (
    "Turn my photos into a smooth video slideshow with transitions and music",
    "Fit the slideshow to the music",
    "Use fade through black transitions",
    "Make it 9:16 for Reels",
    "Add the title 'Our summer' at the start",
    "Set the music volume to 60%",
    "Undo",
)

#: Appended to the text by the page's hook to mean "send this" (see the module docstring).
SEND_MARK = "\u2063"

#: The Ctrl/Cmd+Enter and Send hook (see the module docstring). Constant text: no user data.
KEY_HOOK = (
    "<img src='data:,' alt='' style='display:none' onerror=\""
    "if(!window.__nemoPromptHook){window.__nemoPromptHook=1;"
    "var mark=function(b){var s=b&&b.querySelector('.nemo-send'),"
    "t=b&&b.querySelector('.nemo-prompt textarea');"
    "if(!s||!t||s.disabled||t.disabled||!t.value.trim())return false;"
    "t.value+='\\u2063';t.dispatchEvent(new Event('change',{bubbles:true}));return true;};"
    "window.addEventListener('keydown',function(e){var p=e.target.closest&&"
    "e.target.closest('.nemo-prompt');if(!p||e.key!=='Enter'||!(e.ctrlKey||e.metaKey))return;"
    "e.preventDefault();e.stopPropagation();mark(p.closest('.nemo-promptbox'));},true);"
    "window.addEventListener('click',function(e){"
    "var s=e.target.closest&&e.target.closest('.nemo-send');"
    "if(s&&mark(s.closest('.nemo-promptbox'))){e.preventDefault();e.stopPropagation();}},true);}"
    '">'
)


class PromptBox(SessionWidget):
    """Type a request; Send (or Ctrl/Cmd+Enter) runs it through the Session.

    ``examples``: the chips to offer (default :data:`EXAMPLES`; ``()`` for none).
    """

    _kinds: ClassVar[tuple[str, ...]] = ("busy", "turn_started", "turn_finished", "closed")
    _css_class = "nemo-promptbox"

    def __init__(
        self, session: Session, *, examples: tuple[str, ...] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(session, **kwargs)
        self._turn_running = False
        self._pending = False  # clicked, not yet started: no double sends
        self._closed_session = False
        self._updating = False  # guard: our own writes of the textarea
        self._text = W.Textarea(
            placeholder="Describe your video, e.g. “turn my photos into a slideshow with music”"
            " — Ctrl+Enter sends",
            description="Prompt",
            rows=3,
            continuous_update=True,
            layout=W.Layout(width="100%"),
        )
        self._text.add_class("nemo-prompt")
        self._text.observe(self._on_text, names="value")
        self._send_button = W.Button(
            description="Send",
            button_style="primary",
            icon="paper-plane",
            tooltip="Send the prompt (Ctrl+Enter)",
            layout=W.Layout(width="auto", flex="none"),
        )
        self._send_button.add_class("nemo-send")
        self._send_button.on_click(lambda _: self.send())
        self._cancel = W.Button(
            description="Cancel",
            icon="stop",
            disabled=True,
            tooltip="Stop the agent's running turn",
            layout=W.Layout(width="auto", flex="none"),
        )
        self._cancel.add_class("nemo-cancel")
        self._cancel.on_click(lambda _: self.cancel())
        self._note = W.HTML(layout=W.Layout(width="100%"))
        self._note.add_class("nemo-prompt-note")
        self._chips = [self._chip(text) for text in (EXAMPLES if examples is None else examples)]
        chips = W.HBox(self._chips, layout=W.Layout(flex_flow="row wrap", width="100%"))
        chips.add_class("nemo-chips")
        self.children = (
            W.HTML(CSS + KEY_HOOK),
            self._text,
            W.HBox(
                [self._send_button, self._cancel, self._note], layout=W.Layout(align_items="center")
            ),
            W.Label("Examples (click to edit, then send):") if self._chips else W.HTML(),
            chips,
        )
        self._bind()

    def _chip(self, text: str) -> W.Button:
        chip = W.Button(
            description=text,
            tooltip=f"Put “{text}” in the prompt box",
            layout=W.Layout(width="auto", margin="2px"),
        )
        chip.add_class("nemo-chip")
        chip.on_click(lambda _: self._use_example(text))
        return chip

    # -- public ----------------------------------------------------------------------
    @property
    def value(self) -> str:
        """The text in the box."""
        return str(self._text.value)

    @value.setter
    def value(self, text: str) -> None:
        self._text.value = text

    def send(self) -> Future[Any] | None:
        """Send the box's text (what the Send button does); ``None`` if nothing was sent."""
        text = self._text.value.strip()
        if not text:
            self._say("Type a prompt first, or click an example below.")
            return None
        if self._turn_running or self._pending:
            self._say("Wait for the current turn to finish, or press Cancel.")
            return None
        self._pending = True
        self._say("")
        self._text.value = ""
        self._update_controls()
        try:
            future = self._session.submit(self._session.asend(text))
        except RuntimeError as exc:  # the Session is closed
            self._pending = False
            self._text.value = text
            self._say(str(exc), error=True)
            self._update_controls()
            return None
        future.add_done_callback(lambda f: self._sent(f, text))
        return future

    def cancel(self) -> None:
        """Cancel the running turn: what the Cancel button does.

        The button is enabled only while a turn runs: a render has its own Cancel
        beside the Export button, so each running job has one Cancel.
        """
        self._session.cancel()
        self._say("Cancelling…")

    # -- internals -------------------------------------------------------------------
    def _on_text(self, change: dict[str, Any]) -> None:
        """The page's hook marked the text "send this" (Ctrl/Cmd+Enter or Send)."""
        text = change["new"]
        if self._updating or not text.endswith(SEND_MARK):
            return
        with guard(self):
            self._text.value = text.rstrip(SEND_MARK)
        self.send()

    def _use_example(self, text: str) -> None:
        self._text.value = text
        self._text.focus()

    def _say(self, text: str, *, error: bool = False) -> None:
        cls = "nemo-error-text" if error else "nemo-muted"
        self._note.value = f"<span class='{cls}'>{linkify(text)}</span>" if text else ""

    def _sent(self, future: Future[Any], text: str) -> None:
        """The turn's future is done (Session thread): unlock; give the text back on failure."""
        self._pending = False
        exc = None if future.cancelled() else future.exception()
        if exc is not None and type(exc).__name__ != "CancelledByUser":
            if not self._text.value:
                self._text.value = text  # not lost: fix the problem and press Send again
            message = getattr(exc, "message", None) or str(exc)
            hint = getattr(exc, "hint", "") or ""
            self._say(
                f"Not sent: {message} {hint}".strip() + " (your prompt is back in the box)",
                error=True,
            )
        self._update_controls()

    def _update_controls(self) -> None:
        locked = self._turn_running or self._pending or self._closed_session
        self._text.disabled = locked
        self._send_button.disabled = locked
        for chip in self._chips:
            chip.disabled = locked
        self._cancel.disabled = self._closed_session or not self._turn_running

    def _sync(self) -> None:
        self._closed_session = bool(getattr(self._session, "closed", False))
        self._turn_running = getattr(self._session, "busy_what", None) == "turn"
        self._update_controls()

    # -- events (Session thread) ------------------------------------------------------
    def _on_busy(self, data: dict[str, Any]) -> None:
        if not data.get("busy"):
            self._turn_running = False
            if self._note.value and "Cancelling" in self._note.value:
                self._say("")
        self._update_controls()

    def _on_turn_started(self, data: dict[str, Any]) -> None:
        self._turn_running = True
        self._pending = False
        self._update_controls()

    def _on_turn_finished(self, data: dict[str, Any]) -> None:
        self._turn_running = False
        self._update_controls()

    def _on_closed(self, data: dict[str, Any]) -> None:
        self._closed_session = True
        self._update_controls()
