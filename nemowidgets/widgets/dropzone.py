"""DropZone: files from the browser, picked or dropped anywhere on the Studio, of any size.

A custom widget made with anywidget: its frontend is one ES module shipped in
the package (``dropzone.js``, no build step) and loaded by anywidget's
JupyterLab / Notebook 7 / Voila extension.  The page shows a "From browser (N)"
button that opens the browser's file picker, and turns the whole Studio (the
closest ``.nemo-studio`` around the widget, else the Uploader) into a drop
target while files are dragged over it.

Why not ``ipywidgets.FileUpload``: it sends every picked file in one websocket
message, and Jupyter Server drops a message over 10 MiB, so one phone video
could not be sent.  The page here sends each file in chunks with back-pressure
(the protocol is in :mod:`nemowidgets.widgets._chunks`), shows each file's
progress, and the kernel appends the chunks to a file on disk; a finished file
is handed to ``on_file(name, path)``, which the Uploader turns into the
Session's streamed upload.  No file bytes are ever kept in a trait, so a saved
notebook holds none.
"""

from __future__ import annotations

import pathlib
from collections.abc import Callable
from typing import Any

import anywidget
import traitlets as T

from nemowidgets.widgets._chunks import CHUNK_BYTES, WINDOW, ChunkReceiver

__all__ = ["DropZone"]

_HERE = pathlib.Path(__file__).parent


class DropZone(anywidget.AnyWidget):
    """A file picker and a drop target that stream files to the kernel in chunks.

    ``on_file(name, path)``: a file arrived in full (``path`` keeps the name);
    ``precheck(name, size)``: raise to refuse a file before it is sent;
    ``on_refused(name, size, exc)``: a file was refused.
    """

    _esm = _HERE / "dropzone.js"
    _css = _HERE / "dropzone.css"

    accept = T.Unicode("").tag(sync=True)
    label = T.Unicode("From browser").tag(sync=True)
    hint = T.Unicode("or drop files anywhere here").tag(sync=True)
    count = T.Int(0).tag(sync=True)  #: files received in full (the button shows it)
    disabled = T.Bool(False).tag(sync=True)
    chunk_size = T.Int(CHUNK_BYTES).tag(sync=True)
    window = T.Int(WINDOW).tag(sync=True)

    def __init__(
        self,
        *,
        on_file: Callable[[str, pathlib.Path], None] | None = None,
        precheck: Callable[[str, int], None] | None = None,
        on_refused: Callable[[str, int, Exception], None] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self._on_file = on_file
        self._receiver = ChunkReceiver(
            precheck=precheck, on_file=self._file_done, on_refused=on_refused
        )
        self.on_msg(self._on_page_message)

    @property
    def folder(self) -> pathlib.Path:
        """Where received files are kept until the widget is closed."""
        return self._receiver.folder

    def _on_page_message(self, _widget: Any, content: Any, buffers: list[Any]) -> None:
        if not isinstance(content, dict):
            return
        answer = self._receiver.handle(content, list(buffers or []))
        if answer is not None:
            self.send(answer)

    def _file_done(self, name: str, path: pathlib.Path) -> None:
        self.count = self._receiver.completed
        if self._on_file is not None:
            self._on_file(name, path)

    def close(self) -> None:
        """Close the widget and delete the files it received (and any partial one)."""
        receiver = getattr(self, "_receiver", None)
        if receiver is not None:
            receiver.close()
        super().close()
