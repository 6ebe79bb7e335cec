"""The Session's drafts: the latest state, the shown draft, the history, hand edits, undo and redo.

:class:`Drafts` adopts every state payload the server sends back: when the
server's draft moved on it becomes the shown draft, joins the history and a
``"draft"`` event says what changed in words.

Hand edits (``Session.edit``), ``remove_media``, ``undo``/``redo`` and
``restore`` change the **server's** draft through the local backend's
extensions (``/_local/edits``, ``/_local/draft``; docs/protocol.md): each is a
new draft version, so the agent's next prompt builds on it and an export
renders it.  Each names the version it was made on; if a prompt moved the draft
on meanwhile, the server refuses (:class:`StaleDraftError`) and the Session shows
the newer draft instead, so a concurrent prompt's draft is never lost.

Undo and redo walk two stacks of drafts: every change that is not an undo or
redo (a prompt, a hand edit, a restore) pushes the draft it replaced onto the
undo stack and clears the redo stack.  On the cloud, which has no such routes,
edits raise :class:`UnsupportedOnCloudError` and ``restore`` only changes the
shown draft (the protocol cannot upload one).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from nemowidgets.api.errors import ConfigurationError, StaleDraftError, UnsupportedOnCloudError
from nemowidgets.draft import Draft
from nemowidgets.protocol import CLOUD_BASE_URL
from nemowidgets.session._connection import Connection
from nemowidgets.session._media import MediaLibrary
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


def _nothing(what: str) -> ConfigurationError:
    return ConfigurationError(
        f"There is nothing to {what}: no earlier change of the timeline to go back to."
        if what == "undo"
        else "There is nothing to redo: redo repeats a change that undo took back.",
        hint="",
    )


class Drafts:
    """The latest state payload, the shown and the server's draft, every version seen, undo."""

    def __init__(self, runtime: Runtime, connection: Connection, media: MediaLibrary) -> None:
        self._runtime = runtime
        self._connection = connection
        self._media = media
        self._state: dict[str, Any] | None = None
        self._draft: Draft | None = None  # the shown one (a restored version, or the server's)
        self._server_draft: Draft | None = None
        self._history: list[Draft] = []
        self._undo: list[Draft] = []
        self._redo: list[Draft] = []
        self._lock = asyncio.Lock()  # one change at a time, each on the previous one's version

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

    @property
    def can_undo(self) -> bool:
        return bool(self._undo)

    @property
    def can_redo(self) -> bool:
        return bool(self._redo)

    # -- the server's state ------------------------------------------------------------
    async def refresh(self) -> dict[str, Any]:
        """Read the state from the server and adopt it."""
        client = await self._connection.get_client()
        data = await self._connection.with_session(client.state)
        self.adopt(data)
        return data

    def adopt(self, data: dict[str, Any], *, push: bool = True, restored: bool = False) -> Adopted:
        """Take a state payload: update the draft and history when the server's draft changed.

        Compared with the server's previous draft (not the shown one), so a draft
        restored on the client stays current until the server's draft moves on.
        ``push``: the replaced draft goes onto the undo stack (not for undo/redo).
        """
        self._state = data
        new = Draft.from_state(data)
        shown, previous = self._draft, self._server_draft
        if new is None or (
            previous is not None and previous.raw == new.raw and previous.version == new.version
        ):
            return Adopted(shown, "No changes", False)
        if push and previous is not None:
            self._undo.append(previous)
            self._redo.clear()
        self._server_draft = self._draft = new
        self._history.append(new)
        diff = shown.diff(new) if shown is not None else f"New timeline: {new.summary()}"
        version = new.version if new.version is not None else len(self._history)
        self._runtime.emit("draft", draft=new, diff=diff, version=version, restored=restored)
        return Adopted(new, diff, True)

    def detach(self) -> None:
        """The session was replaced: its drafts are not the new session's (history is kept)."""
        self._server_draft = self._draft = None
        self._undo.clear()
        self._redo.clear()

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

    # -- changing the server's draft ----------------------------------------------------
    def _check_extensions(self, what: str) -> None:
        settings = self._connection.settings
        if settings.backend == "cloud" and settings.base_url.rstrip("/") == CLOUD_BASE_URL:
            raise UnsupportedOnCloudError(
                f"{what} needs the local backend: the cloud's protocol has no way to change "
                "the draft except by a prompt."
            )

    async def _base_version(self) -> int | None:
        if self._state is None:
            await self.refresh()
        state = (self._state or {}).get("state")
        version = state.get("draft_version") if isinstance(state, dict) else None
        return version if isinstance(version, int) else None

    async def _send(self, op: str, **kw: Any) -> dict[str, Any]:
        """One edit route call on the current version; the answer's media adopted first."""
        await self._connection.connect()
        client = await self._connection.get_client()
        base = await self._base_version()
        call = getattr(client, op)
        try:
            data: dict[str, Any] = await self._connection.with_session(
                lambda sid: call(sid, base_version=base, **kw)
            )
        except StaleDraftError:
            await self.refresh()  # show the newer draft; the user's change was not applied
            raise
        self._media.sync(data)  # before the draft, so its thumbnails are known
        return data

    async def edit(self, edits: list[dict[str, Any]]) -> Draft | None:
        """Apply named edits as one new version of the server's draft; the new draft."""
        self._check_extensions("Editing the timeline by hand")
        async with self._lock:
            self.adopt(await self._send("apply_edits", edits=edits))
        return self._draft

    async def undo(self) -> Draft:
        """Go back to the draft before the last change (a new version on the server)."""
        return await self._move(self._undo, self._redo, "undo")

    async def redo(self) -> Draft:
        """Repeat the change the last undo took back."""
        return await self._move(self._redo, self._undo, "redo")

    async def _move(self, source: list[Draft], other: list[Draft], what: str) -> Draft:
        self._check_extensions(what.capitalize())
        async with self._lock:
            if not source:
                raise _nothing(what)
            target, current = source.pop(), self._server_draft
            if current is not None:
                other.append(current)  # before the "draft" event, so widgets see the new stacks
            try:
                data = await self._send("set_draft", source=what, **_chosen(target))
            except BaseException:
                if current is not None:
                    other.pop()
                source.append(target)
                raise
            self.adopt(data, push=False)
        assert self._draft is not None
        return self._draft

    # -- restore -----------------------------------------------------------------------
    async def restore(self, index: int) -> Draft:
        """Make ``history[index]`` the draft: on the server when it can, else only shown."""
        try:
            chosen = self._history[index]
        except IndexError:
            raise ConfigurationError(
                f"No draft version {index}: the history has {len(self._history)}."
            ) from None
        try:
            self._check_extensions("Restore")
            async with self._lock:
                before = self._draft
                self.adopt(
                    await self._send("set_draft", source="restore", **_chosen(chosen)),
                    restored=True,
                )
        except UnsupportedOnCloudError:
            return self._show_only(chosen)
        assert self._draft is not None
        if self._draft is before:  # it was the server's draft already
            return self._show_only(chosen)
        version = self._draft.version
        self._runtime.emit(
            "notice",
            text=f"Restored draft version {chosen.version} as version {version}: export "
            "renders it, and the agent's next edit builds on it.",
        )
        return self._draft

    def _show_only(self, chosen: Draft) -> Draft:
        """The cloud: show (and export) ``chosen``; the server's draft is not changed."""
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


def _chosen(draft: Draft) -> dict[str, Any]:
    """How to name ``draft`` to the server: its stored version, else the draft itself."""
    return {"version": draft.version} if draft.version is not None else {"draft": draft.raw}
