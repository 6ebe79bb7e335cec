"""The local renderer: a draft to an H.264 + AAC MP4, streamed frame by frame with PyAV.

The server's render jobs call :func:`render_draft`; see ``pipeline`` for the design
(and ``benchmarks/render.py`` for how it compares with FFmpeg and with x264 alone).

Modules: ``timeline`` (draft -> plan, validation), ``stills`` (photos), ``jpeg``
(JPEG decoding to YUV), ``warp`` (Ken Burns and zoom frames), ``video`` (clips),
``transitions``, ``text`` (titles), ``audio`` (mix), ``frames`` (the YUV picture
format), ``compose`` (which pixels at which frame), ``feed`` (frames composed ahead
of the encoder), ``memory`` (heap retention), ``pipeline`` (encoding).
"""

from .errors import RenderCancelled, RenderFailure
from .pipeline import RenderStats, render_draft

__all__ = ["RenderCancelled", "RenderFailure", "RenderStats", "render_draft"]
