"""The NemoVideo agent protocol's constants: the one source for client and server.

Both ``nemowidgets.api`` (the client) and ``nemowidgets.local`` (the embedded
server) import from here and from nowhere else in common, so that the two can
never drift apart on a path, a code or a limit.

Draft keys
----------
The protocol publishes the draft's outer short keys: ``t`` (tracks), ``tt``
(track type), ``sg`` (segments), ``d`` (duration, ms) and ``m`` (metadata).
The keys *inside* a segment are not published; the cloud draft is treated as
opaque by the client.  The local backend defines the segment keys below, and
this docstring is their single reference (the README links here).

Draft (local backend)::

    {"t": [track, ...],
     "d": total duration in ms,
     "m": {"width": 1920, "height": 1080, "fps": 30, "aspect": "16:9",
           "fit": "blur" | "black" | "cover", "title": str | None,
           "logo": logo (optional), "removed_media": [media id, ...]}}

Logo (``m.logo``, a picture shown in a corner of the whole video)::

    {"src": media id of an uploaded picture (PNG transparency is kept),
     "n": its file name, "pos": "tl" | "tr" | "bl" | "br" (default "br"),
     "sz": its longer side as a fraction of the canvas's shorter side
           (0.02-0.5, default 0.15), "op": opacity 0.0-1.0 (default 0.8)}

``m.removed_media`` lists the files the user removed from the session (the
``remove_media`` edit): they stay stored, but the state's media list and the
agent no longer see them; a draft version without them brings them back (undo).

Track::

    {"tt": 0 | 1 | 7, "n": display name, "sg": [segment, ...]}

Media entries (local backend: the upload answer's ``files[]`` and the state's
``media`` list) add to the protocol's fields ``id``, ``size``, ``thumbnail_url``,
and for a song ``beats`` (its beat times in seconds from the start of the file,
found when it was uploaded; ``[]`` when it has no steady beat, ``None`` for
photos and clips) and ``bpm`` (its average tempo, or ``None``).  Beats are not
copied into the draft: the music segment places them on the timeline (its ``s``,
``in`` and ``loop``), and the ``sync_to_beats`` edit snaps the cuts to them (a cut
is the first frame of the next photo, or the middle of a transition).

Segment keys (all times in integer milliseconds):

========  ==============================================================
``id``    segment id, unique within the draft (``"seg_3"``)
``s``     start on the timeline
``d``     duration on the timeline
``src``   media id of the uploaded file (video and audio tracks)
``n``     display name (the uploaded file name, or the text for titles)
``k``     media kind: ``"image"``, ``"video"``, ``"audio"`` or ``"text"``
``in``    in-point inside the source (video / audio trims); a clip shows
          ``in`` .. ``in + d`` of its file
``tr``    transition into the *next* segment: ``{"type": str, "d": ms}``;
          the next segment starts ``d`` ms before this one ends
``kb``    Ken Burns: ``{"z0": 1.0, "z1": 1.12, "x0": .5, "y0": .5,
          "x1": .5, "y1": .5}`` (zoom and centre at start and end), or absent
``vol``   volume, 0.0-2.0 (audio, and the sound of video clips)
``mu``    ``true``: the video clip's own sound is muted (the music plays
          on; ``vol`` is kept for unmuting)
``fx``    look of a photo or clip: ``"none"``, ``"bw"``, ``"sepia"``,
          ``"warm"``, ``"cool"``, ``"vivid"`` or ``"faded"`` (``LOOKS``)
``br``    brightness of a photo or clip, -1.0-1.0 (0 = as shot)
``ct``    contrast of a photo or clip, 0.0-3.0 (1 = as shot)
``fi``    fade in (audio)
``fo``    fade out (audio)
``loop``  loop the source to fill ``d`` (audio)
``txt``   overlay text (text track)
``pos``   text position: ``"top"``, ``"center"`` or ``"bottom"``
``sz``    text size as a fraction of the canvas height (``0.08``)
``col``   text colour: a CSS name or ``"#rrggbb"`` (default white)
``bg``    box behind the text: ``true`` (translucent black), or a colour
          (``"#rrggbb"``, 60 % opaque; ``"#rrggbbaa"`` sets the opacity)
``ref``   caption: the ``id`` of the video segment it belongs to; its
          ``s``/``d`` follow that segment (the title has no ``ref``)
========  ==============================================================
"""

from __future__ import annotations

from enum import IntEnum
from typing import Final

#: The cloud's base URL; ``NEMO_API_URL`` overrides it.
CLOUD_BASE_URL: Final = "https://mega-api-prod.nemovideo.ai"
APP_NAME: Final = "nemo_agent"

# -- paths -------------------------------------------------------------------
ANONYMOUS_TOKEN_PATH: Final = "/api/auth/anonymous-token"
CREATE_SESSION_PATH: Final = "/api/tasks/me/with-session/nemo_agent"
RUN_SSE_PATH: Final = "/run_sse"
UPLOAD_PATH: Final = "/api/upload-video/nemo_agent/me/{session_id}"
CREDITS_PATH: Final = "/api/credits/balance/simple"
STATE_PATH: Final = "/api/state/nemo_agent/me/{session_id}/latest"
RENDER_PATH: Final = "/api/render/proxy/lambda"
RENDER_POLL_PATH: Final = "/api/render/proxy/lambda/{render_id}"
RENDER_CANCEL_PATH: Final = "/api/render/proxy/lambda/{render_id}/cancel"
RENDER_DOWNLOAD_PATH: Final = "/api/render/proxy/{render_id}/download"
#: Local backend only (docs/protocol.md, local extensions): named edits and setting the draft.
LOCAL_EDITS_PATH: Final = "/_local/edits"
LOCAL_DRAFT_PATH: Final = "/_local/draft"
#: At most this many edits in one ``LOCAL_EDITS_PATH`` request.
MAX_EDITS_PER_REQUEST: Final = 100
#: Why a draft is set as a whole (the stored version's ``source``).
DRAFT_SET_SOURCES: Final = ("undo", "redo", "restore", "set")

# -- headers -----------------------------------------------------------------
HEADER_CLIENT_ID: Final = "X-Client-Id"
HEADER_SKILL_SOURCE: Final = "X-Skill-Source"
HEADER_SKILL_VERSION: Final = "X-Skill-Version"
HEADER_SKILL_PLATFORM: Final = "X-Skill-Platform"
#: Local backend only: the kernel's secret, required by the anonymous-token call
#: of an in-process server so that no other process on the machine gets a token.
HEADER_LOCAL_SECRET: Final = "X-Nemo-Local-Secret"
PLATFORMS: Final = ("jupyter", "vscode", "colab", "voila", "unknown")


class ErrorCode(IntEnum):
    """The ``code`` of the ``{"code": ..., "data": ...}`` envelope.

    ``BAD_REQUEST`` (4000) is a local-backend extension, not a cloud code: the
    request itself cannot be used (bad JSON, a bad render id, and above all a
    draft that cannot be rendered, e.g. a segment whose ``src`` is not media of
    the session).  It comes with HTTP 422 (413 for an oversized body) and a
    message naming the field or segment; on an export the client raises it as
    ``DraftError``.  It is kept apart from 4001 so that a draft problem is never
    shown with the "supported formats" hint of an unsupported file.

    ``STORAGE_FULL`` (5007, HTTP 507) is the local backend's too: the disk that holds
    its data dir has no room for what the request would store (an upload, a draft, a
    render).  The message names the data dir and the space needed; nothing of the
    request is kept, and the same request succeeds once space is freed.
    """

    OK = 0
    BAD_TOKEN = 1001
    SESSION_NOT_FOUND = 1002
    NO_CREDITS = 2001
    BAD_REQUEST = 4000  # local backend only; see above
    UNSUPPORTED_FILE = 4001
    FILE_TOO_LARGE = 4002
    STORAGE_FULL = 5007  # local backend only; see above


# -- render jobs -------------------------------------------------------------
RENDER_PENDING: Final = "pending"
RENDER_PROCESSING: Final = "processing"
RENDER_COMPLETED: Final = "completed"
RENDER_FAILED: Final = "failed"
RENDER_CANCELLED: Final = "cancelled"
RENDER_FINAL_STATES: Final = frozenset({RENDER_COMPLETED, RENDER_FAILED, RENDER_CANCELLED})
RENDER_QUALITIES: Final = ("high", "preview")
#: Local extension (docs/protocol.md): ``output.aspect`` re-frames the draft to a preset.
RENDER_ASPECTS: Final = ("16:9", "9:16", "1:1", "4:5")
#: Local extension: ``output.parallel``, where the server renders the job.
#: ``none`` here in one piece, ``jobs`` on a worker process beside other jobs,
#: ``chunks`` split over several workers; absent means the server decides.
RENDER_PARALLEL: Final = ("none", "jobs", "chunks")

# -- uploads -----------------------------------------------------------------
MAX_UPLOAD_BYTES: Final = 500 * 1024 * 1024
#: Local backend: the largest upload request body (one file of MAX_UPLOAD_BYTES plus
#: its multipart framing).  A request declaring more is refused with 4002 before its
#: body is read, so the client sends files totalling more as several requests.
MULTIPART_OVERHEAD_BYTES: Final = 64 * 1024
MAX_UPLOAD_REQUEST_BYTES: Final = MAX_UPLOAD_BYTES + MULTIPART_OVERHEAD_BYTES
#: Local backend: the most files one upload request may hold (more is refused with 4000,
#: HTTP 422), so the client sends a larger folder as several requests.
MAX_UPLOAD_FILES: Final = 100
VIDEO_EXTENSIONS: Final = frozenset({"mp4", "mov", "avi", "webm", "mkv"})
IMAGE_EXTENSIONS: Final = frozenset({"jpg", "jpeg", "png", "gif", "webp"})
AUDIO_EXTENSIONS: Final = frozenset({"mp3", "wav", "m4a", "aac"})
SUPPORTED_EXTENSIONS: Final = VIDEO_EXTENSIONS | IMAGE_EXTENSIONS | AUDIO_EXTENSIONS
#: For messages: the formats in the order the protocol lists them.
SUPPORTED_FORMATS_TEXT: Final = "mp4 mov avi webm mkv jpg jpeg png gif webp mp3 wav m4a aac"

_ISO_FAMILY = frozenset({"mp4", "mov", "m4a"})
#: Extension -> the real formats (as :func:`sniff_format` names them) a file so named may
#: hold; :func:`extension_accepts` also takes a mix-up of the same kind (a PNG called
#: ``.jpg``), for client and server alike.  ISO
#: containers are one family: which streams they hold, not the brand, makes them
#: video or audio.
FORMATS_BY_EXTENSION: Final[dict[str, frozenset[str]]] = {
    "jpg": frozenset({"jpeg"}), "jpeg": frozenset({"jpeg"}), "png": frozenset({"png"}),
    "gif": frozenset({"gif"}), "webp": frozenset({"webp"}),
    "mp4": _ISO_FAMILY, "mov": _ISO_FAMILY, "m4a": _ISO_FAMILY, "aac": _ISO_FAMILY | {"aac"},
    "avi": frozenset({"avi"}), "webm": frozenset({"matroska"}), "mkv": frozenset({"matroska"}),
    "mp3": frozenset({"mp3"}), "wav": frozenset({"wav"}),
}  # fmt: skip
#: The kind of media each supported format is.
FORMAT_KINDS: Final[dict[str, str]] = {
    "jpeg": "image", "png": "image", "gif": "image", "webp": "image",
    "mp4": "video", "mov": "video", "m4a": "audio", "avi": "video", "matroska": "video",
    "mp3": "audio", "wav": "audio", "aac": "audio",
}  # fmt: skip


def extension_accepts(ext: str, fmt: str | None) -> bool:
    """Whether a file named ``*.ext`` whose content sniffs as ``fmt`` is taken.

    The one rule for client and server: the content must be a supported format
    of the same kind as the name says.  A mix-up within a kind (a PNG called
    ``.jpg``, an MP3 called ``.aac``) is common and harmless, since the file is
    decoded anyway; a different kind (an MP4 called ``.jpg``) is refused.
    """
    if fmt is None:
        return False
    if fmt in FORMATS_BY_EXTENSION.get(ext, ()):
        return True
    return FORMAT_KINDS.get(fmt) is not None and FORMAT_KINDS.get(fmt) == media_kind(f"x.{ext}")


_HEIC_BRANDS = frozenset({b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1"})


def sniff_format(head: bytes) -> str | None:
    """The real format of a file from its first bytes (16 are enough), or ``None`` if unknown.

    One sniffer for client and server, so that the client's pre-check and the
    server's check can never disagree on what a file is.  Besides the supported
    formats (``jpeg png gif webp mp4 mov m4a avi matroska mp3 wav aac``) it names
    ones we refuse (``heic avif tiff bmp pdf zip ogg flac``), so a message can
    say what a file really is: an HEIC photo carries an ISO ``ftyp`` box like an
    MP4, and only its brand tells them apart.
    """
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return "wav"
    if head[:4] == b"RIFF" and head[8:12] == b"AVI ":
        return "avi"
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return "tiff"
    if head[:2] == b"BM" and len(head) >= 14:
        return "bmp"
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in _HEIC_BRANDS:
            return "heic"
        if brand in (b"avif", b"avis"):
            return "avif"
        if brand == b"qt  ":
            return "mov"
        return "m4a" if brand in (b"M4A ", b"M4B ", b"M4P ") else "mp4"
    if head[4:8] in (b"moov", b"mdat", b"wide", b"free", b"skip", b"pnot"):
        return "mov"  # old QuickTime files start without ftyp
    if head[:4] == b"\x1a\x45\xdf\xa3":
        return "matroska"
    if head[:3] == b"ID3":
        return "mp3"
    if len(head) >= 2 and head[0] == 0xFF and (head[1] & 0xF6) == 0xF0:
        return "aac"  # ADTS: sync word, layer bits 00
    if len(head) >= 2 and head[0] == 0xFF and (head[1] & 0xE0) == 0xE0 and head[1] & 0x06:
        return "mp3"  # MPEG audio frame sync, layer I-III
    if head.startswith(b"%PDF"):
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        return "zip"
    if head.startswith(b"OggS"):
        return "ogg"
    if head.startswith(b"fLaC"):
        return "flac"
    return None


def media_kind(filename: str) -> str | None:
    """``"image"``, ``"video"`` or ``"audio"`` by extension; ``None`` if unsupported."""
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if ext in IMAGE_EXTENSIONS:
        return "image"
    if ext in VIDEO_EXTENSIONS:
        return "video"
    if ext in AUDIO_EXTENSIONS:
        return "audio"
    return None


# -- prompts -----------------------------------------------------------------
def lone_surrogate(text: str) -> int | None:
    """The index of the first lone surrogate in ``text`` (``None``: it is all valid text).

    A lone surrogate (U+D800-U+DFFF on its own, e.g. ``"\udce9"``) is what Python makes
    of a byte it could not decode, and some copy-pastes produce; it cannot be written as
    UTF-8, so no request can carry it.  Client and server refuse such a prompt alike.
    """
    for index, ch in enumerate(text):
        if "\ud800" <= ch <= "\udfff":
            return index
    return None


def surrogate_message(text: str, index: int) -> str:
    """What to tell the user about the lone surrogate at ``index`` of the prompt ``text``."""
    around = text[max(0, index - 12) : index].encode("utf-8", "replace").decode()
    return (
        f"The prompt has a character that is not valid text (U+{ord(text[index]):04X}, a lone "
        f"surrogate, at character {index + 1}, after {around!r}), as some copy-pastes "
        "produce: retype that part of the prompt."
    )


# -- draft -------------------------------------------------------------------
TRACK_VIDEO: Final = 0
TRACK_AUDIO: Final = 1
TRACK_TEXT: Final = 7
TRACK_KIND_NAMES: Final = {TRACK_VIDEO: "video", TRACK_AUDIO: "audio", TRACK_TEXT: "text"}
#: The looks (``fx``) a photo or clip can have; ``"none"`` is the photo as shot.
LOOKS: Final = ("none", "bw", "sepia", "warm", "cool", "vivid", "faded")
#: The corners (``m.logo.pos``) a logo can sit in: top/bottom, left/right.
LOGO_CORNERS: Final = ("tl", "tr", "bl", "br")

DEFAULT_CREDITS: Final = 100
REGISTER_URL: Final = "https://nemovideo.com/register?bind={user_id}"
