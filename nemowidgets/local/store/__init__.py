"""What the local backend keeps: SQLite records and files, media probing, render jobs.

``database`` holds the records (:class:`Store`: users, sessions and media; its drafts
from ``draft_records``, its renders from ``render_records``, one SQLite connection
from ``sqlite_db``), ``upload_checks`` checks an upload's name and format, ``probe``
decodes and describes the file, ``jobs`` runs render jobs on worker threads and records
their progress.
"""

from nemowidgets.local.store.database import DuplicateRenderId, Store

__all__ = ["DuplicateRenderId", "Store"]
