"""What every nemowidgets widget shares: the Session binding, a coalescing updater, HTML helpers.

Threading model (issue 4): a widget owns no thread and no HTTP client.  It calls
the Session (``session.submit(session.asend(...))`` for anything long, so a click
returns at once) and observes it.  Observer callbacks arrive on the Session's
loop thread; setting a widget's trait from there is fine (the comm message
reaches the browser), so the widgets show state only through trait values
(``HTML``, ``Image``, ``Video``, ``IntProgress``...), never through an
``Output`` widget written from another thread (ipykernel 7 misroutes that).

Code-driven updates never re-trigger a widget's own handlers: a handler that
reacts to a user's change checks a guard flag that the code sets around its
own writes (the style of ipyfilechooser, which unobserves around its updates).
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import html
import io
import logging
import math
import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, ClassVar

import ipywidgets as W

if TYPE_CHECKING:  # pragma: no cover
    from nemowidgets.api.models import MediaInfo
    from nemowidgets.session import Session, SessionEvent

__all__ = [
    "Coalescer",
    "SessionWidget",
    "Thumbnails",
    "data_uri",
    "describe_error",
    "human_size",
    "kind_label",
    "linkify",
    "small_jpeg",
]

log = logging.getLogger("nemowidgets.widgets")

#: The widgets' stylesheet: one small <style> shown once per composite widget.
#: Class names start with ``nemo-`` so the end-to-end tests can find elements.
CSS = """<style>
.nemo-widget{font-family:var(--jp-ui-font-family,sans-serif);font-size:13px}
.nemo-muted{color:var(--jp-ui-font-color2,#666);font-size:12px}
.nemo-error-text{color:#b00020}
.nemo-error-box{border-left:4px solid #b00020;background:rgba(176,0,32,.07);padding:4px 8px}
.nemo-log-scroll{display:flex;flex-direction:column-reverse;overflow-y:auto;max-height:18em;
 border:1px solid var(--jp-border-color2,#ddd);border-radius:4px;padding:4px 6px}
.nemo-l{white-space:pre-wrap;word-break:break-word;margin:1px 0;line-height:1.35}
.nemo-l-you{font-weight:600;margin-top:6px}
.nemo-l-tool,.nemo-l-notice,.nemo-fold{color:var(--jp-ui-font-color2,#666);font-size:12px}
.nemo-l-error{color:#b00020;border-left:3px solid #b00020;padding-left:6px}
.nemo-l-done{color:#1b7f3b}
.nemo-table{border-collapse:collapse;font-size:12px;width:100%}
.nemo-table th,.nemo-table td{border-bottom:1px solid var(--jp-border-color2,#e5e5e5);
 padding:2px 6px;text-align:left;vertical-align:middle}
.nemo-table td.num{text-align:right;font-variant-numeric:tabular-nums}
.nemo-table img{height:28px;width:42px;object-fit:contain;border-radius:2px;display:block}
.nemo-strip{position:relative;font-size:11px}
.nemo-lane{display:flex;align-items:center;margin:3px 0}
.nemo-lane-label{width:4.5em;flex:none;color:var(--jp-ui-font-color2,#666)}
.nemo-lane-body{position:relative;flex:1;height:34px;background:rgba(127,127,127,.08);
 border-radius:3px}
.nemo-seg{position:absolute;top:2px;bottom:2px;border-radius:3px;overflow:hidden;color:#fff;
 white-space:nowrap;text-overflow:ellipsis;padding:1px 3px;box-sizing:border-box;
 border:1px solid rgba(0,0,0,.25);background-size:contain;background-repeat:no-repeat;
 background-position:center;
 text-shadow:0 0 2px #000}
.nemo-axis{position:relative;height:14px;margin-left:4.5em;color:var(--jp-ui-font-color2,#666)}
.nemo-tick{position:absolute;top:0;border-left:1px solid #aaa;padding-left:2px;font-size:10px}
</style>"""


# -- small helpers ---------------------------------------------------------------
_URL_RE = re.compile(r"https?://[^\s<>\"']+[^\s<>\"'.,;:!?)]")


def linkify(text: str) -> str:
    """``text`` as HTML: escaped, with its http(s) URLs as links opening a new tab."""
    out: list[str] = []
    pos = 0
    for match in _URL_RE.finditer(text):
        out.append(html.escape(text[pos : match.start()], quote=False))
        url = html.escape(match.group(0), quote=True)
        out.append(f'<a href="{url}" target="_blank" rel="noopener noreferrer">{url}</a>')
        pos = match.end()
    out.append(html.escape(text[pos:], quote=False))
    return "".join(out)


def human_size(size: float | None) -> str:
    """``2_400_000`` -> ``"2.3 MB"``; ``None`` -> ``""``."""
    if size is None:
        return ""
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return ""  # pragma: no cover


#: What a media kind is called on screen (the protocol's "image" is a photo to a user).
KIND_LABELS = {"image": "photo"}


def kind_label(kind: str | None) -> str:
    """``"image"`` -> ``"photo"``; other kinds as they are."""
    return KIND_LABELS.get(kind or "", kind or "")


def data_uri(data: bytes, mime: str = "image/jpeg") -> str:
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


def small_jpeg(source: bytes, size: int = 96) -> bytes | None:
    """A JPEG of at most ``size`` px from image bytes; ``None`` if Pillow cannot read them.

    Used for browser files before upload (their bytes are not kept) and to
    shrink the Session's thumbnails for the timeline (dozens per update).
    """
    try:
        from PIL import Image, ImageOps

        with Image.open(io.BytesIO(source)) as image:
            image.draft("RGB", (size * 2, size * 2))  # JPEG: decode at a reduced scale
            image = ImageOps.exif_transpose(image).convert("RGB")
            image.info.clear()  # no comment, EXIF or profile of the original in the thumbnail
            image.thumbnail((size, size))
            buffer = io.BytesIO()
            image.save(buffer, "JPEG", quality=75)
            return buffer.getvalue()
    except Exception:  # corrupt or not an image: the caller shows an icon instead
        return None


def describe_error(exc: BaseException) -> str:
    """An error's message and the action to take, for a line beside a control."""
    message = getattr(exc, "message", None) or str(exc) or type(exc).__name__
    hint = getattr(exc, "hint", "") or ""
    return f"{message} {hint}".strip() if hint and hint not in message else message


def media_key(media: MediaInfo) -> str:
    """How a media item is told apart (its id on the local backend)."""
    return media.id or media.hash or media.cdn_url or media.filename


@contextmanager
def guard(flag_owner: Any, name: str = "_updating") -> Iterator[None]:
    """Set ``flag_owner.<name>`` while code writes traits its own handlers observe."""
    previous = getattr(flag_owner, name, False)
    setattr(flag_owner, name, True)
    try:
        yield
    finally:
        setattr(flag_owner, name, previous)


def close_tree(widget: W.Widget) -> None:
    """Close ``widget`` and every widget below it (children, layouts, styles)."""
    for child in getattr(widget, "children", ()) or ():
        close_tree(child)
    for attr in ("layout", "style"):
        sub = getattr(widget, attr, None)
        if isinstance(sub, W.Widget):
            sub.close()
    widget.close()


# -- coalescing ------------------------------------------------------------------
def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


class Coalescer:
    """Call ``flush`` at most once per ``interval`` seconds: a leading + trailing throttle.

    The first request after a quiet period flushes at once (leading edge);
    requests inside the interval only mark the state dirty, and one flush is
    scheduled for the end of the interval (trailing edge), so the last state
    always reaches the browser.  The trailing flush is scheduled with
    ``call_later`` on the asyncio loop of the thread that asks - the Session's
    loop for observer callbacks - so no thread or timer of our own is needed.
    A request from a thread with no running loop (plain scripts) flushes at once.
    """

    def __init__(self, flush: Callable[[], None], interval: float = 0.1) -> None:
        self._flush = flush
        self.interval = interval
        self._lock = threading.Lock()
        self._last = -math.inf
        self._timer: asyncio.TimerHandle | None = None
        self._timer_loop: asyncio.AbstractEventLoop | None = None
        self._closed = False
        self.flushes = 0  #: how many times ``flush`` ran (for tests and the benchmark)

    def request(self) -> None:
        with self._lock:
            if self._closed or self._timer is not None:
                return  # a trailing flush is already due: it will show this change too
            now = time.monotonic()
            wait = self._last + self.interval - now
            if wait > 0:
                loop = _running_loop()
                if loop is not None:
                    self._timer = loop.call_later(wait, self._fire)
                    self._timer_loop = loop
                    return
            self._last = now
        self._run()

    def _fire(self) -> None:
        with self._lock:
            self._timer = self._timer_loop = None
            self._last = time.monotonic()
        self._run()

    def _run(self) -> None:
        if self._closed:
            return
        self.flushes += 1
        try:
            self._flush()
        except Exception:
            log.exception("A nemowidgets display update failed (ignored)")

    def flush_now(self) -> None:
        """Flush at once, dropping any scheduled trailing flush."""
        self._cancel_timer()
        with self._lock:
            self._last = time.monotonic()
        self._run()

    def _cancel_timer(self) -> None:
        with self._lock:
            timer, loop = self._timer, self._timer_loop
            self._timer = self._timer_loop = None
        if timer is not None and loop is not None:
            if loop is _running_loop():
                timer.cancel()
            elif not loop.is_closed():
                loop.call_soon_threadsafe(timer.cancel)

    def close(self) -> None:
        self._closed = True
        self._cancel_timer()


# -- thumbnails ------------------------------------------------------------------
class Thumbnails:
    """Small JPEG thumbnails of uploaded media, fetched through the Session.

    ``get`` never blocks (a widget renders with what it has); ``fetch`` asks the
    Session for the missing ones on its loop (``athumbnail``) and calls
    ``on_ready`` once when they arrived, so the widget re-renders once.
    """

    def __init__(self, session: Session, size: int = 96) -> None:
        self._session = session
        self._size = size
        self._cache: dict[str, bytes | None] = {}
        self._asked: set[str] = set()

    def get(self, media: MediaInfo) -> bytes | None:
        return self._cache.get(media_key(media))

    def put(self, media: MediaInfo, jpeg: bytes | None) -> None:
        self._cache[media_key(media)] = small_jpeg(jpeg, self._size) if jpeg else None

    def fetch(self, media: list[MediaInfo], on_ready: Callable[[], None]) -> None:
        wanted = [
            m
            for m in media
            if m.file_type != "audio"
            and media_key(m) not in self._cache
            and media_key(m) not in self._asked
        ]
        if not wanted:
            return
        self._asked.update(media_key(m) for m in wanted)

        async def run() -> None:
            for m in wanted:
                try:
                    jpeg = await self._session.athumbnail(m)
                except Exception as exc:  # no thumbnail is not worth an error message
                    log.debug("No thumbnail for %s: %s", m.filename, exc)
                    jpeg = None
                self.put(m, jpeg)
            on_ready()

        with contextlib.suppress(RuntimeError):  # the Session is closed: no thumbnails
            self._session.submit(run())


# -- the base widget -------------------------------------------------------------
class SessionWidget(W.VBox):
    """A composite widget bound to one Session: observes it, unobserves on ``close``.

    Subclasses list the event kinds they want in ``_kinds`` and define
    ``_on_<kind>(data)`` handlers; ``_sync()`` shows the Session's current state
    (a widget created after some work shows it at once).  Children are private
    attributes; the public surface is ``session`` and ``close()``.
    """

    _kinds: ClassVar[tuple[str, ...]] = ()
    _css_class: ClassVar[str] = ""

    def __init__(self, session: Session, **kwargs: Any) -> None:
        if session is None:
            raise TypeError(
                f"{type(self).__name__} needs a Session: {type(self).__name__}"
                "(session), or nemowidgets.studio() to make one."
            )
        super().__init__(**kwargs)
        self._session = session
        self._unobserve: Callable[[], None] | None = None
        self.add_class("nemo-widget")
        if self._css_class:
            self.add_class(self._css_class)

    def _bind(self) -> None:
        """Subscribe, then show the current state; called at the end of ``__init__``."""
        self._unobserve = self._session.observe(self._on_event, kinds=self._kinds or None)
        self._sync()

    @property
    def session(self) -> Session:
        """The Session this widget shows and drives."""
        return self._session

    def _on_event(self, event: SessionEvent) -> None:
        handler = getattr(self, f"_on_{event.kind}", None)
        if handler is not None:
            handler(event.data)

    def _sync(self) -> None:
        """Show the Session's current state (override)."""

    def close(self) -> None:
        """Stop observing the Session and close this widget and its parts."""
        unobserve = getattr(self, "_unobserve", None)  # also from __del__ of a half-made one
        if unobserve is not None:
            self._unobserve = None
            unobserve()
        for child in self.children:
            close_tree(child)
        super().close()

    def __repr__(self) -> str:  # cheap: never walks the children, never shows a token
        s = self._session
        return (
            f"<{type(self).__name__} backend={getattr(s, 'backend', '?')} "
            f"session={getattr(s, 'session_id', None) or '-'}>"
        )
