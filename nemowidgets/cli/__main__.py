"""``python -m nemowidgets.cli``: the same as the ``nemowidgets`` command."""

from nemowidgets.cli import main

raise SystemExit(main())
