"""``nemowidgets serve``: a standalone local backend for several notebooks."""

from __future__ import annotations

import argparse

from nemowidgets.cli._common import UsageError

__all__ = ["cmd_serve"]


def cmd_serve(args: argparse.Namespace) -> int:
    from nemowidgets.local.server.launch import serve

    if not 0 <= args.port <= 65535:
        raise UsageError(f"--port {args.port}: must be 0-65535")
    data_dir = args.data_dir.expanduser().resolve() if args.data_dir else None
    return serve(host=args.host, port=args.port, data_dir=data_dir, token=args.token)
