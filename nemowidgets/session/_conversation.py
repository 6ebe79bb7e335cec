"""The Session's conversation: prompts routed, turns run, the agent's events kept.

Route first (:func:`nemowidgets.routing.route`): export / credits / status /
upload are done by the client and never cost an agent call; everything else is
an agent turn (:class:`~nemowidgets.session._agent_turn.AgentTurn`).  Every turn
is framed by ``turn_started`` / ``turn_finished`` events - also when it fails,
so the widgets always see it end - and the credits are refreshed after it.
"""

from __future__ import annotations

import asyncio
import copy
from collections import deque

from nemowidgets.api.errors import (
    AgentError,
    CancelledByUser,
    ConfigurationError,
    DraftError,
    MediaError,
    NemoError,
    RenderError,
)
from nemowidgets.api.events import AgentEvent
from nemowidgets.draft import Draft, format_seconds
from nemowidgets.routing import export_quality, export_size, route, variant_aspects
from nemowidgets.session._agent_turn import AgentTurn
from nemowidgets.session._args import check_prompt
from nemowidgets.session._connection import Connection
from nemowidgets.session._drafts import Drafts
from nemowidgets.session._events import Turn
from nemowidgets.session._exports import Exports
from nemowidgets.session._media import MediaLibrary
from nemowidgets.session._runtime import Runtime
from nemowidgets.session._variants import Variants

__all__ = ["NO_DRAFT", "UPLOAD_HELP", "Conversation", "at_size"]

UPLOAD_HELP = (
    "Prompts cannot carry files. To upload, use the Uploader (browser files or the "
    "kernel's file chooser), or call session.upload('photos/') with a file or folder."
)
NO_DRAFT = "No timeline yet: try 'make a slideshow with transitions and music'."
#: Failures that end a turn (kept in ``turn.error``) instead of raising from send().
_TURN_ERRORS = (AgentError, DraftError, RenderError, MediaError, ConfigurationError)


def at_size(draft: Draft | None, short_side: int | None) -> tuple[Draft | None, str]:
    """``draft`` scaled so its shorter side is ``short_side`` ("export it in 720p").

    The aspect is kept and both sides are even (H.264 needs it); the current draft
    itself is not changed.  Returns ``(None, "")`` for "use the current draft as it
    is", and a note when the size cannot be applied.
    """
    if draft is None or short_side is None:
        return None, ""
    meta = draft.meta
    width, height = meta.get("width"), meta.get("height")
    if (
        not (isinstance(width, int | float) and isinstance(height, int | float))
        or min(width, height) <= 0
    ):
        return None, f" (The timeline has no size of its own, so {short_side}p was not applied.)"
    w, h = float(width), float(height)
    scale = short_side / min(w, h)
    raw = copy.deepcopy(draft.raw)
    raw["m"] = {**meta, "width": _even(w * scale), "height": _even(h * scale)}
    return Draft(raw, version=draft.version), ""


def _even(value: float) -> int:
    return max(2, round(value / 2) * 2)


class Conversation:
    """Runs prompts as turns and keeps every agent event shown."""

    def __init__(
        self,
        runtime: Runtime,
        connection: Connection,
        media: MediaLibrary,
        drafts: Drafts,
        exports: Exports,
        variants: Variants | None = None,
    ) -> None:
        self._runtime = runtime
        self._variants = variants
        self._connection = connection
        self._media = media
        self._drafts = drafts
        self._exports = exports
        self._events: deque[AgentEvent] = deque(maxlen=10_000)

    @property
    def events(self) -> tuple[AgentEvent, ...]:
        return tuple(self._events)

    def _say(self, event: AgentEvent) -> None:
        self._events.append(event)
        self._runtime.emit("agent_event", event=event)

    async def send(self, prompt: str) -> Turn:
        """Route ``prompt`` and run it as one turn."""
        check_prompt(prompt)  # before connecting: a bad argument does no work
        action = route(prompt)
        await self._connection.connect()
        async with self._runtime.busy_with("turn"):
            self._runtime.emit("turn_started", prompt=prompt, action=action)
            try:
                if action == "agent":
                    turn = await AgentTurn(
                        self._runtime, self._connection, self._drafts, self._say, prompt
                    ).run()
                else:
                    turn = await self._action_turn(prompt, action)
            except BaseException as exc:  # the turn still finishes, for the widgets
                self._runtime.emit("turn_finished", turn=self._failed(prompt, action, exc))
                raise
            self._runtime.emit("turn_finished", turn=turn)
        if action != "credits":
            await self._connection.refresh_credits(quiet=True)
        return turn

    def _failed(self, prompt: str, action: str, exc: BaseException) -> Turn:
        error: NemoError | None = None
        if isinstance(exc, NemoError):
            error = exc
        elif isinstance(exc, asyncio.CancelledError):
            error = CancelledByUser("Cancelled.")
        reply = str(error or exc)
        return Turn(prompt, action, (), self._drafts.draft, "No changes", reply, error)

    async def _action_turn(self, prompt: str, action: str) -> Turn:
        """A prompt the client answers itself (export, credits, status, upload)."""
        error: NemoError | None = None
        try:
            reply = await self._act(prompt, action)
        except _TURN_ERRORS as exc:
            self._runtime.report(exc)
            error, reply = exc, str(exc)
        event = AgentEvent("error" if error else "notice", text=reply)
        self._say(event)
        return Turn(prompt, action, (event,), self._drafts.draft, "No changes", reply, error)

    async def _act(self, prompt: str, action: str) -> str:
        if action == "export":
            draft, note = at_size(self._drafts.draft, export_size(prompt))
            result = await self._exports.export(export_quality(prompt), draft, None)
            size = f"{result.width}x{result.height}" if result.width else "?"
            length = format_seconds(result.duration) if result.duration is not None else "?"
            return f"Exported {result.path} ({length} s, {size}).{note}"
        if action == "variants" and self._variants is not None:
            aspects = variant_aspects(prompt)
            quality = export_quality(prompt)
            results = await self._variants.export(aspects, quality, None, None, self._drafts.draft)
            shown = ", ".join(f"{r.path.name} ({r.width}x{r.height})" for r in results)
            return f"Exported {len(results)} variant(s): {shown}. The draft is unchanged."
        if action == "credits":
            credits = await self._connection.credits()
            return (
                f"Credits: {credits.available:g} available, {credits.frozen:g} frozen. "
                "Export is free; agent prompts use credits."
            )
        if action == "status":
            await self._drafts.refresh()
            draft = self._drafts.draft
            summary = draft.summary() if draft is not None else NO_DRAFT
            return f"{summary} Media: {len(self._media.media)} file(s)."
        return UPLOAD_HELP
