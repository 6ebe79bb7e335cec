"""The local renderer: a draft to an H.264 + AAC MP4, streamed frame by frame with PyAV.

The server's render jobs call :func:`render_draft`; see ``pipeline`` for the design
(and ``benchmarks/render.py`` for how it compares with FFmpeg's CLI and MoviePy).

Modules: ``timeline`` (draft -> plan, validation), ``stills`` (photos), ``video``
(clips), ``transitions``, ``text`` (titles), ``audio`` (mix), ``frames`` (the YUV
picture format), ``compose`` (which pixels at which frame), ``pipeline`` (encoding).
"""

from .errors import RenderCancelled, RenderFailure
from .pipeline import RenderStats, render_draft

__all__ = ["RenderCancelled", "RenderFailure", "RenderStats", "render_draft"]
