"""StatusBar: connecting -> ready, backend, credits, errors with the action to take."""

from __future__ import annotations

from nemowidgets.api.errors import NoCreditsError
from nemowidgets.api.models import Credits
from nemowidgets.widgets import StatusBar


def test_connecting_then_ready_with_backend_and_credits(fake) -> None:
    fake.backend = "cloud"
    bar = StatusBar(fake)
    fake.settle()
    assert ("connect", None) in fake.calls  # it starts the connection, off the kernel thread
    assert "Connecting…" in bar._line.value
    fake.session_id, fake.connected = "4834082859673944429", True
    fake.emit("connected", backend="cloud", session_id=fake.session_id)
    assert "Ready" in bar._line.value
    assert "cloud backend" in bar._line.value
    text = bar._line.value.split(">", 1)[1]  # what is shown, not the tooltip
    assert "4834082859673944429" not in text  # a number that means nothing to a user
    assert "title='session 4834082859673944429'" in bar._line.value
    fake.balance = Credits(available=97, frozen=3)
    fake.emit("credits", credits=fake.balance)
    assert "97 credits available" in bar._line.value
    assert "3 frozen" in bar._line.value
    assert "nemo-status" in bar._line._dom_classes


def test_local_backend_shows_no_credits_and_no_session_number(fake) -> None:
    bar = StatusBar(fake)
    fake.session_id, fake.connected = "4356519543690354682", True
    fake.emit("connected", backend="local", session_id=fake.session_id)
    fake.balance = Credits(available=100, frozen=0)
    fake.emit("credits", credits=fake.balance)
    assert "local backend" in bar._line.value
    assert "credit" not in bar._line.value
    assert "4356519543690354682" not in bar._line.value.split(">", 1)[1]


def test_no_connect_when_asked_not_to(fake) -> None:
    StatusBar(fake, connect=False)
    fake.settle()
    assert fake.calls == []


def test_busy_state_is_shown_and_cleared(fake) -> None:
    bar = StatusBar(fake, connect=False)
    fake.emit("busy", busy=True, what="export")
    assert "rendering the video" in bar._line.value
    fake.emit("busy", busy=False, what=None)
    assert "rendering" not in bar._line.value


def test_error_shows_message_and_hint_with_link(fake) -> None:
    bar = StatusBar(fake, connect=False)
    err = NoCreditsError(
        "You are out of credits.",
        hint="Register to get more: https://nemovideo.com/register?bind=u_1",
    )
    fake.emit("error", error=err, message=err.message, hint=err.hint)
    value = bar._error.value
    assert "You are out of credits." in value
    assert '<a href="https://nemovideo.com/register?bind=u_1"' in value
    assert "role='alert'" in value
    assert bar._error.layout.display is None  # visible
    fake.emit("turn_started", prompt="again", action="agent")  # a new attempt clears it
    assert bar._error.value == ""
    assert bar._error.layout.display == "none"


def test_error_text_is_escaped(fake) -> None:
    bar = StatusBar(fake, connect=False)
    fake.emit("error", error=None, message="<script>alert(1)</script>", hint="")
    assert "<script>" not in bar._error.value
    assert "&lt;script&gt;" in bar._error.value


def test_dismiss_hides_the_error(fake) -> None:
    bar = StatusBar(fake, connect=False)
    fake.emit("error", error=None, message="Boom", hint="Try again")
    bar._dismiss.click()
    assert bar._error.layout.display == "none"


def test_close_unobserves(fake) -> None:
    bar = StatusBar(fake, connect=False)
    assert fake.observer_count == 1
    line_comm = bar._line.comm
    sent = len(line_comm.messages)
    bar.close()
    assert fake.observer_count == 0
    assert line_comm.closed
    assert bar.comm is None
    fake.emit("credits", credits=Credits(1))
    assert len(line_comm.messages) == sent
