"""What the media, drafts and renders do when the connection's server session changes.

The :class:`Lifecycle` is the Session's :class:`~._connection.ConnectionHooks`:

* attached to an existing session: its media and draft are taken from its state;
* resumed: the renders of the session file are picked up;
* replaced (the server forgot the session, code 1002): the drafts are detached,
  what came from disk is re-uploaded into the new session, and the user is told
  what happened and what to do - the one place that policy is written.
"""

from __future__ import annotations

from typing import Any

from nemowidgets.session._drafts import Drafts
from nemowidgets.session._exports import Exports
from nemowidgets.session._media import MediaLibrary, Reupload
from nemowidgets.session._runtime import Runtime

__all__ = ["Lifecycle", "replacement_message"]


def replacement_message(old: str | None, new: str, outcome: Reupload) -> str:
    """What a user reads when the server forgot session ``old``."""
    message = (
        f"The session {old} was not found on the server (it expired or the server lost "
        f"it); started a new one ({new}). The timeline starts empty."
    )
    if outcome.failure is not None:
        message += f" Re-uploading failed ({outcome.failure})."
    elif outcome.reuploaded:
        message += f" Re-uploaded {outcome.reuploaded} file(s) from disk."
    missing = outcome.before - outcome.reuploaded
    if missing or not outcome.before:
        message += " Upload your media again" + (
            f" ({missing} file(s) could not be re-uploaded)." if missing else "."
        )
    return message


class Lifecycle:
    """The Session's answer to the connection attaching, resuming or replacing a session."""

    def __init__(
        self, runtime: Runtime, media: MediaLibrary, drafts: Drafts, exports: Exports
    ) -> None:
        self._runtime = runtime
        self._media = media
        self._drafts = drafts
        self._exports = exports

    def attached(self, data: dict[str, Any]) -> None:
        self._media.adopt(data)
        self._drafts.adopt(data)

    def resume_renders(self, records: list[dict[str, Any]]) -> None:
        self._exports.resume(records)

    async def replaced(self, old: str | None, new: str) -> None:
        self._drafts.detach()
        outcome = await self._media.reupload(new)
        message = replacement_message(old, new, outcome)
        self._runtime.emit("session_replaced", old=old, new=new, message=message)
        self._drafts.announce_empty()  # the shown timeline belonged to the old session
        if outcome.before:
            self._media.announce()
