"""TimelineStrip: the draft drawn as it will play, and edited by hand with the mouse.

A custom widget made with anywidget: the frontend is one ES module shipped in
the package (``strip.js``, no build step).  It draws one lane per track on a
time axis (:mod:`._strip_model`): photos with their thumbnails, transitions as
the overlaps they are, Ken Burns and transitions marked, the music's fades and
beats.  On the video lane a user can

* **drag a photo** to another place: one ``move_segment`` edit;
* **drag its right edge** to change its length: one ``set_segment_duration``;
* **click it** to select it: the ``selected`` trait (a segment id), which the
  TimelineTable follows by highlighting its row;
* with the keyboard: Tab to a photo, Alt+←/→ moves it, Shift+←/→ makes it 0.5 s
  shorter or longer, Enter selects it.

Each gesture is sent as one named edit, the same vocabulary as the agent's
prompts, through ``session.submit(session.aedit(...))``: the widget never
blocks and never speaks HTTP.  The edit becomes a new draft version (undoable);
the strip redraws from the Session's ``"draft"`` event.  While an edit runs the
strip is ``busy``; a refused edit puts the strip back and says why (``message``).
"""

from __future__ import annotations

import pathlib
from concurrent.futures import Future
from typing import TYPE_CHECKING, Any

import anywidget
import traitlets as T

from nemowidgets.widgets._base import describe_error
from nemowidgets.widgets._strip_model import strip_model

if TYPE_CHECKING:  # pragma: no cover
    from nemowidgets.api.models import MediaInfo
    from nemowidgets.draft import Draft
    from nemowidgets.session import Session

__all__ = ["EDITS_FROM_STRIP", "TimelineStrip"]

_HERE = pathlib.Path(__file__).parent
#: The edits a gesture may send, and the arguments each takes.
EDITS_FROM_STRIP = {
    "move_segment": frozenset({"segment", "to"}),
    "set_segment_duration": frozenset({"segment", "ms"}),
}


class TimelineStrip(anywidget.AnyWidget):
    """The draft as lanes on a time axis; drag to reorder, drag an edge to trim, click to select."""

    _esm = _HERE / "strip.js"
    _css = _HERE / "strip.css"

    model = T.Dict().tag(sync=True)  #: what to draw (:func:`strip_model`)
    thumbs = T.Dict().tag(sync=True)  #: media id -> thumbnail data URL
    selected = T.Unicode("").tag(sync=True)  #: the selected segment's id ("" for none)
    editable = T.Bool(True).tag(sync=True)  #: gestures on (off on the cloud: no hand edits)
    busy = T.Bool(False).tag(sync=True)  #: an edit is running
    message = T.Unicode("").tag(sync=True)  #: why the last edit was refused

    def __init__(self, session: Session, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._session = session
        self.editable = session.backend != "cloud"
        self.on_msg(self._on_msg)

    def show(self, draft: Draft | None, media: dict[str, MediaInfo]) -> None:
        """Draw ``draft`` (``media`` by id); a selection that no longer exists is dropped."""
        model = strip_model(draft, media)
        ids = {sg["id"] for lane in model.get("lanes", ()) for sg in lane["segments"]}
        if self.selected and self.selected not in ids:
            self.selected = ""
        if model != self.model:
            self.model = model

    def set_thumbs(self, thumbs: dict[str, str]) -> None:
        if thumbs != self.thumbs:
            self.thumbs = dict(thumbs)

    # -- gestures (the kernel's thread: never block) ------------------------------------
    def _on_msg(self, _widget: Any, content: Any, _buffers: Any) -> None:
        if not isinstance(content, dict) or content.get("type") != "edit":
            return
        name, args = content.get("name"), content.get("args")
        allowed = EDITS_FROM_STRIP.get(str(name))
        if allowed is None or not isinstance(args, dict) or set(args) - allowed:
            self.message = f"The strip sent an edit it may not send ({str(name)[:40]})."
            return
        self.edit(str(name), **args)

    def edit(self, name: str, **args: Any) -> Future[Any] | None:
        """Send one named edit to the Session without waiting (what a gesture does)."""
        self.message = ""
        self.busy = True
        try:
            future = self._session.submit(self._session.aedit(name, **args))
        except Exception as exc:  # the Session is closed
            self._finish(exc)
            return None
        future.add_done_callback(self._done)
        return future

    def _done(self, future: Future[Any]) -> None:
        exc = None if future.cancelled() else future.exception()
        self._finish(exc)

    def _finish(self, exc: BaseException | None) -> None:
        if exc is not None:
            self.message = describe_error(exc)
        self.busy = False
