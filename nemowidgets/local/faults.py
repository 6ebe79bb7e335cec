"""Fault injection for the local server: off unless a test or ``NEMO_FAULTS`` turns it on.

Reliability tests need the server to misbehave on cue (a stream that drops, a
render that fails, a token that expires, ...) without patching our own code.
A :class:`FaultPlan` holds *armed* faults; the server asks it at a few fixed
points whether one fires.  With no plan (the default) the server does not even
make that call; with a plan and nothing armed the check is one dict lookup.

Faults (name, parameters, where it fires)::

    drop_stream      -                      /run_sse: cut the connection after the first event
    stall_stream     seconds=3600, interval=1.0
                                            /run_sse: only ": ping" keep-alives, then close
    malformed_event  -                      /run_sse: one event with broken JSON first
    http_error       status=503, path=None  any call (or those whose path contains ``path``)
    rate_limit       retry_after="1", path=None
                                            any call: HTTP 429 with ``Retry-After``
    expire_token     -                      next authenticated call: 1001; an issued
                                            (anonymous) token is really expired
    forget_session   session_id=None        next call naming a session (or that one):
                                            1002, and the session stays forgotten
    render_fail      message=...            next render job fails with that message
    render_stall     seconds=3600           next render job sits in "processing" at 0 %
                                            (until cancelled or ``seconds`` pass)

Every fault fires ``times`` times (default 1; ``None`` = until disarmed) and
``plan.hits[name]`` counts how often it did, so tests can prove it triggered.

In a test::

    server = start_server(data_dir=tmp, faults=True)      # enabled, nothing armed
    server.faults.arm("drop_stream")
    server.faults.arm("http_error", times=2, status=502, path="/api/credits")

From outside the process: ``POST /_local/faults`` (bearer token; the route only
exists when faults are enabled) with ``{"arm": {"render_fail": {"times": 1}},
"clear": false}``; ``GET /_local/faults`` shows the plan.  The environment
variable ``NEMO_FAULTS="drop_stream,http_error:2:status=502,render_stall:*"``
arms faults at start (``:N`` times, ``:*`` until disarmed, ``key=value`` params).

``LocalServer.restart()`` (:mod:`nemowidgets.local.server.launch`) stops the server
and starts a new one on the same data dir, port, token, secret and plan ("restart
the server between calls").  This module is a leaf: the server and the render jobs
both read the plan, so it imports nothing of theirs.
"""

from __future__ import annotations

import os
import threading
from collections import Counter
from typing import Any

__all__ = ["FAULTS", "FaultPlan", "plan_from"]

#: Every fault name and its default parameters.
FAULTS: dict[str, dict[str, Any]] = {
    "drop_stream": {},
    "stall_stream": {"seconds": 3600.0, "interval": 1.0},
    "malformed_event": {},
    "http_error": {"status": 503, "path": None},
    "rate_limit": {"retry_after": "1", "path": None},
    "expire_token": {},
    "forget_session": {"session_id": None},
    "render_fail": {"message": "Injected fault: the render failed on purpose (render_fail)."},
    "render_stall": {"seconds": 3600.0},
}


class FaultPlan:
    """The armed faults; thread-safe (tests arm from their thread, the server reads)."""

    def __init__(self, spec: str | None = None) -> None:
        #: name -> {"times": int | None, **params}; empty means nothing fires.
        self.armed: dict[str, dict[str, Any]] = {}
        self.hits: Counter[str] = Counter()
        self._lock = threading.Lock()
        if spec:
            self.arm_spec(spec)

    def arm(self, name: str, *, times: int | None = 1, **params: Any) -> FaultPlan:
        """Arm ``name`` to fire ``times`` times (``None``: until disarmed) with ``params``."""
        if name not in FAULTS:
            raise ValueError(f"Unknown fault {name!r}; known: {', '.join(sorted(FAULTS))}.")
        unknown = set(params) - set(FAULTS[name])
        if unknown:
            raise ValueError(f"Fault {name!r} takes no parameter(s) {sorted(unknown)}.")
        if times is not None and times < 1:
            raise ValueError(f"Fault {name!r}: times must be >= 1 or None.")
        with self._lock:
            self.armed[name] = {"times": times, **FAULTS[name], **params}
        return self

    def arm_spec(self, spec: str) -> FaultPlan:
        """Arm from the ``NEMO_FAULTS`` syntax: ``name[:N|:*][:key=value...]``, comma separated."""
        for item in filter(None, (part.strip() for part in spec.split(","))):
            name, *rest = item.split(":")
            times: int | None = 1
            params: dict[str, Any] = {}
            for token in rest:
                if token == "*":
                    times = None
                elif token.isdigit():
                    times = int(token)
                elif "=" in token:
                    key, _, value = token.partition("=")
                    params[key] = _coerce(value)
                else:
                    raise ValueError(f"NEMO_FAULTS: cannot read {token!r} in {item!r}.")
            self.arm(name, times=times, **params)
        return self

    def disarm(self, name: str) -> None:
        with self._lock:
            self.armed.pop(name, None)

    def clear(self) -> None:
        """Disarm everything (hit counts are kept)."""
        with self._lock:
            self.armed.clear()

    def is_armed(self, name: str) -> bool:
        return name in self.armed

    def take(self, name: str, **match: Any) -> dict[str, Any] | None:
        """Fire ``name`` once if armed (and its ``path``/``session_id`` filters match): its params.

        The fast path is the dict lookup: nothing armed, nothing locked.
        """
        if name not in self.armed:
            return None
        with self._lock:
            entry = self.armed.get(name)
            if entry is None:
                return None
            path = entry.get("path")
            if path and path not in str(match.get("path", "")):
                return None
            wanted = entry.get("session_id")
            if wanted and str(wanted) != str(match.get("session_id", "")):
                return None
            if entry["times"] is not None:
                entry["times"] -= 1
                if entry["times"] <= 0:
                    del self.armed[name]
            self.hits[name] += 1
            return dict(entry)

    def snapshot(self) -> dict[str, Any]:
        """The plan as JSON-ready data (for ``GET /_local/faults``)."""
        with self._lock:
            return {"armed": {k: dict(v) for k, v in self.armed.items()}, "hits": dict(self.hits)}

    def __repr__(self) -> str:
        return f"FaultPlan(armed={sorted(self.armed)}, hits={dict(self.hits)})"


def _coerce(value: str) -> Any:
    """``NEMO_FAULTS`` values: ints and floats as numbers, the rest as text."""
    for kind in (int, float):
        try:
            return kind(value)
        except ValueError:
            pass
    return value


def plan_from(faults: FaultPlan | str | bool | dict[str, Any] | None) -> FaultPlan | None:
    """The plan for ``create_app(faults=...)``: an object, a spec, ``True``, or ``NEMO_FAULTS``.

    ``None`` means: look at ``NEMO_FAULTS``; unset or empty, faults stay off entirely.
    ``False`` forces them off whatever the environment says.
    """
    if isinstance(faults, FaultPlan):
        return faults
    if faults is False:
        return None
    if faults is True:
        return FaultPlan()
    if isinstance(faults, str):
        return FaultPlan(faults)
    if isinstance(faults, dict):
        plan = FaultPlan()
        for name, params in faults.items():
            plan.arm(name, **(params or {}))
        return plan
    env = os.environ.get("NEMO_FAULTS", "").strip()
    return FaultPlan(env) if env else None
