"""MediaChooser: ipyfilechooser's picker for choosing media, not for naming an output file.

``FileChooser`` is made for both: it has an "output filename" box to type a new
file's name, and it lists every file.  Adding media needs neither, so this
picker hides the box (the path list takes its row) and lists only folders and
the files an upload can take (the extensions of :mod:`nemowidgets.protocol`).
Choosing a file in the list still works as before: the chooser fills the
hidden box itself.
"""

from __future__ import annotations

from typing import Any

from ipyfilechooser import FileChooser

from nemowidgets.protocol import SUPPORTED_EXTENSIONS

__all__ = ["MEDIA_PATTERNS", "MediaChooser"]

#: The files the chooser lists.  ``""`` is there because ipyfilechooser also matches
#: the (empty) file name of a chosen *folder* against the patterns, and would
#: otherwise refuse to select a folder.
MEDIA_PATTERNS: tuple[str, ...] = ("", *(f"*.{ext}" for ext in sorted(SUPPORTED_EXTENSIONS)))


class MediaChooser(FileChooser):  # a VBox subclass too: see [tool.mypy] overrides
    """A FileChooser listing folders and media files, with no file-name box."""

    def __init__(self, path: str, **kwargs: Any) -> None:
        kwargs.setdefault("filter_pattern", list(MEDIA_PATTERNS))
        super().__init__(path, **kwargs)
        # ipyfilechooser has no option for this (its attributes, pinned below 0.7).
        self._filename.layout.display = "none"
        self._gb.layout.grid_template_areas = "'pathlist pathlist'\n'dircontent dircontent'"
