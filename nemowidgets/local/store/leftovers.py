"""What a server that stopped mid-request left in the data dir, and cleaning it at start-up.

An upload is written to ``tmp/up_<owner>_<random>.part`` while it arrives and
moved into the session's media folder once it is whole.  A server stopped
mid-upload (killed, or its kernel gone) never gets to delete its part, and
without this the file would stay forever.  Several servers (kernels) may share
one data dir, so a starting server removes only the parts of servers that are
no longer running: the ``owner`` in the name is the server's ``pid:instance``
(the render jobs' owner id, see :func:`nemowidgets.local.store.owners.owner_alive`),
written with a ``-`` for the ``:``.  A part without an owner (an older version's)
is removed once it is an hour old.
"""

from __future__ import annotations

import logging
import re
import secrets
import time
from collections.abc import Callable
from pathlib import Path

__all__ = ["part_name", "sweep_parts"]

log = logging.getLogger(__name__)

#: An ownerless part this old is taken to be an orphan (seconds).
UNOWNED_AGE = 3600.0
_PART = re.compile(r"^up_(?:(?P<pid>\d+)-(?P<instance>[0-9a-f]+)_)?[0-9a-f]+\.part$")


def part_name(owner: str = "") -> str:
    """A fresh part file name for an upload received by the server ``owner`` (``pid:instance``)."""
    tag = f"{owner.replace(':', '-')}_" if re.fullmatch(r"\d+:[0-9a-f]+", owner) else ""
    return f"up_{tag}{secrets.token_hex(8)}.part"


def sweep_parts(tmp_dir: Path, alive: Callable[[str], bool]) -> int:
    """Delete the parts in ``tmp_dir`` whose server is gone; how many were deleted.

    ``alive(owner)`` says whether the server ``pid:instance`` still runs.
    """
    removed = 0
    now = time.time()
    for path in tmp_dir.glob("up_*.part"):
        found = _PART.match(path.name)
        if found is None:
            continue
        try:
            if found["pid"] is not None:
                orphan = not alive(f"{found['pid']}:{found['instance']}")
            else:
                orphan = now - path.stat().st_mtime > UNOWNED_AGE
            if orphan:
                path.unlink()
                removed += 1
        except FileNotFoundError:  # another server swept it first
            continue
    if removed:
        log.info("removed %d unfinished upload(s) left by a stopped server", removed)
    return removed
