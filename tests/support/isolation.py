"""Tests never see the settings of the person running them; this says how, once.

Two forms: :func:`isolate` for tests that run nemowidgets in this process (through
a ``MonkeyPatch``, undone after the test or module), and :func:`clean_env` for
the environment of a subprocess (a CLI run, a kernel, a README command).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

import pytest

#: A user's settings that would reach a client or a server under test.
USER_SETTINGS = ("NEMO_TOKEN", "NEMO_API_URL", "SKILL_SOURCE")
#: The folders nemowidgets keeps things in, each overridable from the environment.
DIR_SETTINGS = ("NEMO_LOCAL_DATA_DIR", "NEMO_STATE_DIR", "NEMO_CONFIG_DIR")


def isolate(mp: pytest.MonkeyPatch, root: Path, *also_unset: str) -> Path:
    """Config and state folders under ``root``; the user's settings (and ``also_unset``) unset.

    The config folder holds the client id, the state folder the saved sessions and
    renders: a test must not read or overwrite the developer's own.
    """
    mp.setenv("NEMO_CONFIG_DIR", str(root / "config"))
    mp.setenv("NEMO_STATE_DIR", str(root / "state"))
    for name in (*USER_SETTINGS, *also_unset):
        mp.delenv(name, raising=False)
    return root


def clean_env(root: Path, *, drop: Iterable[str] = ()) -> dict[str, str]:
    """A subprocess's environment: no ``NEMO_*`` setting of the user's (nor ``drop``), and every
    nemowidgets folder made under ``root`` (``root / "nemo_state_dir"`` ...)."""
    dropped = set(drop)
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEMO_") and k not in dropped}
    for var in DIR_SETTINGS:
        path = root / var.lower()
        path.mkdir(parents=True, exist_ok=True)
        env[var] = str(path)
    return env
