"""The local backend's draft routes on the client: hand edits, and setting the draft.

``/_local/edits`` and ``/_local/draft`` (docs/protocol.md, the local extensions) are how
the timeline strip, ``Session.edit``, undo, redo and restore change the server's draft.
The cloud has no such routes: there a call raises :class:`UnsupportedOnCloudError`.
"""

from __future__ import annotations

from typing import Any

import nemowidgets.protocol as protocol
from nemowidgets.api import errors as E
from nemowidgets.api.http import Call, HTTPCore

__all__ = ["LocalEdits"]


class LocalEdits(HTTPCore):
    """The local-extension endpoints; :class:`~nemowidgets.api.client.NemoClient` has them."""

    async def apply_edits(
        self, session_id: str, edits: list[dict[str, Any]], *, base_version: int | None = None
    ) -> dict[str, Any]:
        """Apply named edits (``[{"name", "args"}]``) as one new draft version; the new state.

        ``base_version``: the draft version the edits were made on; a session that
        moved on since refuses them (:class:`StaleDraftError`).  Local backend only.
        """
        body: dict[str, Any] = {"session_id": str(session_id), "edits": edits}
        if base_version is not None:
            body["base_version"] = base_version
        call = Call("POST", protocol.LOCAL_EDITS_PATH, f"edit of session {session_id}", json=body)
        return await self._local(call)

    async def set_draft(
        self,
        session_id: str,
        *,
        draft: dict[str, Any] | None = None,
        version: int | None = None,
        base_version: int | None = None,
        source: str = "set",
    ) -> dict[str, Any]:
        """Store ``draft``, or a copy of stored ``version``, as a new draft version; the state.

        How undo, redo and restore change the server's draft.  Local backend only.
        """
        if (draft is None) == (version is None):
            raise E.ConfigurationError("Give either draft or version.", field="draft")
        body: dict[str, Any] = {"session_id": str(session_id), "source": source}
        body.update({"draft": draft} if draft is not None else {"version": version})
        if base_version is not None:
            body["base_version"] = base_version
        call = Call("POST", protocol.LOCAL_DRAFT_PATH, f"{source} of session {session_id}",
                    json=body)  # fmt: skip
        return await self._local(call)

    async def _local(self, call: Call) -> dict[str, Any]:
        """Send a local-extension call; a server without the route is the cloud's answer."""
        try:
            data = await self._send(call)
        except E.SessionNotFoundError:
            raise
        except E.NotFoundError as exc:
            raise E.UnsupportedOnCloudError(
                f"{call.what}: this server has no {call.url} (hand edits, undo and redo are "
                "local-backend extensions).",
                status=exc.status,
            ) from None
        except E.APIError as exc:
            if exc.status == 409:
                raise E.StaleDraftError(exc.message, code=exc.code, status=409) from None
            if exc.status == 422:
                raise E.DraftError(
                    exc.message, hint="Fix the named edit or argument and try again.",
                    code=exc.code, status=422,
                ) from None  # fmt: skip
            raise
        if not isinstance(data, dict) or not isinstance(data.get("state"), dict):
            raise E.MalformedPayloadError(
                f"{call.what}: field 'data.state' is missing or not an object.", field="data.state"
            )
        return data
