"""Every Session method, called with bad arguments, raises one of *our* errors.

A notebook user who passes a list where a draft goes, ``42`` where a path goes or
``quality="ultra"`` must get a :class:`~nemowidgets.api.errors.NemoError` that
names the argument and says what to pass - never a ``TypeError`` or
``AttributeError`` from pathlib, the client or the event loop.  And the check
comes first: the Session under test points at a port where nothing listens, so
any call that got as far as the network would fail with a ``TransportError``
instead of the argument error asserted here.

The last test runs the accepted-but-unusual arguments (an existing folder as the
export path, a Draft from the history, a draft with a malformed segment) against
a real local server, with two 160x120 photos.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from nemowidgets.api.errors import (
    ConfigurationError,
    DraftError,
    MalformedPayloadError,
    MediaError,
    NemoError,
)
from nemowidgets.api.models import MediaInfo
from nemowidgets.local.server.launch import ensure_local_server
from nemowidgets.samples import make_photo
from nemowidgets.session import Session

NOWHERE = "http://127.0.0.1:9"  # the discard port: nothing answers there


pytestmark = pytest.mark.usefixtures("isolated_env")  # tests/conftest.py


@pytest.fixture
def s(tmp_path: Path) -> Iterator[Session]:
    session = Session(base_url=NOWHERE, token="nwl_badargs_0123456789", export_dir=tmp_path)
    yield session
    assert not session.connected, "a bad argument reached the network"
    session.close()


def _raises(kind: type[NemoError], call: Callable[[], Any], *mentions: str) -> NemoError:
    """``call()`` raises ``kind``; its message names every one of ``mentions``."""
    with pytest.raises(NemoError) as caught:
        call()
    err = caught.value
    assert isinstance(err, kind), f"{type(err).__name__}: {err}"
    text = str(err)
    for mention in mentions:
        assert mention in text, f"{mention!r} not in {text!r}"
    return err


# -- the constructor ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("kwargs", "mentions"),
    [
        pytest.param({"base_url": 42}, ("base_url", "int"), id="base_url-int"),
        pytest.param(
            {"base_url": "localhost:8000"}, ("base_url", "http(s) URL"), id="base_url-no-scheme"
        ),
        pytest.param({"base_url": "http://h:port"}, ("base_url",), id="base_url-bad-port"),
        pytest.param({"base_url": NOWHERE, "token": 123}, ("token", "NEMO_TOKEN"), id="token-int"),
        pytest.param(
            {"base_url": NOWHERE, "session_id": ["s"]}, ("session_id",), id="session_id-list"
        ),
        pytest.param(
            {"base_url": NOWHERE, "session_id": " "},
            ("session_id", "leave it out"),
            id="session_id-empty",
        ),
        pytest.param(
            {"base_url": NOWHERE, "resume": "yes"}, ("resume", "True or False"), id="resume"
        ),
        pytest.param({"base_url": NOWHERE, "language": ""}, ("language", "'en'"), id="language"),
        pytest.param({"base_url": NOWHERE, "client_id": 7}, ("client_id",), id="client_id"),
        pytest.param(
            {"base_url": NOWHERE, "stream_policy": {"keepalive_timeout": 1}},
            ("stream_policy", "StreamPolicy"),
            id="stream_policy-dict",
        ),
        pytest.param(
            {"base_url": NOWHERE, "render_interval": -1},
            ("render_interval", "positive"),
            id="render_interval-negative",
        ),
        pytest.param(
            {"base_url": NOWHERE, "render_interval": "fast"},
            ("render_interval",),
            id="render_interval-str",
        ),
        pytest.param(
            {"base_url": NOWHERE, "export_dir": 3},
            ("export_dir", "folder path"),
            id="export_dir-int",
        ),
        pytest.param(
            {"base_url": NOWHERE, "client_options": ["retry"]},
            ("client_options", "dict"),
            id="client_options-list",
        ),
        pytest.param({"backend": "moon"}, ("backend", "'local' or 'cloud'"), id="backend"),
        pytest.param({"backend": "local", "data_dir": 5}, ("data_dir",), id="data_dir-int"),
    ],
)
def test_constructor(kwargs: dict[str, Any], mentions: tuple[str, ...]) -> None:
    err = _raises(ConfigurationError, lambda: Session(**kwargs), *mentions)
    assert err.details.get("field") in kwargs


def test_bad_nemo_api_url_is_named(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("NEMO_API_URL", "api.example.test")
    _raises(ConfigurationError, Session, "NEMO_API_URL", "api.example.test")
    # The local backend does not use NEMO_API_URL, so a bad one does not stop it.
    data = tmp_path / "data"
    with Session.local(data_dir=data) as local:
        assert local.backend == "local"
    ensure_local_server(data).stop()


def test_bad_url_never_echoes_a_secret() -> None:
    token = "nmv_usr_0123456789abcdef"
    err = _raises(ConfigurationError, lambda: Session(token), "base_url", "token=")
    assert token not in str(err) + repr(err)
    err = _raises(ConfigurationError, lambda: Session("ftp://me:hunter2@host/"), "base_url")
    assert "hunter2" not in str(err)


# -- send --------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("prompt", "mentions"),
    [
        pytest.param(42, ("prompt", "int", "session.send("), id="int"),
        pytest.param(None, ("prompt", "NoneType"), id="none"),
        pytest.param(b"make a slideshow", ("prompt", "bytes"), id="bytes"),
        pytest.param("", ("prompt is empty", "e.g."), id="empty"),
        pytest.param(" \n\t", ("prompt is empty",), id="blank"),
    ],
)
def test_send(s: Session, prompt: Any, mentions: tuple[str, ...]) -> None:
    err = _raises(ConfigurationError, lambda: s.send(prompt), *mentions)
    assert err.details["field"] == "prompt"
    assert s.last_error is err  # also shown to the widgets
    with pytest.raises(ConfigurationError):
        asyncio.run(s.asend(prompt))


# -- upload ------------------------------------------------------------------------------------
def test_upload(s: Session, tmp_path: Path) -> None:
    text_only = tmp_path / "notes"
    text_only.mkdir()
    (text_only / "readme.txt").write_text("no media here")
    (text_only / ".hidden.jpg").write_bytes(b"\xff\xd8")
    photo = make_photo(tmp_path / "p.jpg", 0, (32, 24))
    _raises(MediaError, lambda: s.upload(42), "items", "int", "path")
    _raises(MediaError, lambda: s.upload(None), "items", "NoneType")
    _raises(MediaError, lambda: s.upload(b"\xff\xd8\xff"), "bytes", "(filename, bytes)")
    _raises(MediaError, lambda: s.upload({"p.jpg": b"x"}), "dict")
    _raises(
        MediaError,
        lambda: s.upload(tmp_path / "missing.jpg"),
        "missing.jpg",
        "no such file",
        "Check the path",
    )
    _raises(
        MediaError,
        lambda: s.upload(str(text_only)),
        "notes",
        "no supported media",
        "Supported formats",
    )
    _raises(MediaError, lambda: s.upload([]), "Nothing to upload")
    _raises(MediaError, lambda: s.upload([photo, 42]), "42")
    _raises(MediaError, lambda: s.upload(""), "items", "path")
    _raises(MediaError, lambda: s.upload(("a.jpg", 123)), "a.jpg", "bytes", "int")
    _raises(MediaError, lambda: s.upload([("a.jpg", None)]), "a.jpg", "bytes", "NoneType")
    err = _raises(
        ConfigurationError,
        lambda: s.upload(photo, progress="bar"),
        "progress",
        "(filename, sent, total)",
    )
    assert err.details["field"] == "progress"


# -- export ------------------------------------------------------------------------------------
def test_export_quality(s: Session) -> None:
    for quality in ("ultra", "HIGH", None, 1080):
        err = _raises(
            ConfigurationError,
            lambda q=quality: s.export(q),
            "quality",
            "'preview'",
            "'high'",
            repr(quality),
        )
        assert err.details["field"] == "quality"


def test_export_draft(s: Session) -> None:
    err = _raises(
        MalformedPayloadError,
        lambda: s.export(draft=["t", "sg"]),
        "draft must be a dict with a 't' list",
        "not a list",
        "session.draft",
    )
    assert err.details["field"] == "draft"
    _raises(MalformedPayloadError, lambda: s.export(draft="{}"), "draft", "str")
    err = _raises(
        MalformedPayloadError,
        lambda: s.export(draft={"tracks": []}),
        "draft.t",
        "'t' list",
        "missing",
    )
    assert err.details["field"] == "draft.t"
    _raises(MalformedPayloadError, lambda: s.export(draft={"t": {"sg": []}}), "'t'", "dict")
    _raises(
        MalformedPayloadError,
        lambda: s.export(draft={"t": [{"sg": [{"d": "long"}]}]}),
        "draft.t[0].sg[0].d",
        "a number",
        "'long'",
    )
    _raises(DraftError, lambda: s.export(draft={"t": [{"tt": 0, "sg": []}]}), "empty")
    _raises(DraftError, lambda: s.export(), "Nothing to export", "make a slideshow")


def test_export_path(s: Session, tmp_path: Path) -> None:
    draft = {"t": [{"tt": 0, "sg": [{"id": "seg_1", "s": 0, "d": 1000, "src": "m_1"}]}]}
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    for path, mentions in (
        (42, ("path", "42", "video.mp4")),
        ("", ("path",)),
        (blocker / "out.mp4", ("path", "is a file, not a folder")),
    ):
        err = _raises(ConfigurationError, lambda p=path: s.export(draft=draft, path=p), *mentions)
        assert err.details["field"] == "path"


# -- the rest ----------------------------------------------------------------------------------
def test_thumbnail(s: Session) -> None:
    for media in ("photo.jpg", {"filename": "photo.jpg"}, None):
        err = _raises(
            ConfigurationError,
            lambda m=media: s.thumbnail(m),
            "media",
            "session.media",
            type(media).__name__,
        )
        assert err.details["field"] == "media"


def test_restore(s: Session) -> None:
    _raises(ConfigurationError, lambda: s.restore("1"), "index", "int", "str")
    _raises(ConfigurationError, lambda: s.restore(True), "index", "bool")
    _raises(
        ConfigurationError,
        lambda: s.restore(0),
        "No draft version 0",
        "history is empty",
        "send a prompt",
    )


def test_observe(s: Session) -> None:
    _raises(ConfigurationError, lambda: s.observe("print"), "callback", "SessionEvent", "str")
    err = _raises(
        ConfigurationError,
        lambda: s.observe(print, kinds=["drafts"]),
        "Unknown event kinds",
        "drafts",
        "kinds",
        "'draft'",
    )
    assert isinstance(err, ValueError)  # as before: callers catching ValueError still work
    _raises(ConfigurationError, lambda: s.observe(print, kinds=5), "kinds")
    _raises(ConfigurationError, lambda: s.observe(print, kinds=[["draft"]]), "kinds")


def test_submit(s: Session) -> None:
    _raises(ConfigurationError, lambda: s.submit(s.asend), "coroutine", "call it")
    _raises(ConfigurationError, lambda: s.submit(42), "coroutine", "int")
    s.close()
    coro = s.astate()
    _raises(ConfigurationError, lambda: s.submit(coro), "closed", "create a new one")
    _raises(ConfigurationError, lambda: s.send("status"), "closed")


# -- unusual but valid arguments, on a real server --------------------------------------------
def test_unusual_valid_arguments_on_a_real_server(tmp_path: Path) -> None:
    data = tmp_path / "data"
    s = Session.local(data_dir=data, export_dir=tmp_path / "exports")
    try:
        photos = [make_photo(tmp_path / f"p{i}.jpg", i, (160, 120)) for i in range(2)]
        media = s.upload(photos)
        assert all(isinstance(m, MediaInfo) for m in media)
        s.send("make a slideshow with 1 second per photo")
        assert s.draft is not None
        folder = tmp_path / "videos"
        folder.mkdir()
        done = s.export("preview", draft=s.history[-1], path=folder)  # a folder: default name
        assert done.path.parent == folder.resolve()
        assert done.path.suffix == ".mp4"
        assert done.path.stat().st_size > 0
        nested = s.export("preview", draft=dict(s.draft.raw), path=tmp_path / "new" / "v.mp4")
        assert nested.path.is_file()
        bad = {**s.draft.raw, "t": [{**s.draft.raw["t"][0], "sg": [{"d": None, "s": "0"}]}]}
        _raises(MalformedPayloadError, lambda: s.export(draft=bad), "draft.t[0].sg[0].s")
        assert len(s.exports) == 2
    finally:
        s.close()
        ensure_local_server(data).stop()
