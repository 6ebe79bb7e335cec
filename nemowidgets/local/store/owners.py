"""Who owns a render job: ``pid:instance`` of the server that runs it, and whether it lives.

A job whose owner is gone (a dead process, or a stopped server in this process)
is an orphan that the next server adopts; the uploads' leftover parts use the
same test.
"""

from __future__ import annotations

import os

__all__ = ["LIVE_OWNERS", "owner_alive"]

#: Owner ids of the runners alive in this process (a stopped one's jobs are orphans).
LIVE_OWNERS: set[str] = set()


def pid_alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    except OSError:  # pragma: no cover - e.g. Windows quirks: assume alive, do not steal
        return True
    return True


def owner_alive(owner: str | None) -> bool:
    """Is the server that owns a job still running?"""
    if not owner:
        return False
    pid_text, _, _instance = owner.partition(":")
    if not pid_text.isdigit():
        return False
    if int(pid_text) == os.getpid():
        return owner in LIVE_OWNERS
    return pid_alive(int(pid_text))
