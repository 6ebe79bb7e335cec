"""Who we are to the server: token, client id, base URL and attribution headers.

* The **token** comes from the argument, else ``NEMO_TOKEN``, else it is fetched
  anonymously (the client does that, see ``NemoClient.anonymous_token``).  It is
  held in a :class:`Secret`, whose ``repr``/``str`` are ``***``, so no log line,
  traceback or widget state can show it by accident.
* The **client id** is a uuid4 persisted in ``<config dir>/client_id`` and reused:
  the cloud rate-limits anonymous tokens per client, and the local backend maps
  the same client id to the same user, so a restarted kernel gets its sessions
  back.  The config dir is ``platformdirs.user_config_dir("nemowidgets")``, or
  ``NEMO_CONFIG_DIR`` (tests).  An unwritable dir degrades to a per-process id.
* The **attribution headers** ``X-Skill-Source/Version/Platform`` go on every
  call: without them the cloud blocks export with HTTP 402.
"""

from __future__ import annotations

import logging
import os
import sys
import uuid
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlsplit

import nemowidgets.protocol as protocol
from nemowidgets._version import __version__
from nemowidgets.api.errors import ConfigurationError

__all__ = [
    "SOURCE",
    "Secret",
    "attribution_headers",
    "config_dir",
    "detect_platform",
    "load_client_id",
    "resolve_base_url",
    "resolve_token",
]

log = logging.getLogger(__name__)

SOURCE = "nemowidgets"
_CLIENT_ID_FILE = "client_id"


class Secret:
    """A string that never shows itself: ``repr``/``str``/``format`` give ``***``."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('***')"

    def __str__(self) -> str:
        return "***"

    def __format__(self, spec: str) -> str:
        return "***"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)

    def __reduce__(self) -> tuple[object, ...]:  # never pickled into a notebook's state
        raise TypeError("a Secret cannot be pickled")


def resolve_token(token: str | None) -> Secret | None:
    """The token to use: the argument, else ``NEMO_TOKEN``; ``None`` means anonymous."""
    value = token if token is not None else os.environ.get("NEMO_TOKEN")
    value = (value or "").strip()
    return Secret(value) if value else None


def resolve_base_url(base_url: str | None) -> str:
    """The server's base URL: the argument, else ``NEMO_API_URL``, else the cloud."""
    source = "base_url"
    if base_url is None:
        base_url = os.environ.get("NEMO_API_URL") or None
        source = "NEMO_API_URL"
    if base_url is None:
        return protocol.CLOUD_BASE_URL
    url = base_url.strip().rstrip("/")
    try:
        parts = urlsplit(url)
        ok = parts.scheme.lower() in ("http", "https") and bool(parts.hostname)
    except ValueError:
        ok = False
    if not ok:
        raise ConfigurationError(
            f"{source} must be an http(s) URL such as {protocol.CLOUD_BASE_URL}, not {base_url!r}.",
            field=source,
        )
    return url


def config_dir() -> Path:
    """Where the client id lives (``NEMO_CONFIG_DIR`` overrides, for tests)."""
    override = os.environ.get("NEMO_CONFIG_DIR")
    if override:
        return Path(override)
    import platformdirs

    return Path(platformdirs.user_config_dir("nemowidgets"))


def load_client_id(directory: Path | None = None) -> str:
    """The persisted client id; made (uuid4) and saved on first use, then reused."""
    folder = directory if directory is not None else config_dir()
    path = folder / _CLIENT_ID_FILE
    try:
        text = path.read_text(encoding="utf-8").strip()
        return str(uuid.UUID(text))
    except FileNotFoundError:
        pass
    except (OSError, ValueError):
        log.warning("ignoring an unreadable client id in %s; making a new one", path)
    client_id = str(uuid.uuid4())
    try:
        folder.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{_CLIENT_ID_FILE}.{os.getpid()}.tmp")
        tmp.write_text(client_id + "\n", encoding="utf-8")
        os.replace(tmp, path)
    except OSError as exc:
        log.warning("cannot save the client id in %s (%s); using one for this process", folder, exc)
    return client_id


def detect_platform(
    environ: Mapping[str, str] | None = None, modules: Mapping[str, object] | None = None
) -> str:
    """``colab``, ``voila``, ``vscode``, ``jupyter`` or ``unknown``, most specific first.

    Colab, Voila and VS Code all run an ipykernel too, so they are checked
    before the generic ``jupyter``.
    """
    env = os.environ if environ is None else environ
    mods = sys.modules if modules is None else modules
    if "google.colab" in mods or any(key.startswith("COLAB_") for key in env):
        return "colab"
    if "voila" in mods or any(key.startswith("VOILA_") for key in env):
        return "voila"
    if "VSCODE_PID" in env or env.get("TERM_PROGRAM") == "vscode":
        return "vscode"
    if "JPY_PARENT_PID" in env or "ipykernel" in mods:
        return "jupyter"
    return "unknown"


def attribution_headers(platform: str | None = None) -> dict[str, str]:
    """The three ``X-Skill-*`` headers (``SKILL_SOURCE`` overrides the source)."""
    if platform is None:
        platform = detect_platform()
    elif platform not in protocol.PLATFORMS:
        raise ConfigurationError(
            f"platform must be one of {', '.join(protocol.PLATFORMS)}, not {platform!r}.",
            field="platform",
        )
    return {
        protocol.HEADER_SKILL_SOURCE: os.environ.get("SKILL_SOURCE") or SOURCE,
        protocol.HEADER_SKILL_VERSION: __version__,
        protocol.HEADER_SKILL_PLATFORM: platform,
    }
