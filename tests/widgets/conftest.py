"""Headless widget testing: a recording comm instead of a kernel, as the widget cookiecutter does.

``mock_comm`` replaces ``comm.create_comm`` (what ipywidgets calls to open a
widget's comm) with a factory of :class:`RecordingComm`, so widgets can be made
without a kernel and every message they would send to the browser is recorded.
A frontend change is simulated with :func:`from_frontend`, which goes through
the widget's real message handler (``set_state`` under the property lock).
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Iterator
from typing import Any

import comm
import pytest
from ipywidgets import Widget

_ids = itertools.count(1)


class RecordingComm:
    """Stands in for a kernel comm: records ``send`` calls (thread-safe)."""

    kernel = "Truthy"
    registry: list[RecordingComm] = []
    _lock = threading.Lock()

    def __init__(self, **kwargs: Any) -> None:
        self.comm_id = f"comm-{next(_ids)}"
        self.open_data = kwargs.get("data")
        self.messages: list[dict[str, Any]] = []
        self.buffers: list[list[Any]] = []
        self.closed = False
        self._handler: Any = None
        with RecordingComm._lock:
            RecordingComm.registry.append(self)

    def open(self, *args: Any, **kwargs: Any) -> None:  # pragma: no cover - unused by ipywidgets 8
        pass

    def on_msg(self, callback: Any) -> None:
        self._handler = callback

    def send(self, data: Any = None, metadata: Any = None, buffers: Any = None) -> None:
        with RecordingComm._lock:
            self.messages.append(data)
            self.buffers.append(list(buffers or []))

    def close(self, *args: Any, **kwargs: Any) -> None:
        self.closed = True


@pytest.fixture(autouse=True)
def mock_comm(monkeypatch: pytest.MonkeyPatch) -> Iterator[type[RecordingComm]]:
    RecordingComm.registry = []
    monkeypatch.setattr(comm, "create_comm", lambda **kwargs: RecordingComm(**kwargs))
    return RecordingComm


def updates(widget: Widget, trait: str | None = None) -> list[dict[str, Any]]:
    """The ``update`` messages ``widget`` sent to the frontend (of ``trait``, if given)."""
    msgs = [m for m in widget.comm.messages if m and m.get("method") == "update"]
    return [m for m in msgs if trait is None or trait in m.get("state", {})]


def from_frontend(
    widget: Widget,
    state: dict[str, Any],
    buffers: list[Any] | None = None,
    buffer_paths: list[list[Any]] | None = None,
) -> None:
    """Deliver a state change as if the browser sent it."""
    data: dict[str, Any] = {"method": "update", "state": state}
    if buffer_paths is not None:
        data["buffer_paths"] = buffer_paths
    widget._handle_msg({"content": {"data": data}, "buffers": buffers or []})


def walk(widget: Any) -> Iterator[Widget]:
    """Every widget in a tree (children, and the widgets inside a FileChooser)."""
    seen: set[int] = set()
    stack = [widget]
    while stack:
        w = stack.pop()
        if not isinstance(w, Widget) or id(w) in seen:
            continue
        seen.add(id(w))
        yield w
        stack.extend(getattr(w, "children", ()) or ())
        stack.extend(v for v in vars(w).values() if isinstance(v, Widget))


def classes(widget: Any) -> set[str]:
    """Every CSS class used in a widget tree."""
    out: set[str] = set()
    for w in walk(widget):
        out.update(getattr(w, "_dom_classes", ()) or ())
    return out


@pytest.fixture
def fake() -> Iterator[Any]:
    """A FAKE Session (pure-UI unit tests only; see fakes.py)."""
    from .fakes import FakeSession

    session = FakeSession()
    yield session
    session.close()


def jpeg_bytes(
    color: tuple[int, int, int] = (200, 30, 30),
    size: tuple[int, int] = (64, 48),
    comment: bytes = b"",
) -> bytes:
    """A small real JPEG (with an optional COM marker, to find its bytes in widget state)."""
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, "JPEG", comment=comment)
    return buffer.getvalue()
