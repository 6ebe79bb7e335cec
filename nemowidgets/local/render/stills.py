"""Photos prepared for the canvas: decoded once, fitted once, converted to YUV once.

A 12 MP JPEG costs ~100 ms to decode in full and ~50 ms more to scale down; the
canvas needs a fraction of those pixels.  Pillow's ``draft()`` asks libjpeg to decode
at 1/2, 1/4 or 1/8 scale (still at least the size we need), which is most of the
saving.  The EXIF orientation is applied after decoding, so portrait phone photos
stand up.  The fitted picture is converted to YUV once; a photo without Ken Burns is
then one buffer reused for every frame, and one with Ken Burns keeps a slightly larger
picture (oversampled by its maximum zoom, blurred backdrop included, made once) that
each frame warps with a fractional box (``warp``), so the motion is sub-pixel smooth.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageFilter, ImageOps

from .errors import failure
from .frames import (
    Canvas,
    Yuv,
    black,
    even,
    from_rgb_scaled,
    paste,
    resize_to_yuv,
)
from .image_modes import to_rgb
from .jpeg import SWAPS, JpegPhoto
from .warp import WarpSource

FITS = ("blur", "black", "cover")
_ROTATED = frozenset({5, 6, 7, 8})  # EXIF orientations that swap width and height
_MAX_ZOOM = 3.0
_MAX_OVERSAMPLE = 2.0


@dataclass(frozen=True)
class KenBurns:
    """Zoom ``z`` and centre ``(x, y)`` (fractions of the canvas) at the start and the end."""

    z0: float = 1.0
    z1: float = 1.12
    x0: float = 0.5
    y0: float = 0.5
    x1: float = 0.5
    y1: float = 0.5

    @classmethod
    def parse(cls, kb: object) -> KenBurns | None:
        """The segment's ``kb`` value, sanitised; ``None`` when absent or off.

        A dict turns it on, missing keys taking the defaults (``{}`` is a gentle
        centred zoom to 1.12); ``true`` is the same as ``{}``.
        """
        if kb is None or kb is False:
            return None
        if not isinstance(kb, dict):
            return cls() if kb else None

        def num(key: str, default: float, lo: float, hi: float) -> float:
            try:
                value = float(kb.get(key, default))
            except (TypeError, ValueError):
                value = default
            return min(max(value if math.isfinite(value) else default, lo), hi)

        return cls(
            num("z0", 1.0, 1.0, _MAX_ZOOM),
            num("z1", 1.12, 1.0, _MAX_ZOOM),
            num("x0", 0.5, 0.0, 1.0),
            num("y0", 0.5, 0.0, 1.0),
            num("x1", 0.5, 0.0, 1.0),
            num("y1", 0.5, 0.0, 1.0),
        )

    @property
    def oversample(self) -> float:
        return min(max(self.z0, self.z1), _MAX_OVERSAMPLE)

    @property
    def moves(self) -> bool:
        return (self.z0, self.x0, self.y0) != (self.z1, self.x1, self.y1)

    def box(self, u: float, width: int, height: int) -> tuple[float, float, float, float]:
        """The source region (float pixels of a ``width`` x ``height`` picture) at progress ``u``.

        Linear in ``u``: constant velocity, so consecutive frames move by equal
        sub-pixel steps.  The centre is clamped so the view never leaves the picture.
        """
        u = min(max(u, 0.0), 1.0)
        z = self.z0 + (self.z1 - self.z0) * u
        half = 0.5 / z
        cx = min(max(self.x0 + (self.x1 - self.x0) * u, half), 1.0 - half)
        cy = min(max(self.y0 + (self.y1 - self.y0) * u, half), 1.0 - half)
        return (
            (cx - half) * width,
            (cy - half) * height,
            (cx + half) * width,
            (cy + half) * height,
        )


def load_photo(
    path: Path, size: tuple[int, int], fit: str, seg_id: str | None, name: str | None
) -> Image.Image:
    """Decode ``path`` once, at the smallest JPEG scale that still fills ``size`` as fitted."""
    label = name or path.name
    try:
        # ``with``: an animated image keeps its file open after load(); close it here.
        with Image.open(path) as source:
            orientation = source.getexif().get(0x0112, 1)
            iw, ih = source.size
            ow, oh = (ih, iw) if orientation in _ROTATED else (iw, ih)
            ratio = (max if fit == "cover" else min)(size[0] / ow, size[1] / oh)
            if ratio < 1.0:
                source.draft(source.mode, (math.ceil(iw * ratio), math.ceil(ih * ratio)))
            source.load()
            image = ImageOps.exif_transpose(source)
            image = to_rgb(image)  # 16-bit, float, palette, 1-bit: see image_modes
            # A detached copy: nothing that outlives the ``with`` may point into the file.
            return image.copy() if image is source else image
    except Exception as exc:  # any decoder error is the file's fault, not ours
        raise failure(
            seg_id,
            label,
            f"cannot read the photo ({type(exc).__name__}: {exc})",
            "Re-upload the file, or remove it from the draft.",
        ) from exc


def centre_box(iw: int, ih: int, cw: float, ch: float) -> tuple[float, float, float, float]:
    """The centred ``cw`` x ``ch`` region of an ``iw`` x ``ih`` image (clamped: float
    rounding must never give Pillow a negative offset)."""
    x0, y0 = max(0.0, (iw - cw) / 2), max(0.0, (ih - ch) / 2)
    return x0, y0, min(float(iw), x0 + cw), min(float(ih), y0 + ch)


def blurred(image: Image.Image, size: tuple[int, int]) -> Image.Image:
    """A small, darkened, heavily blurred cover-fit copy of ``image``: the ``blur`` backdrop.

    It stays small (1/12 of the canvas): :func:`frames.from_rgb_scaled` scales it up
    and converts it in one pass.  Blurring this small is ~50x cheaper than a full-size
    blur and looks the same once blurred this much.
    """
    w, h = size
    bw, bh = max(8, w // 12), max(8, h // 12)
    iw, ih = image.size
    scale = max(bw / iw, bh / ih)
    cw, ch = bw / scale, bh / scale
    box = centre_box(iw, ih, cw, ch)
    small = image.convert("RGB").resize(
        (bw, bh), Image.Resampling.BILINEAR, box=box, reducing_gap=2.0
    )
    small = small.filter(ImageFilter.GaussianBlur(max(2.0, bw / 32)))
    return small.point([int(v * 0.55) for v in range(256)] * 3)


def backdrop_yuv(image: Image.Image, canvas: Canvas, fit: str) -> Yuv:
    """The picture behind a contained photo or clip: a blurred copy, or black."""
    if fit != "blur":
        return black(canvas)
    return from_rgb_scaled(blurred(image, (canvas.width, canvas.height)), canvas)


def _open_jpeg(path: Path, canvas: Canvas, fit: str) -> JpegPhoto | None:
    """The photo through libavcodec (see ``jpeg``) if it is a plain JPEG, else ``None``."""
    try:
        with Image.open(path) as probe:
            if probe.format != "JPEG":
                return None
            orientation = probe.getexif().get(0x0112, 1)
            size = probe.size
    except Exception:  # the Pillow path reports what is wrong with the file
        return None
    ow, oh = (size[1], size[0]) if orientation in SWAPS else size
    ratio = (max if fit == "cover" else min)(canvas.width / ow, canvas.height / oh)
    return JpegPhoto.open(path, size, orientation, (size[0] * ratio, size[1] * ratio))


def _fit_jpeg(jpeg: JpegPhoto, canvas: Canvas, fit: str) -> Yuv:
    w, h = canvas.width, canvas.height
    uw, uh = jpeg.upright_size
    if fit == "cover":
        scale = max(w / uw, h / uh)
        cw, ch = max(w, even(uw * scale)), max(h, even(uh * scale))
    else:
        scale = min(w / uw, h / uh)
        cw, ch = min(w, even(uw * scale)), min(h, even(uh * scale))
    content = jpeg.scaled(cw, ch)
    if (cw, ch) == (w, h):
        return content
    if fit == "blur":
        out = from_rgb_scaled(blurred(jpeg.thumbnail(max(w, h) // 4), (w, h)), canvas)
    else:
        out = black(canvas)
    paste(out, canvas, content, Canvas(cw, ch, canvas.fps), (w - cw) // 2, (h - ch) // 2)
    return out


def photo_yuv(
    path: Path, canvas: Canvas, fit: str, seg_id: str | None = None, name: str | None = None
) -> Yuv:
    """Decode the photo at ``path`` once and fit it to ``canvas``, as one YUV buffer.

    JPEGs go through libavcodec straight to YUV (``jpeg``).  Other formats through
    Pillow: only the photo's own pixels are resized and converted (in strips, see
    :func:`frames.resize_to_yuv`); the blurred backdrop is made small and scaled up by
    swscale in the same pass as its conversion; the two are joined by a plane copy.
    The decoded photo, the biggest thing held, is dropped before the backdrop is made.
    """
    jpeg = _open_jpeg(path, canvas, fit)
    if jpeg is not None:
        return _fit_jpeg(jpeg, canvas, fit)
    w, h = canvas.width, canvas.height
    image = load_photo(path, (w, h), fit, seg_id, name)
    iw, ih = image.size
    if image.mode == "RGBA":  # transparent parts show black, or the blurred photo
        behind = (
            blurred(image, (w, h)).resize(image.size)
            if fit == "blur"
            else Image.new("RGB", image.size)
        )
        behind.paste(image, (0, 0), image)
        image = behind
    if fit == "cover":
        scale = max(w / iw, h / ih)
        cw, ch = w / scale, h / scale
        box = centre_box(iw, ih, cw, ch)
        return resize_to_yuv(image, (w, h), box)
    scale = min(w / iw, h / ih)
    cw, ch = min(w, even(iw * scale)), min(h, even(ih * scale))
    content = resize_to_yuv(image, (cw, ch))
    if (cw, ch) == (w, h):
        return content
    small = blurred(image, (w, h)) if fit == "blur" else None
    del image
    out = black(canvas) if small is None else from_rgb_scaled(small, canvas)
    paste(out, canvas, content, Canvas(cw, ch, canvas.fps), (w - cw) // 2, (h - ch) // 2)
    return out


class Still:
    """One photo segment, ready to give its frame at any progress ``u`` (0..1).

    ``static`` is true when every frame is the same buffer: the pipeline then reuses
    the encoder-ready frame too, and a static stretch costs only the encoder's time.
    """

    def __init__(
        self,
        path: Path,
        canvas: Canvas,
        fit: str,
        kb: object,
        seg_id: str | None = None,
        name: str | None = None,
    ) -> None:
        self.canvas = canvas
        self.kb = KenBurns.parse(kb)
        fit = fit if fit in FITS else "blur"
        if self.kb is None:
            size = (canvas.width, canvas.height)
        else:
            size = (
                even(canvas.width * self.kb.oversample),
                even(canvas.height * self.kb.oversample),
            )
        big = Canvas(size[0], size[1], canvas.fps)
        buf = photo_yuv(path, big, fit, seg_id, name)
        self._size = size
        self._source: WarpSource | None = None
        self._buf: Yuv = buf
        if self.kb is not None:
            self._source = WarpSource(buf, big, canvas)
            if not self.kb.moves:  # a fixed zoom is still one picture
                self._buf = self._source.frame(self.kb.box(0.0, *size))
                self._source = None
        self.static = self._source is None

    def frame(self, u: float, out: Yuv | None = None) -> Yuv:
        """The YUV buffer at progress ``u``; the same object every time when ``static``.

        A moving frame is written into ``out`` when given (a buffer the caller recycles).
        """
        if self._source is None or self.kb is None:
            return self._buf
        return self._source.frame(self.kb.box(u, *self._size), out)

    def close(self) -> None:
        """Drop the pixels now (the pipeline keeps at most the current and next photo)."""
        self._source = None
        self._buf = np.empty(0, dtype=np.uint8)
