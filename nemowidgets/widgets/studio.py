"""Studio: every part on one Session, laid out for the path a user takes.

Status on top; then what the user does, side by side - media on the left, the
prompt and the conversation on the right (they wrap under each other on a
narrow screen); then what comes of it, full width: the timeline, then the
video.  The tab order follows the same path.  Each part is a widget of its own: any set of
them given the same Session stays in step, because they only observe it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import ipywidgets as W

from nemowidgets.widgets._base import close_tree
from nemowidgets.widgets.log import StreamLog
from nemowidgets.widgets.player import VideoPlayer
from nemowidgets.widgets.prompt import PromptBox
from nemowidgets.widgets.renders import RendersPanel
from nemowidgets.widgets.status import StatusBar
from nemowidgets.widgets.timeline import TimelineTable
from nemowidgets.widgets.uploader import Uploader

if TYPE_CHECKING:  # pragma: no cover
    from nemowidgets.session import Session

__all__ = ["Studio", "studio"]


class Studio(W.VBox):
    """The whole bundle: StatusBar, Uploader, PromptBox, StreamLog, TimelineTable, VideoPlayer.

    ``Studio(session=None)`` makes a ``Session()`` when none is given (then, and
    not before: nothing is created at import) and closes it on :meth:`close`.
    """

    def __init__(self, session: Session | None = None, **kwargs: Any) -> None:
        self._owns_session = session is None
        if session is None:
            from nemowidgets.session import Session

            session = Session()
        self._session = session
        self.status_bar = StatusBar(session)
        self.uploader = Uploader(session)
        self.prompt_box = PromptBox(session)
        self.stream_log = StreamLog(session)
        self.timeline = TimelineTable(session)
        self.player = VideoPlayer(session)
        self.renders = RendersPanel(session)  # variants, batches: a bar per render job
        column = {"flex": "1 1 340px", "min_width": "300px", "margin": "0 12px 8px 0"}
        left = W.VBox([self.uploader], layout=W.Layout(**column))
        right = W.VBox([self.prompt_box, self.stream_log], layout=W.Layout(**column))
        work = W.HBox(
            [left, right],
            layout=W.Layout(flex_flow="row wrap", width="100%", align_items="flex-start"),
        )
        super().__init__(
            [self.status_bar, work, self.timeline, self.player, self.renders],
            layout=W.Layout(width="100%"),
            **kwargs,
        )
        self.add_class("nemo-studio")

    @property
    def session(self) -> Session:
        """The Session all parts share."""
        return self._session

    @property
    def parts(self) -> tuple[W.Widget, ...]:
        """The six part widgets, in tab order."""
        return (
            self.status_bar,
            self.uploader,
            self.prompt_box,
            self.stream_log,
            self.timeline,
            self.player,
        )

    def close(self) -> None:
        """Close every part (they stop observing) and, if the Studio made it, the Session."""
        if not hasattr(self, "player"):  # __del__ of a half-made Studio
            super().close()
            return
        for part in self.parts:
            part.close()
        for child in self.children:
            close_tree(child)
        super().close()
        if self._owns_session:
            self._session.close()

    def __repr__(self) -> str:
        s = self._session
        return (
            f"<Studio backend={getattr(s, 'backend', '?')} "
            f"session={getattr(s, 'session_id', None) or '-'}>"
        )


def studio(session: Session | None = None) -> Studio:
    """The Studio widget on ``session`` (a new ``Session()`` when none is given)."""
    return Studio(session)
