"""The SQLite schema of the local backend's records (see :mod:`.database` for the data dir).

Every statement is idempotent (``IF NOT EXISTS``): a data dir made by an older
version opens as it is, and several kernels may open it at once.  Columns added
since a table was first made are in :data:`ADDED_COLUMNS`; the store adds the
ones a database lacks when it opens it.
"""

__all__ = ["ADDED_COLUMNS", "SCHEMA"]

SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    user_id TEXT PRIMARY KEY, client_hash TEXT UNIQUE, created_at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS tokens (
    token_hash TEXT PRIMARY KEY, user_id TEXT NOT NULL, expires_at REAL NOT NULL,
    created_at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS sessions (
    session_id TEXT PRIMARY KEY, task_id TEXT NOT NULL, user_id TEXT NOT NULL,
    language TEXT, forgotten INTEGER NOT NULL DEFAULT 0, created_at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS media (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT UNIQUE NOT NULL, session_id TEXT NOT NULL,
    filename TEXT NOT NULL, file_type TEXT NOT NULL, format TEXT, path TEXT NOT NULL,
    thumb TEXT, size INTEGER, hash TEXT, duration REAL, width INTEGER, height INTEGER,
    fps REAL, created_at REAL NOT NULL);
CREATE INDEX IF NOT EXISTS media_session ON media (session_id, seq);
CREATE TABLE IF NOT EXISTS drafts (
    session_id TEXT NOT NULL, version INTEGER NOT NULL, draft TEXT, parent INTEGER,
    source TEXT NOT NULL, created_at REAL NOT NULL, PRIMARY KEY (session_id, version));
CREATE TABLE IF NOT EXISTS prompts (
    session_id TEXT PRIMARY KEY, count INTEGER NOT NULL, last_at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS renders (
    id TEXT PRIMARY KEY, session_id TEXT NOT NULL, user_id TEXT NOT NULL, status TEXT NOT NULL,
    progress REAL NOT NULL DEFAULT 0, quality TEXT NOT NULL, draft TEXT NOT NULL, output TEXT,
    error TEXT, owner TEXT, stats TEXT, created_at REAL NOT NULL, updated_at REAL NOT NULL,
    error_code INTEGER, options TEXT);
CREATE INDEX IF NOT EXISTS renders_session ON renders (session_id, created_at);
"""

#: Columns added after a table was first made: ``(table, column, declaration)``.  A data
#: dir made by an older version gets them on open (``ALTER TABLE ... ADD COLUMN``).
ADDED_COLUMNS: tuple[tuple[str, str, str], ...] = (
    # Why a failed render failed, as a protocol code (5007: the disk filled up).
    ("renders", "error_code", "INTEGER"),
    ("renders", "options", "TEXT"),  # where and how to render (JSON)
    # A song's beat times (a JSON list of seconds; [] when none was found, NULL when not
    # looked for yet) and its average tempo.
    ("media", "beats", "TEXT"),
    ("media", "bpm", "REAL"),
)
