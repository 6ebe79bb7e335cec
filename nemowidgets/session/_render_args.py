"""Checks of the parallel-rendering arguments: ``cluster``, ``aspect(s)``, ``parallel``.

Like the other argument checks, these run before any work and raise a
:class:`ConfigurationError` naming the argument.  A ``cluster`` is checked without
importing Dask: an address must look like ``tcp://host:port``; anything else must
look like a ``distributed.Client`` (it has ``submit`` and ``scheduler``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from nemowidgets.api.errors import ConfigurationError
from nemowidgets.protocol import RENDER_ASPECTS

__all__ = ["PARALLEL_MODES", "check_aspect", "check_aspects", "check_cluster", "check_parallel"]

_ADDRESS = re.compile(r"^(tcp|tls|ucx|ws|wss)://[^\s/:]+(:\d{1,5})?$")
#: ``parallel=`` of an export -> ``output.parallel`` of the render request.
PARALLEL_MODES = {True: "chunks", False: "none", "chunks": "chunks", "jobs": "jobs", "none": "none"}
#: Spellings users type for the presets.
_ASPECT_ALIASES = {
    "16x9": "16:9", "9x16": "9:16", "1x1": "1:1", "4x5": "4:5",
    "landscape": "16:9", "horizontal": "16:9", "widescreen": "16:9", "youtube": "16:9",
    "vertical": "9:16", "portrait": "9:16", "reels": "9:16", "tiktok": "9:16",
    "shorts": "9:16", "story": "9:16", "square": "1:1", "post": "1:1",
}  # fmt: skip


def check_cluster(cluster: Any) -> Any:
    """A scheduler address (stripped) or a client-like object, or ``None``."""
    if cluster is None:
        return None
    if isinstance(cluster, str):
        address = cluster.strip()
        if not _ADDRESS.match(address):
            raise ConfigurationError(
                f"cluster must be a Dask scheduler address like 'tcp://127.0.0.1:8786' "
                f"or a distributed.Client, not {cluster[:80]!r}.",
                field="cluster",
            )
        return address
    if callable(getattr(cluster, "submit", None)) and hasattr(cluster, "scheduler"):
        return cluster
    raise ConfigurationError(
        f"cluster must be a Dask scheduler address ('tcp://host:port') or a "
        f"distributed.Client, not {type(cluster).__name__}.",
        field="cluster",
    )


def check_aspect(aspect: Any, field: str = "aspect") -> str | None:
    """One of the presets (``16:9 9:16 1:1 4:5``, or a word like ``vertical``), or None."""
    if aspect is None:
        return None
    text = str(aspect).strip().lower() if isinstance(aspect, str) else None
    chosen = _ASPECT_ALIASES.get(text or "", text)
    if chosen not in RENDER_ASPECTS:
        raise ConfigurationError(
            f"{field} must be one of {', '.join(RENDER_ASPECTS)} (or vertical, square, "
            f"landscape), not {aspect!r}.",
            field=field,
        )
    return chosen


def check_aspects(aspects: Any) -> list[str]:
    """A non-empty list of presets, duplicates dropped, in the order given."""
    if isinstance(aspects, str) or not isinstance(aspects, Iterable):
        raise ConfigurationError(
            f"aspects must be a list like ['16:9', '9:16', '1:1'], not {aspects!r}.",
            field="aspects",
        )
    chosen: list[str] = []
    for i, aspect in enumerate(aspects):
        value = check_aspect(aspect, f"aspects[{i}]")
        if value is not None and value not in chosen:
            chosen.append(value)
    if not chosen:
        raise ConfigurationError(
            "aspects is empty: name at least one, e.g. ['9:16'].", field="aspects"
        )
    return chosen


def check_parallel(parallel: Any) -> str | None:
    """``None`` (the server decides), or the request's ``output.parallel`` value."""
    if parallel is None:
        return None
    if isinstance(parallel, bool | str) and parallel in PARALLEL_MODES:
        return PARALLEL_MODES[parallel]
    raise ConfigurationError(
        f"parallel must be None, True (split the video over workers), False (one piece, "
        f"in the server), 'jobs' or 'chunks', not {parallel!r}.",
        field="parallel",
    )
