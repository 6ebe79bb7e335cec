"""Creators' draft keys through the whole stack: a Session on the real local server.

A draft with a logo, a look and a title the fonts cannot fully draw is exported; the
MP4 is decoded (the logo in its corner, grey frames), and the render's warning about
the missing character reaches the user on the :class:`ExportResult`.  A logo that is
not media of the session is refused before anything is queued.
"""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np
import pytest
from PIL import Image

from nemowidgets.api.errors import DraftError
from nemowidgets.session import Session


@pytest.mark.usefixtures("isolated_env")
def test_logo_look_and_a_font_warning_reach_the_user(tmp_path: Path) -> None:
    photo, logo = tmp_path / "photo.png", tmp_path / "logo.png"
    Image.new("RGB", (320, 180), (40, 160, 220)).save(photo)
    Image.new("RGBA", (100, 100), (250, 250, 250, 255)).save(logo)
    with Session.local(data_dir=tmp_path / "data", export_dir=tmp_path / "out") as session:
        pic, mark = session.upload([photo, logo])
        draft = {
            "t": [
                {"tt": 0, "sg": [{"id": "p", "s": 0, "d": 500, "src": pic.id, "k": "image",
                                  "fx": "bw"}]},
                {"tt": 7, "sg": [{"id": "t", "s": 0, "d": 500, "k": "text", "txt": "A\u0378",
                                  "pos": "top"}]},
            ],
            "d": 500,
            "m": {"width": 320, "height": 180, "fps": 30, "fit": "cover",
                  "logo": {"src": mark.id, "pos": "br", "sz": 0.2, "op": 1.0}},
        }  # fmt: skip
        result = session.export(draft=draft, quality="high")
        assert len(result.warnings) == 1
        assert "U+0378" in result.warnings[0]
        assert "U+0378" in result._repr_html_()
        with av.open(str(result.path)) as container:
            frame = next(container.decode(video=0)).to_ndarray(format="yuv420p").astype(int)
        y, chroma = frame[:180], frame[180:]
        assert np.abs(chroma - 128).max() <= 3  # black and white, the logo is white too
        assert y[140:170, 280:310].mean() > 220  # the white logo, bottom right
        assert y[60:120, 40:200].mean() < 160  # the grey photo elsewhere

        draft["m"]["logo"]["src"] = "m_not_mine"
        with pytest.raises(DraftError, match="logo"):
            session.export(draft=draft)
