"""The Session's drafts: the latest state, the shown draft, the history, restore.

:class:`Drafts` adopts every state payload the server sends back: when the
server's draft moved on it becomes the shown draft, joins the history and a
``"draft"`` event says what changed in words.  A draft restored from the history
is shown (and exported) until the server's draft moves on again: the protocol
cannot upload a draft, so the agent's next edit starts from the server's latest.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from nemowidgets.api.errors import ConfigurationError
from nemowidgets.draft import Draft
from nemowidgets.session._connection import Connection
from nemowidgets.session._runtime import Runtime

__all__ = ["Adopted", "Drafts", "draft_moved"]


@dataclass(frozen=True)
class Adopted:
    """What adopting a state payload did: the shown draft, the change in words, whether new."""

    draft: Draft | None
    diff: str
    changed: bool


def draft_moved(before: Draft | None, data: dict[str, Any]) -> bool:
    """Whether the draft in state payload ``data`` differs from ``before``."""
    new = Draft.from_state(data)
    if new is None:
        return False
    return before is None or new.raw != before.raw or new.version != before.version


class Drafts:
    """The latest state payload, the shown and the server's draft, and every version seen."""

    def __init__(self, runtime: Runtime, connection: Connection) -> None:
        self._runtime = runtime
        self._connection = connection
        self._state: dict[str, Any] | None = None
        self._draft: Draft | None = None  # the shown one (a restored version, or the server's)
        self._server_draft: Draft | None = None
        self._history: list[Draft] = []

    @property
    def state(self) -> dict[str, Any] | None:
        return self._state

    @property
    def draft(self) -> Draft | None:
        return self._draft

    @property
    def server_draft(self) -> Draft | None:
        return self._server_draft

    @property
    def history(self) -> tuple[Draft, ...]:
        return tuple(self._history)

    # -- the server's state ------------------------------------------------------------
    async def refresh(self) -> dict[str, Any]:
        """Read the state from the server and adopt it."""
        client = await self._connection.get_client()
        data = await self._connection.with_session(client.state)
        self.adopt(data)
        return data

    def adopt(self, data: dict[str, Any]) -> Adopted:
        """Take a state payload: update the draft and history when the server's draft changed.

        Compared with the server's previous draft (not the shown one), so a draft
        restored from the history stays current until the server's draft moves on.
        """
        self._state = data
        new = Draft.from_state(data)
        shown, previous = self._draft, self._server_draft
        if new is None or (
            previous is not None and previous.raw == new.raw and previous.version == new.version
        ):
            return Adopted(shown, "No changes", False)
        self._server_draft = self._draft = new
        self._history.append(new)
        diff = shown.diff(new) if shown is not None else f"New timeline: {new.summary()}"
        version = new.version if new.version is not None else len(self._history)
        self._runtime.emit("draft", draft=new, diff=diff, version=version, restored=False)
        return Adopted(new, diff, True)

    def detach(self) -> None:
        """The session was replaced: its drafts are not the new session's (history is kept)."""
        self._server_draft = self._draft = None

    def announce_empty(self) -> None:
        """Tell the widgets the shown timeline is gone (after a replaced session)."""
        if self._history:
            self._runtime.emit(
                "draft",
                draft=None,
                diff="The new session starts with an empty timeline.",
                version=0,
                restored=False,
            )

    # -- restore -----------------------------------------------------------------------
    def restore(self, index: int) -> Draft:
        """Make ``history[index]`` the shown draft; the server's draft is not changed."""
        try:
            chosen = self._history[index]
        except IndexError:
            raise ConfigurationError(
                f"No draft version {index}: the history has {len(self._history)}."
            ) from None
        before, self._draft = self._draft, chosen
        diff = before.diff(chosen) if before is not None else chosen.summary()
        version = chosen.version if chosen.version is not None else self._history.index(chosen) + 1
        self._runtime.emit("draft", draft=chosen, diff=diff, version=version, restored=True)
        self._runtime.emit(
            "notice",
            text=f"Restored draft version {version}. Export renders it; the "
            "agent's next edit starts from the server's latest draft.",
        )
        return chosen
