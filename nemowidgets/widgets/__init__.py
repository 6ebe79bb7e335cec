"""The widget bundle: each part observes and drives one shared Session.

``studio()`` shows them all; each part is a widget of its own
(``Uploader(session)``, ``PromptBox(session)``, ...), and any set of them given
the same Session stays in step.  Widgets hold no HTTP client and no thread:
they call the Session (``session.submit(...)``) and observe it.  They render
with standard ipywidgets and ipyfilechooser, plus one custom frontend made with
anywidget (the :class:`DropZone`, whose ES module ships in the package: no build
step), and give their key elements stable ``nemo-*`` CSS classes for end-to-end
tests.
"""

from __future__ import annotations

from nemowidgets.widgets.dropzone import DropZone
from nemowidgets.widgets.log import StreamLog
from nemowidgets.widgets.player import INLINE_VIDEO_LIMIT, VideoPlayer
from nemowidgets.widgets.prompt import PromptBox
from nemowidgets.widgets.renders import RendersPanel
from nemowidgets.widgets.status import StatusBar
from nemowidgets.widgets.studio import Studio, studio
from nemowidgets.widgets.timeline import TimelineTable
from nemowidgets.widgets.uploader import BROWSER_UPLOAD_LIMIT, Uploader

__all__ = [
    "BROWSER_UPLOAD_LIMIT",
    "INLINE_VIDEO_LIMIT",
    "DropZone",
    "PromptBox",
    "RendersPanel",
    "StatusBar",
    "StreamLog",
    "Studio",
    "TimelineTable",
    "Uploader",
    "VideoPlayer",
    "studio",
]
