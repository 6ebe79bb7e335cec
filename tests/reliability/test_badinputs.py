"""The bad-input corpus, fed through the paths a user takes - and raw, to the server.

Every case of ``tests/support/badinputs.py`` is one test, named after the case.
A case goes in through the public path (``Session.upload`` / ``send`` /
``export`` on ``Session.local``; the client's ``upload_urls`` for URLs, which
the Session has no verb for), and must come back as one of *our* exceptions,
of the case's type and code, whose message names the input.  Cases the client
refuses itself are also sent raw (plain httpx, hand-built multipart) so the
server is shown to refuse them too.  After every case the server must still be
healthy: credits and state answer, and the media and draft version uploaded
before the case are all still there.
"""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import av
import numpy as np
import pytest

from nemowidgets.api import errors as E
from nemowidgets.local.server.launch import ensure_local_server
from nemowidgets.samples import photo_color
from nemowidgets.session import Session
from tests.reliability.rawapi import RawAPI, error_of
from tests.support.badinputs import CASES, BadInput, Ctx, by_channel
from tests.support.isolation import isolate
from tests.support.png_modes import HEIGHT, PNG_MODES, WIDTH

pytestmark = pytest.mark.badinput


@dataclass
class World:
    server: Any
    a: Session  # the user under test: media and a draft that must survive everything
    b: Session  # another user on the same server
    raw: RawAPI  # a third user, talking raw HTTP
    ctx: Ctx
    a_client_id: str

    def snapshot(self) -> tuple[set[str], int]:
        state = self.a.state()["state"]
        return {m["id"] for m in state["media"]}, int(state["draft_version"])


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory, tiny_media: dict[str, Path]):
    root = tmp_path_factory.mktemp("badinputs")
    with pytest.MonkeyPatch.context() as mp:
        isolate(mp, root)
        data = root / "data"
        a_id = str(uuid.uuid4())
        a = Session.local(data_dir=data, client_id=a_id, export_dir=root / "exports")
        b = Session.local(data_dir=data, client_id=str(uuid.uuid4()), export_dir=root / "exports")
        a.upload([tiny_media["photo0"], tiny_media["photo1"], tiny_media["music"]])
        turn = a.send("make a slideshow with 1 second per photo")
        assert a.draft is not None, turn.reply
        foreign = b.upload(tiny_media["photo2"])[0]
        server = ensure_local_server(data)
        raw = RawAPI(server.url, server.secret)
        ctx = Ctx(
            tmp=root,
            base_url=server.url,
            media_id=str(a.media[0].id),
            foreign_media_id=str(foreign.id),
            foreign_session_id=str(b.session_id),
        )
        yield World(server, a, b, raw, ctx, a_id)
        raw.close()
        a.close()
        b.close()
        server.stop()  # the in-process server would otherwise outlive the module


def _check_error(case: BadInput, exc: BaseException, ctx: Ctx) -> None:
    assert isinstance(exc, E.NemoError), f"{case.name}: a bare {type(exc).__name__}: {exc!r}"
    assert case.error is not None
    assert isinstance(exc, case.error), f"{case.name}: {type(exc).__name__}: {exc}"
    if case.code is not None:
        assert exc.code == case.code, f"{case.name}: code {exc.code}: {exc}"
    mention = case.mentions.format(**vars(ctx))
    assert mention in str(exc), f"{case.name}: the message does not name {mention!r}: {exc}"
    if case.hint:
        assert case.hint in exc.hint, f"{case.name}: the hint says {exc.hint!r}"
        assert "Supported formats" not in str(exc), f"{case.name}: a format list as advice"


def _check_raw(case: BadInput, response: Any, ctx: Ctx, world: World) -> None:
    """The server refuses the input sent raw: its code, a message naming the input."""
    code, message = error_of(response)
    assert response.status_code >= 400, f"{case.name}: raw call accepted: {response.text[:300]}"
    if case.code is not None:
        assert code == case.code, f"{case.name}: raw code {code}: {message}"
    mention = case.mentions.format(**vars(ctx))
    assert mention in message, f"{case.name}: the server's message does not name {mention!r}"
    assert world.raw._token not in response.text


# -- channels ------------------------------------------------------------------------------
def _raw_file(case: BadInput, payload: Any, world: World) -> Any:
    if isinstance(payload, Path):
        return world.raw.upload([(payload.name, payload.read_bytes())])
    return world.raw.upload([payload])


def _huge(payload: Any) -> bool:
    """Sent raw only by the slow test_sparse_501mb_raw_upload."""
    return isinstance(payload, Path) and payload.stat().st_size > 50 * 2**20


def _file(case: BadInput, payload: Any, world: World) -> None:
    if case.layer == "none":
        ACCEPTED[case.name](case, payload, world)
        return
    with pytest.raises(E.NemoError) as caught:
        world.a.upload(payload)
    _check_error(case, caught.value, world.ctx)
    if case.layer in ("client", "both"):
        assert caught.value.status is None, f"{case.name}: it reached the server ({caught.value})"
    else:
        assert caught.value.status is not None, f"{case.name}: refused before the server saw it"
    if case.layer in ("both", "server") and not _huge(payload):
        _check_raw(case, _raw_file(case, payload, world), world.ctx, world)


def _url(case: BadInput, payload: Any, world: World) -> None:
    """URL uploads: the client's ``upload_urls`` (the Session has no URL verb), then raw."""
    from nemowidgets.api.client import NemoClient

    async def call() -> None:
        client = NemoClient(
            world.server.url, client_id=world.a_client_id, local_secret=world.server.secret
        )
        try:
            await client.upload_urls(str(world.a.session_id), [payload])
        finally:
            await client.aclose()

    with pytest.raises(E.NemoError) as caught:
        asyncio.run(call())
    _check_error(case, caught.value, world.ctx)
    if case.layer == "both":
        assert caught.value.status is None, f"{case.name}: the client sent it ({caught.value})"
    else:
        assert caught.value.status == 415, f"{case.name}: {caught.value.status}"
    _check_raw(case, world.raw.upload_urls([payload]), world.ctx, world)


def _prompt(case: BadInput, payload: Any, world: World) -> None:
    if case.layer == "none":
        ACCEPTED[case.name](case, payload, world)
        return
    prompts = world.server.app.state.ctx.store.prompt_count
    before = prompts(world.a.session_id)
    with pytest.raises(E.NemoError) as caught:
        world.a.send(payload)
    _check_error(case, caught.value, world.ctx)
    if case.layer in ("client", "both"):
        assert prompts(world.a.session_id) == before, "the refused prompt reached the server"
    if case.layer in ("both", "server"):
        _check_raw(case, world.raw.prompt(payload), world.ctx, world)


def _draft(case: BadInput, payload: Any, world: World) -> None:
    with pytest.raises(E.NemoError) as caught:
        world.a.export("preview", draft=payload)
    _check_error(case, caught.value, world.ctx)
    if case.layer in ("both", "server"):
        raw = world.raw.export(payload, session_id=world.raw.session_id)
        code, message = error_of(raw)
        assert raw.status_code >= 400, raw.text
        # A draft of A's media sent in the raw user's session: refused (4000) as media not in
        # that session when the shape is fine, else for the shape; either way it is named.
        if case.code is not None:
            assert code == case.code, f"{case.name}: raw code {code}: {message}"
        mention = case.mentions.format(**vars(world.ctx))
        assert mention in message or (
            code == case.code == 4000 and "which is not in this session" in message
        ), message


def _foreign(case: BadInput, payload: Any, world: World) -> None:
    """Attaching to another user's session: a new session and a notice, never B's media."""
    seen: list[Any] = []
    other = Session.local(
        data_dir=world.server.data_dir, client_id=world.a_client_id, session_id=payload
    )
    other.observe(seen.append, kinds=["session_replaced"])
    try:
        other.connect()
        assert other.session_id != payload
        assert other.media == ()
        assert seen, "the user was not told the session was replaced"
        assert payload in seen[0].data["message"]
        with pytest.raises(E.NemoError) as caught:
            other.export(
                "preview",
                draft={
                    "t": [
                        {
                            "tt": 0,
                            "sg": [
                                {
                                    "id": "seg_1",
                                    "s": 0,
                                    "d": 1000,
                                    "src": world.ctx.foreign_media_id,
                                    "k": "image",
                                }
                            ],
                        }
                    ],
                    "d": 1000,
                },
            )
        assert world.ctx.foreign_media_id in str(caught.value)
    finally:
        other.close()
    raw = world.raw.export(
        {
            "t": [
                {"tt": 0, "sg": [{"id": "s", "s": 0, "d": 1000, "src": world.ctx.foreign_media_id}]}
            ]
        },
        session_id=payload,
    )
    _check_raw(replace(case, mentions="{foreign_session_id}"), raw, world.ctx, world)


CHANNELS = {
    "file": _file,
    "named": _file,
    "url": _url,
    "prompt": _prompt,
    "draft": _draft,
    "foreign": _foreign,
}


# -- accepted on purpose: check the result ---------------------------------------------------
def _accepted_name(case: BadInput, payload: Any, world: World) -> None:
    (info,) = world.a.upload(payload)
    name = info.filename
    assert case.mentions in name, name
    for bad in ("/", "\\", "\x00", ".."):
        assert bad not in name, repr(name)
    assert name.encode("utf-8")  # valid text (no lone surrogates)
    assert name.isprintable(), repr(name)
    raw = world.raw.upload(
        [payload] if isinstance(payload, tuple) else [(payload.name, payload.read_bytes())]
    )
    assert raw.status_code == 200, raw.text
    raw_name = raw.json()["data"]["files"][0]["filename"]
    for bad in ("/", "\\", "\x00"):
        assert bad not in raw_name, repr(raw_name)
    for escaped in (
        Path("/etc/passwd.jpg"),
        Path("/tmp/nemo_abs_evil.jpg"),
        world.server.data_dir.parent / "etc" / "passwd.jpg",
    ):
        assert not escaped.exists(), f"an upload escaped the data dir: {escaped}"


def _accepted_gif(case: BadInput, payload: Any, world: World) -> None:
    (info,) = world.a.upload(payload)
    assert (info.file_type, info.width, info.height) == ("image", 160, 120)
    draft = {
        "t": [
            {
                "tt": 0,
                "n": "Photos",
                "sg": [
                    {
                        "id": "seg_1",
                        "s": 0,
                        "d": 1000,
                        "src": info.id,
                        "n": "party.gif",
                        "k": "image",
                    }
                ],
            }
        ],
        "d": 1000,
        "m": {"width": 320, "height": 240, "fps": 15, "fit": "cover"},
    }
    result = world.a.export("preview", draft=draft, path=world.ctx.tmp / "gif.mp4")
    assert _middle_colour(result.path) == pytest.approx(photo_color(4), abs=24)


def test_animated_gif_render_closes_its_file(world: World, tmp_path: Path) -> None:
    """Rendering an animated GIF (kept open by Pillow after load) must not leak its file."""
    import gc
    import warnings

    ctx = replace(world.ctx, tmp=tmp_path)
    (info,) = world.a.upload(next(c for c in CASES if c.name == "animated_gif").make(ctx))
    draft = {
        "t": [
            {
                "tt": 0,
                "n": "Photos",
                "sg": [
                    {
                        "id": "seg_1",
                        "s": 0,
                        "d": 500,
                        "src": info.id,
                        "n": "party.gif",
                        "k": "image",
                    }
                ],
            }
        ],
        "d": 500,
        "m": {"width": 160, "height": 120, "fps": 10, "fit": "cover"},
    }
    gc.collect()  # whatever the upload left behind is not the render's doing
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ResourceWarning)
        world.a.export("preview", draft=draft, path=tmp_path / "gif.mp4")
        gc.collect()
    leaked = [
        str(w.message)
        for w in caught
        if issubclass(w.category, ResourceWarning) and info.id in str(w.message)
    ]
    assert not leaked, leaked


def _accepted_long_prompt(case: BadInput, payload: Any, world: World) -> None:
    _, version = world.snapshot()
    turn = world.a.send(payload)
    assert turn.error is None
    assert "unchanged" in turn.reply, turn.reply
    assert "10,000" in turn.reply, turn.reply
    assert world.snapshot()[1] == version


def _accepted_title(case: BadInput, payload: Any, world: World) -> None:
    """Emoji and Arabic in a title: kept exactly, and the video renders."""
    _title_frame(world, payload, case.mentions)


def _title_frame(world: World, prompt: str, title: str) -> np.ndarray:
    """The middle frame of a 2-photo preview with ``prompt``'s title, in a fresh session."""
    with Session.local(
        data_dir=world.server.data_dir,
        client_id=str(uuid.uuid4()),
        export_dir=world.ctx.tmp / "exports",
    ) as c:
        c.upload([("t0.jpg", _jpeg(0)), ("t1.jpg", _jpeg(0))])
        c.send("make a slideshow with 1 second per photo")
        turn = c.send(prompt)
        assert turn.error is None, turn.reply
        texts = [
            seg.get("txt")
            for track in c.draft.raw["t"]
            for seg in track["sg"]
            if seg.get("k") == "text"
        ]
        assert texts == [title], (texts, turn.reply)
        result = c.export("preview")
        assert result.duration == pytest.approx(c.draft.duration, abs=0.1)
        with av.open(str(result.path)) as container:
            frames = [f.to_ndarray(format="rgb24") for f in container.decode(video=0)]
        return frames[len(frames) // 2]


def _jpeg(index: int) -> bytes:
    from tests.support.badinputs import jpeg_bytes

    return jpeg_bytes(index, (160, 120))


def _middle_colour(path: Path) -> tuple[float, ...]:
    with av.open(str(path)) as container:
        frames = [f.to_ndarray(format="rgb24") for f in container.decode(video=0)]
    frame = frames[len(frames) // 2]
    h, w, _ = frame.shape
    return tuple(
        float(c)
        for c in np.median(frame[h // 3 : 2 * h // 3, w // 3 : 2 * w // 3].reshape(-1, 3), axis=0)
    )


def _accepted_png_mode(case: BadInput, payload: Any, world: World) -> None:
    """Rendered with ``fit: black`` at the photo's own size, the frame is the picture itself
    (transparent parts black); the thumbnail is the picture over the server's dark grey."""
    import io

    from PIL import Image

    picture = next(m for m in PNG_MODES if m.name == case.name).make()
    (info,) = world.a.upload(payload)
    assert (info.file_type, info.width, info.height) == ("image", WIDTH, HEIGHT)
    thumb = world.a.thumbnail(info)
    assert thumb is not None, "no thumbnail"
    with Image.open(io.BytesIO(thumb)) as shown:
        small = np.asarray(shown.convert("RGB"), dtype=np.float64)
    want = np.asarray(
        Image.fromarray(np.uint8(np.rint(picture.over(40.0)))).resize(
            (small.shape[1], small.shape[0]), Image.Resampling.BOX
        ),
        dtype=np.float64,
    )
    assert np.abs(small - want).mean() < 12, f"{case.name}: the thumbnail is not the picture"
    seg = {"id": "seg_1", "s": 0, "d": 600, "src": info.id, "n": info.filename, "k": "image"}
    draft = {
        "t": [{"tt": 0, "n": "Photos", "sg": [seg]}],
        "d": 600,
        "m": {"width": WIDTH, "height": HEIGHT, "fps": 10, "fit": "black"},
    }
    result = world.a.export("preview", draft=draft, path=world.ctx.tmp / f"{case.name}.mp4")
    with av.open(str(result.path)) as container:
        frames = [f.to_ndarray(format="rgb24") for f in container.decode(video=0)]
    frame = frames[len(frames) // 2].astype(np.float64)
    error = np.abs(frame - picture.over(0.0))
    assert error.mean() < 10, f"{case.name}: the frame is off by {error.mean():.1f} on average"
    if case.name == "png_16bit_grey":  # the case of the report: a ramp, not a white sheet
        luma = frame.mean(axis=(0, 2))
        expected = np.linspace(0, 255, WIDTH)
        assert np.corrcoef(luma, expected)[0, 1] > 0.995
        assert luma[: WIDTH // 8].mean() < 30, luma
        assert luma[-WIDTH // 8 :].mean() > 225, luma


def _accepted_folder(case: BadInput, payload: Any, world: World) -> None:
    """All 500 photos arrive, in order, in requests the server takes (at most 100 files
    each), every file's progress ends at its size, and the Python heap never holds
    even half of the folder (the bodies are streamed, one chunk at a time)."""
    import tracemalloc
    from itertools import groupby

    from nemowidgets.protocol import MAX_UPLOAD_FILES

    files = sorted(payload.iterdir())
    total = sum(f.stat().st_size for f in files)
    last: dict[str, tuple[int, int]] = {}
    with Session.local(data_dir=world.server.data_dir, client_id=str(uuid.uuid4())) as c:
        c.connect()
        tracemalloc.start()
        try:
            media = c.upload(payload, progress=lambda f, sent, size: last.update({f: (sent, size)}))
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert [m.filename for m in media] == [f.name for f in files]
        assert last == {f.name: (f.stat().st_size,) * 2 for f in files}
        stored = world.server.app.state.ctx.store.list_media(c.session_id)
        assert [r["filename"] for r in stored] == [f.name for f in files]
        # One add_media() per request, all its rows stamped with the same time.
        sizes = [len(list(rows)) for _, rows in groupby(stored, key=lambda r: r["created_at"])]
        assert max(sizes) <= MAX_UPLOAD_FILES, sizes
        assert sum(sizes) == len(files)
    assert peak < total / 2, (
        f"the upload held {peak / 2**20:.1f} MB of a {total / 2**20:.1f} MB folder"
    )


ACCEPTED = {
    "folder_500_photos": _accepted_folder,
    **{mode.name: _accepted_png_mode for mode in PNG_MODES},
    "non_utf8_filename": _accepted_name,
    "traversal_filename": _accepted_name,
    "absolute_filename": _accepted_name,
    "backslash_traversal_filename": _accepted_name,
    "nul_in_filename": _accepted_name,
    "animated_gif": _accepted_gif,
    "prompt_1mb": _accepted_long_prompt,
    "title_emoji_rtl": _accepted_title,
}


# -- the tests -------------------------------------------------------------------------------
def test_corpus_is_complete() -> None:
    """At least 40 cases, each with a handler, an error type or an outcome to check."""
    assert len(CASES) >= 40
    for case in CASES:
        assert case.channel in CHANNELS
        if case.layer == "none":
            assert case.name in ACCEPTED, case.name
            assert case.outcome, case.name
        else:
            assert case.error is not None, case.name
            assert issubclass(case.error, E.NemoError), case.name


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_bad_input(case: BadInput, world: World, tmp_path: Path) -> None:
    media_before, version_before = world.snapshot()
    ctx = replace(world.ctx, tmp=tmp_path)
    world_here = replace(world, ctx=ctx)
    CHANNELS[case.channel](case, case.make(ctx), world_here)
    # The server is healthy, and nothing the user had is gone.
    assert world.a.credits().available >= 0
    media_after, version_after = world.snapshot()
    assert media_before <= media_after, "media disappeared"
    if case.layer != "none":
        assert media_after == media_before, "a refused upload was stored"
    assert version_after == version_before, "the draft changed"
    assert world.a.draft is not None


def test_arabic_title_is_drawn_as_letters_not_boxes(world: World, tmp_path: Path) -> None:
    """Two Arabic titles of the same length must not render to the same pixels.

    If the font lacks Arabic, both are the same row of missing-glyph boxes ("tofu") and
    the frames come out identical. (Emoji boxes are a documented limitation of the
    renderer's font; Arabic is a script users write titles in.)
    """
    here = replace(world, ctx=replace(world.ctx, tmp=tmp_path))
    one = _title_frame(here, "add the title 'مرحبا'", "مرحبا")
    two = _title_frame(here, "add the title 'سلامة'", "سلامة")
    differing = int((np.abs(one.astype(int) - two.astype(int)).max(axis=2) > 48).sum())
    assert differing > 100, "Arabic titles are drawn as missing-glyph boxes (tofu)"


def test_refusals_do_not_leak_server_paths(world: World, tmp_path: Path) -> None:
    """A refusal names the user's file, never where the server keeps it (its data dir)."""
    ctx = replace(world.ctx, tmp=tmp_path)
    leaks = {}
    for case in by_channel("file"):
        payload = case.make(ctx)
        if case.layer in ("both", "server") and not _huge(payload):
            message = error_of(_raw_file(case, payload, world))[1]
            if str(world.server.data_dir) in message or "/media/" in message:
                leaks[case.name] = message
    assert not leaks, f"server paths in error messages: {leaks}"


@pytest.mark.slow
def test_sparse_501mb_raw_upload(world: World, tmp_path: Path) -> None:
    """501 MB sent raw: refused with 4002 as the limit passes; nothing kept; server healthy."""
    case = next(c for c in CASES if c.name == "sparse_501mb")
    path = case.make(replace(world.ctx, tmp=tmp_path))
    response = world.raw.upload_file(path)
    _check_raw(case, response, world.ctx, world)
    assert not list((world.server.data_dir / "tmp").glob("*.part")), "partial upload left behind"
    assert world.raw.credits().status_code == 200


def test_protocol_client_refuses_a_lone_surrogate_prompt() -> None:
    """The protocol client itself (no Session in front) names the prompt, not UnicodeEncodeError."""
    from nemowidgets.api.client import NemoClient

    async def call() -> None:
        client = NemoClient("http://127.0.0.1:9", token="nwl_unused_token_0000")
        try:
            async for _event in client.stream("1", "caf\udce9 slideshow"):
                pass
        finally:
            await client.aclose()

    with pytest.raises(E.ConfigurationError, match="U\\+DCE9") as caught:
        asyncio.run(call())
    assert caught.value.details["field"] == "prompt"
