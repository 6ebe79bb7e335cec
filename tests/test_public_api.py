"""The public surface: exactly the intended names, each importable."""

from __future__ import annotations

import subprocess
import sys

import pytest

import nemowidgets

INTENDED = {
    "__version__",
    # the shared session and what it hands out
    "Session", "SessionEvent", "Turn", "ExportResult", "Draft",
    "AgentEvent", "Credits", "MediaInfo", "RenderJob",
    # many videos at once
    "batch", "start_batch", "BatchItem", "BatchProgress", "BatchResult", "BatchRun",
    # widgets
    "studio", "Studio", "StatusBar", "Uploader", "PromptBox", "StreamLog",
    "TimelineTable", "VideoPlayer",
    # errors
    "NemoError", "ConfigurationError", "MediaError", "UnsupportedFileError",
    "FileTooLargeError", "DraftError", "MalformedPayloadError", "TransportError",
    "StreamError", "APIError", "AuthError", "SessionNotFoundError", "NoCreditsError",
    "ExportBlockedError", "RateLimitedError", "AgentError", "RenderError",
    "CancelledByUser", "StaleDraftError", "UnsupportedOnCloudError",
    "StorageFullError", "SessionClosedError",
}  # fmt: skip


def test_all_is_exactly_the_intended_names() -> None:
    assert set(nemowidgets.__all__) == INTENDED
    assert len(nemowidgets.__all__) == len(INTENDED)


def test_every_public_name_resolves() -> None:
    for name in nemowidgets.__all__:
        assert getattr(nemowidgets, name) is not None, name


def test_errors_share_one_base() -> None:
    for name in INTENDED:
        obj = getattr(nemowidgets, name)
        if name.endswith("Error") or name == "CancelledByUser":
            assert issubclass(obj, nemowidgets.NemoError), name


def test_unknown_name_raises_attribute_error() -> None:
    with pytest.raises(AttributeError, match="DoesNotExist"):
        nemowidgets.DoesNotExist  # noqa: B018


def test_import_is_cheap() -> None:
    """``import nemowidgets`` loads neither ipywidgets nor the HTTP stack."""
    code = (
        "import sys, nemowidgets; "
        "print(sorted(m for m in ('ipywidgets', 'httpx', 'pandas', 'av') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
