"""Batches: many folders (or files, or sessions' drafts), each with its own prompt, one video each.

``nemowidgets.batch(["class/ana", "class/ben", ...], quality="preview")`` runs one
:class:`Session` per item - upload, the item's prompt, export - several items at a
time, and returns one :class:`BatchResult` per item, in order.  An item's prompt is,
first match wins: the mapping's value (``batch({"ana/": "make a slideshow"})``), the
``prompt.txt`` in its folder, the ``prompt`` argument.  A file on its own is an item
too, so the seed's "batch style" - several files, one instruction, one render each
- is ``batch(files, prompt)``.  A :class:`Session` as an item exports its current
draft (no upload, no prompt).

A failure in one item (a missing folder, a refused file, an agent that made no
timeline, a failed render) is that item's ``error``; the others finish.  On the
local backend the renders are placed on worker processes (``parallel="jobs"``,
docs/parallel-rendering.md), so they really run side by side.  Progress per item:
``start_batch(...).observe(callback)`` or ``batch(..., progress=callback)`` gets a
:class:`BatchProgress` at every stage and render percentage.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from nemowidgets.api.errors import CancelledByUser, ConfigurationError, DraftError, MediaError
from nemowidgets.session._events import ExportResult, SessionEvent
from nemowidgets.session._exports import EXPORT_FOLDER
from nemowidgets.session._files import media_files_in
from nemowidgets.session._session import Session

__all__ = ["BatchItem", "BatchProgress", "BatchResult", "BatchRun", "batch", "start_batch"]

PROMPT_FILE = "prompt.txt"
MAX_CONCURRENCY = 4


@dataclass(frozen=True)
class BatchItem:
    """One video to make: ``media`` (files or folders) and ``prompt``, or a ``session``'s draft."""

    name: str
    media: tuple[Path, ...] = ()
    prompt: str | None = None
    session: Session | None = None


@dataclass(frozen=True)
class BatchProgress:
    """An item's stage (``queued upload prompt render done failed``) and render percent."""

    index: int
    name: str
    stage: str
    percent: float = 0.0
    where: str | None = None  # where its render runs (threads, local-cluster, a scheduler)
    dashboard: str | None = None  # the Dask dashboard, when a cluster renders it
    message: str = ""


@dataclass(frozen=True)
class BatchResult:
    """The outcome of one item: its ``export`` (with ``path``), or its ``error``."""

    name: str
    prompt: str | None
    export: ExportResult | None = None
    error: Exception | None = None
    reply: str = ""

    @property
    def ok(self) -> bool:
        return self.error is None and self.export is not None

    @property
    def path(self) -> Path | None:
        return self.export.path if self.export is not None else None


def _unique(name: str, taken: set[str]) -> str:
    base, n, chosen = name or "video", 2, name or "video"
    while chosen in taken:
        chosen, n = f"{base}-{n}", n + 1
    taken.add(chosen)
    return chosen


def _item(source: Any, prompt: str | None) -> BatchItem:
    if isinstance(source, BatchItem):
        return source
    if isinstance(source, Session):
        return BatchItem(f"session-{source.session_id or 'new'}", session=source)
    if isinstance(source, str | Path):
        path = Path(source).expanduser()
        return BatchItem(path.stem if path.is_file() else path.name, (path,), prompt)
    raise ConfigurationError(
        f"a batch item must be a folder, a file, a Session or a BatchItem, not "
        f"{type(source).__name__}.",
        field="items",
    )


def plan_items(items: Any, prompt: str | None = None) -> list[BatchItem]:
    """The items of ``batch(items, prompt)``, named uniquely; type errors raise here."""
    if prompt is not None and (not isinstance(prompt, str) or not prompt.strip()):
        raise ConfigurationError("prompt must be a non-empty string, or None.", field="prompt")
    if isinstance(items, Mapping):
        pairs = [(_item(k, v if isinstance(v, str) else None), v) for k, v in items.items()]
        chosen = [replace(it, prompt=v) if isinstance(v, str) else it for it, v in pairs]
    elif isinstance(items, str | Path | Session | BatchItem) or not isinstance(items, Iterable):
        raise ConfigurationError(
            "items must be a list of folders/files/sessions, or a mapping of folder -> prompt.",
            field="items",
        )
    else:
        chosen = [_item(source, prompt) for source in items]
    if not chosen:
        raise ConfigurationError("items is empty: give at least one folder.", field="items")
    taken: set[str] = set()
    return [replace(it, name=_unique(it.name, taken)) for it in chosen]


def _prompt_of(item: BatchItem) -> str:
    if item.prompt:
        return item.prompt
    for path in item.media:
        text_file = path / PROMPT_FILE
        if path.is_dir() and text_file.is_file():
            text = text_file.read_text(encoding="utf-8", errors="replace").strip()
            if text:
                return text
    raise ConfigurationError(
        f"batch item {item.name!r} has no prompt: put a {PROMPT_FILE} in its folder, "
        "or pass prompt=... (or a mapping of folder -> prompt).",
        field="prompt",
    )


class BatchRun:
    """A running batch: :meth:`observe` its progress, :meth:`result` waits, :meth:`cancel`."""

    def __init__(
        self,
        items: list[BatchItem],
        *,
        quality: str,
        out_dir: Path,
        concurrency: int,
        session_options: dict[str, Any],
    ) -> None:
        self.items = tuple(items)
        self._quality, self._out_dir, self._options = quality, out_dir, session_options
        self._observers: list[Callable[[BatchProgress], None]] = []
        self._lock = threading.Lock()
        self._cancelled = threading.Event()
        self._sessions: set[Session] = set()
        self._progress: dict[int, BatchProgress] = {
            i: BatchProgress(i, it.name, "queued") for i, it in enumerate(items)
        }
        self._pool = ThreadPoolExecutor(concurrency, thread_name_prefix="nemo-batch")
        self._futures: list[Future[BatchResult]] = [
            self._pool.submit(self._run, i, it) for i, it in enumerate(items)
        ]
        self._pool.shutdown(wait=False)

    # -- watching ----------------------------------------------------------------
    def observe(self, callback: Callable[[BatchProgress], None]) -> Callable[[], None]:
        """Call ``callback(progress)`` on every change (from the batch's threads)."""
        with self._lock:
            self._observers.append(callback)
            now = list(self._progress.values())
        for progress in now:
            callback(progress)
        return lambda: self._observers.remove(callback) if callback in self._observers else None

    @property
    def progress(self) -> tuple[BatchProgress, ...]:
        with self._lock:
            return tuple(self._progress[i] for i in sorted(self._progress))

    @property
    def done(self) -> bool:
        return all(f.done() for f in self._futures)

    def result(self, timeout: float | None = None) -> list[BatchResult]:
        """Every item's result, in order, once all are over."""
        return [future.result(timeout) for future in self._futures]

    def cancel(self) -> None:
        """Stop: items not started fail as cancelled, running ones are cancelled. Never blocks."""
        self._cancelled.set()
        with self._lock:
            sessions = list(self._sessions)
        for session in sessions:
            session.cancel()

    def _tell(self, index: int, **changes: Any) -> None:
        with self._lock:
            progress = replace(self._progress[index], **changes)
            self._progress[index] = progress
            observers = list(self._observers)
        for callback in observers:
            with contextlib.suppress(Exception):  # an observer's bug must not stop the batch
                callback(progress)

    # -- one item ------------------------------------------------------------------
    def _run(self, index: int, item: BatchItem) -> BatchResult:
        prompt = item.prompt
        try:
            if self._cancelled.is_set():
                raise CancelledByUser("The batch was cancelled before this item started.")
            if item.session is None:
                prompt = _prompt_of(item)
            export, reply = self._make(index, item, prompt)
        except Exception as exc:
            self._tell(index, stage="failed", message=str(exc))
            return BatchResult(item.name, prompt, None, exc)
        self._tell(index, stage="done", percent=100.0, message=str(export.path))
        return BatchResult(item.name, prompt, export, None, reply)

    def _make(self, index: int, item: BatchItem, prompt: str | None) -> tuple[ExportResult, str]:
        own = item.session is None
        session = item.session or Session(**self._options)
        with self._lock:
            self._sessions.add(session)
        unsubscribe = session.observe(self._watcher(index), kinds=["render_progress"])
        try:
            reply = ""
            if own:
                reply = self._edit(index, item, session, prompt or "")
            self._tell(index, stage="render", percent=0.0)
            self._out_dir.mkdir(parents=True, exist_ok=True)
            parallel = "jobs" if session.backend == "local" else None
            path = _free_path(self._out_dir / f"{item.name}.mp4")
            return session.export(self._quality, path=path, parallel=parallel), reply
        finally:
            unsubscribe()
            with self._lock:
                self._sessions.discard(session)
            if own:
                session.close()

    def _edit(self, index: int, item: BatchItem, session: Session, prompt: str) -> str:
        for path in item.media:
            if not path.exists():
                raise MediaError(f"{path} does not exist.", filename=str(path))
            if path.is_dir() and not media_files_in(path):
                raise MediaError(f"{path} has no photos, videos or music in it.")
        self._tell(index, stage="upload")
        session.upload(list(item.media))
        self._tell(index, stage="prompt")
        turn = session.send(prompt)
        if turn.error is not None:
            raise turn.error
        if session.draft is None or not session.draft.is_exportable:
            raise DraftError(f"The prompt {prompt!r} made no timeline for {item.name!r}.")
        return turn.reply

    def _watcher(self, index: int) -> Callable[[SessionEvent], None]:
        def on_event(event: SessionEvent) -> None:
            job = event.data.get("job")
            if job is not None:
                self._tell(
                    index,
                    percent=float(job.progress),
                    where=job.where,
                    dashboard=job.dashboard,
                )

        return on_event


def _free_path(path: Path) -> Path:
    n, chosen = 2, path
    while chosen.exists():
        chosen, n = path.with_name(f"{path.stem}-{n}{path.suffix}"), n + 1
    return chosen


def start_batch(
    items: Any,
    prompt: str | None = None,
    *,
    quality: str = "high",
    out_dir: str | Path | None = None,
    concurrency: int | None = None,
    **session_options: Any,
) -> BatchRun:
    """Start a batch without waiting (for widgets and scripts): a :class:`BatchRun`.

    ``session_options`` go to each item's ``Session(...)`` (``data_dir``, ``cluster``,
    ``backend``, ...).  See the module doc for items and prompts.
    """
    from nemowidgets.session import _args as args

    args.check_quality(quality)
    plan = plan_items(items, prompt)
    if concurrency is not None and (
        isinstance(concurrency, bool) or not isinstance(concurrency, int) or concurrency < 1
    ):
        raise ConfigurationError("concurrency must be a whole number >= 1.", field="concurrency")
    folder = Path(out_dir).expanduser() if out_dir is not None else Path.cwd() / EXPORT_FOLDER
    return BatchRun(
        plan,
        quality=quality,
        out_dir=folder.resolve(),
        concurrency=concurrency or min(len(plan), MAX_CONCURRENCY),
        session_options=session_options,
    )


def batch(
    items: Any,
    prompt: str | None = None,
    *,
    quality: str = "high",
    out_dir: str | Path | None = None,
    concurrency: int | None = None,
    progress: Callable[[BatchProgress], None] | None = None,
    **session_options: Any,
) -> list[BatchResult]:
    """Make one video per item and wait: a :class:`BatchResult` each, in order.

    ``batch(["ana/", "ben/"], quality="preview")`` (each folder's ``prompt.txt``),
    ``batch({"ana/": "make a slideshow", ...})``, ``batch(files, "make a slideshow")``.
    A failed item has ``error`` set; the others finish.
    """
    run = start_batch(
        items, prompt, quality=quality, out_dir=out_dir, concurrency=concurrency, **session_options
    )
    if progress is not None:
        run.observe(progress)
    try:
        return run.result()
    except KeyboardInterrupt:
        run.cancel()
        raise
