"""The ``nemowidgets`` command: ``demo``, ``render`` and ``serve``.

``render`` is the main job without a notebook: photos (and music) in, an MP4 out,
through the same :class:`~nemowidgets.session.Session` the widgets use, so the
CLI exercises exactly what a notebook user gets.  ``demo`` opens the quickstart
in JupyterLab (or Voila); ``serve`` runs a standalone local backend for several
notebooks (a JupyterHub, a Binder).

Exit codes: 0 done; 1 a :class:`~nemowidgets.api.errors.NemoError` (its message
and the action to take are printed, never a traceback); 2 bad usage (a missing
file, an unknown option); 130 interrupted.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from nemowidgets.cli._common import EXIT_ERROR, EXIT_INTERRUPTED, EXIT_USAGE, UsageError
from nemowidgets.cli._demo import find_notebook
from nemowidgets.cli._parser import build_parser
from nemowidgets.cli._progress import ProgressBar
from nemowidgets.cli._render import DEFAULT_PROMPT

__all__ = ["DEFAULT_PROMPT", "ProgressBar", "build_parser", "find_notebook", "main"]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code (the console script exits with it)."""
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except UsageError as exc:
        print(f"nemowidgets {args.command}: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("\ninterrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as exc:  # NemoError is imported lazily; check by type below
        from nemowidgets.api.errors import NemoError

        if not isinstance(exc, NemoError):
            raise
        print(f"nemowidgets {args.command}: error: {exc.message}", file=sys.stderr)
        if exc.hint and exc.hint not in exc.message:
            print(f"hint: {exc.hint}", file=sys.stderr)
        return EXIT_ERROR
