"""The renderer's two exceptions: a failure that names its cause, and a cancellation."""

from __future__ import annotations


class RenderFailure(Exception):
    """A render that cannot finish; the message names the segment and the file.

    ``segment_id`` and ``filename`` are also attributes, so the server can put them in
    the job's error without parsing text.  Either may be ``None`` when the cause is the
    draft as a whole (an empty timeline, for instance).
    """

    def __init__(
        self, message: str, *, segment_id: str | None = None, filename: str | None = None
    ) -> None:
        super().__init__(message)
        self.segment_id = segment_id
        self.filename = filename


class RenderCancelled(Exception):
    """The caller's ``should_cancel`` said stop; the partial output has been removed."""


def failure(seg_id: str | None, filename: str | None, problem: str, action: str) -> RenderFailure:
    """Build a :class:`RenderFailure` whose message says which segment, which file, what to do."""
    where = f"segment {seg_id!r}" if seg_id else "the draft"
    what = f" (file {filename!r})" if filename else ""
    message = f"{where}{what}: {problem}. {action}"
    return RenderFailure(message, segment_id=seg_id, filename=filename)


class ClusterUnavailable(RenderFailure):
    """The Dask cluster cannot take the render: its scheduler is unreachable or went away.

    Raised by the chunked renderer (``parallel``) when asked not to fall back; by
    default it falls back to rendering in this process and records this error instead,
    keeping every piece the cluster had already finished.
    """


def task_failure(
    exc: Exception, cluster: str, what: str, *, instead: str, after: str = ""
) -> RenderFailure:
    """Our error for a Dask task (rendering ``what``) that raised ``exc`` on ``cluster``.

    Dask's ``KilledWorker`` means the workers running it kept dying, most often out of
    memory: a :class:`RenderFailure` saying so and what to do ``instead``.  Anything else
    means the cluster lost the task (scheduler or workers gone): :class:`ClusterUnavailable`.
    """
    if type(exc).__name__ == "KilledWorker":
        return RenderFailure(
            f"the workers rendering {what} kept dying ({exc}); a worker may be running out "
            f"of memory. Give workers more memory, or {instead}."
        )
    why = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return ClusterUnavailable(f"the Dask cluster {cluster} lost {what} ({why}).{after}")
