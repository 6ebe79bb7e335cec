"""The URL under which the notebook's Jupyter server serves a file: how a large MP4 plays.

The rule (the player's module docstring says why): ``NEMO_FILES_URL`` if set; under
Voila ``<base>voila/files/<path>``; else the running Jupyter server whose root holds
the file (its ``jpserver-*.json``), ``<base_url>files/<path>``; else the path relative
to the notebook's folder under ``JUPYTERHUB_SERVICE_PREFIX``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from urllib.parse import quote

__all__ = ["served_url"]


def _jupyter_server_for(path: Path) -> tuple[Path, str] | None:
    """``(root_dir, base_url)`` of the running Jupyter server whose root holds ``path``."""
    try:
        from jupyter_core.paths import jupyter_runtime_dir

        runtime = Path(jupyter_runtime_dir())
        files = sorted(runtime.glob("jpserver-*.json"))
    except Exception:
        return None
    best: tuple[Path, str] | None = None
    for file in files:
        try:
            info = json.loads(file.read_text(encoding="utf-8"))
            root = Path(info["root_dir"]).expanduser().resolve()
            path.relative_to(root)
        except (OSError, ValueError, KeyError, TypeError):  # not this server's, or unreadable
            continue
        if best is None or len(root.parts) > len(best[0].parts):
            best = (root, str(info.get("base_url") or "/"))
    return best


def served_url(path: str | os.PathLike[str]) -> str | None:
    """The URL under which the notebook's server serves ``path``; ``None`` if it cannot.

    See the module docstring for the rule.
    """
    path = Path(path).resolve()
    override = os.environ.get("NEMO_FILES_URL")
    cwd = Path.cwd().resolve()
    if override:
        try:
            return override.rstrip("/") + "/" + quote(path.relative_to(cwd).as_posix())
        except ValueError:
            return None
    voila = os.environ.get("VOILA_BASE_URL")
    if voila is not None:
        try:
            rel = path.relative_to(cwd)
        except ValueError:
            return None
        return f"{voila.rstrip('/')}/voila/files/{quote(rel.as_posix())}"
    server = _jupyter_server_for(path)
    if server is not None:
        root, base = server
        return f"{base.rstrip('/')}/files/{quote(path.relative_to(root).as_posix())}"
    try:
        rel = path.relative_to(cwd)
    except ValueError:
        return None
    prefix = os.environ.get("JUPYTERHUB_SERVICE_PREFIX", "/")
    return f"{prefix.rstrip('/')}/files/{quote(rel.as_posix())}"
