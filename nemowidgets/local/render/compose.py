"""Frame composition: which segments show at a frame, blended, with titles on top.

Memory stays flat in the number of photos: a segment is prepared (decoded, fitted,
converted) by one background thread while the previous one is showing on its own
(the encoder is busy then, and no transition needs memory), and dropped as soon as
it has finished showing, so at most two segments are in memory at any time.

Every frame comes with a key; equal keys mean equal pixels.  A photo without Ken
Burns and outside a transition has the same key for all its frames, which lets the
pipeline hand the encoder the same converted frame again: no composition, no copy.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor

from .frames import Yuv, black
from .logo import logo_patch
from .looks import LookCache
from .memory import release_free_memory
from .stills import Still
from .text import TextOverlay
from .threads import background
from .timeline import Plan, Visual
from .transitions import blend
from .video import Clip

Source = Still | Clip
_EPS = 1e-6


class Compositor:
    """Gives ``(key, make)`` for frame ``n``; ``make()`` returns its YUV buffer."""

    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self.canvas = plan.canvas
        self._fps = float(plan.canvas.fps)
        self._visuals = plan.visuals
        self._lo = 0  # first visual that has not finished showing
        self._sources: dict[int, Source] = {}
        self._pending: dict[int, Future[Still]] = {}
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="nemo-render-prep")
        self._titles: dict[int, TextOverlay] = {}
        self._black: Yuv | None = None
        self._looks = LookCache(self.canvas)  # per-segment looks (filters), see looks.py
        self._logo = None if plan.logo is None else logo_patch(plan.logo, self.canvas)

    # -- sources -------------------------------------------------------------------
    def _still(self, visual: Visual) -> Still:
        background()  # on the helper thread: in the gaps x264 leaves
        try:
            return Still(
                visual.path, self.canvas, self.plan.fit, visual.kb, visual.seg_id, visual.name
            )
        finally:
            release_free_memory()  # the decoding's temporaries (see ``memory``)

    def _prefetch(self, index: int) -> None:
        """Prepare photo ``index`` on the helper thread.  (Clips are opened when they
        start, on this thread: their decoder threads must not inherit its low priority.)"""
        if (
            0 <= index < len(self._visuals)
            and index not in self._sources
            and index not in self._pending
            and self._visuals[index].kind == "image"
        ):
            self._pending[index] = self._pool.submit(self._still, self._visuals[index])

    def _source(self, index: int) -> Source:
        if index not in self._sources:
            visual = self._visuals[index]
            if visual.kind == "video":
                self._sources[index] = Clip(
                    visual.path,
                    self.canvas,
                    self.plan.fit,
                    visual.in_point,
                    visual.seg_id,
                    visual.name,
                )
            else:
                self._prefetch(index)
                self._sources[index] = self._pending.pop(index).result()
        return self._sources[index]

    def _retire(self, t: float) -> None:
        while self._lo < len(self._visuals) and self._visuals[self._lo].end <= t + _EPS:
            source = self._sources.pop(self._lo, None)
            if source is not None:
                source.close()
            self._lo += 1

    # -- frames --------------------------------------------------------------------
    def _single(self, visual: Visual, t: float) -> tuple[object, Yuv]:
        key, buf = self._unfiltered(visual, t)
        return key, self._looks.apply(visual.index, visual.look, buf)

    def _unfiltered(self, visual: Visual, t: float) -> tuple[object, Yuv]:
        source = self._source(visual.index)
        if isinstance(source, Clip):
            return source.frame(t - visual.start)
        u = (t - visual.start) / max(visual.end - visual.start, _EPS)
        key = ("still", visual.index) if source.static else None
        return key, source.frame(u)

    def _base(self, t: float) -> tuple[object, Callable[[], Yuv]]:
        self._retire(t)
        active = []
        index = self._lo
        while index < len(self._visuals) and self._visuals[index].start <= t + _EPS:
            if self._visuals[index].end > t + _EPS:
                active.append(self._visuals[index])
            index += 1
        if not active:
            if self._black is None:
                self._black = black(self.canvas)
            buf = self._black
            return "black", lambda: buf
        if len(active) == 1:
            key, buf = self._single(active[0], t)
            # Prepare the next segment now, while the encoder works through this one's
            # frames (not during a transition, whose blends need the memory themselves).
            self._prefetch(index)
            return key, lambda: buf
        old, new = active[-2], active[-1]
        span = max(old.end - new.start, _EPS)
        p = (t + 0.5 / self._fps - new.start) / span
        a = self._single(old, t)[1]
        b = self._single(new, t)[1]
        return None, lambda: blend(old.transition, a, b, p, self.canvas)

    def _active_titles(self, t: float) -> list[int]:
        active = []
        for index, title in enumerate(self.plan.titles):
            if title.start <= t + _EPS < title.end:
                active.append(index)
            elif index in self._titles:
                del self._titles[index]  # finished (or not started): free its masks
        return active

    def frame(self, n: int) -> tuple[object, Callable[[], Yuv]]:
        t = n / self._fps
        key, make = self._base(t)
        titles = self._active_titles(t)
        if not titles and self._logo is None:
            return key, make
        full_key = None if key is None else (key, tuple(titles))

        def with_titles() -> Yuv:
            buf: Yuv = make().copy()
            for index in titles:
                if index not in self._titles:
                    title = self.plan.titles[index]
                    self._titles[index] = TextOverlay(
                        title.text, self.canvas, title.pos, title.size, title.style
                    )
                self._titles[index].apply(buf)
            if self._logo is not None:  # the logo is the same on every frame: keys stay valid
                self._logo.apply(buf)
            return buf

        return full_key, with_titles

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)
        for source in self._sources.values():
            source.close()
        for future in self._pending.values():
            if future.done() and not future.cancelled() and future.exception() is None:
                future.result().close()
        self._sources.clear()
        self._pending.clear()
        self._titles.clear()
