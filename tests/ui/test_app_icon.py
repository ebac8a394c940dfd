"""The committed Windows icon (resources/icons/app.ico) holds every size Windows asks for and still
matches the SVG it is rendered from (installer/make_icon.py)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parents[2]


def _make_icon():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("make_icon", ROOT / "installer" / "make_icon.py")
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_ico_has_all_sizes_and_matches_the_svg(qapp) -> None:  # type: ignore[no-untyped-def]
    mk = _make_icon()
    with Image.open(mk.ICO) as ico:
        assert set(ico.info["sizes"]) == {(s, s) for s in mk.SIZES}
    for size in (16, 32, 256):
        with Image.open(mk.ICO) as ico:
            ico.size = (size, size)
            frame = np.asarray(ico.convert("RGBA"), dtype=np.int16)
        fresh = np.asarray(mk.render(size), dtype=np.int16)
        assert frame.shape == fresh.shape
        # rendered per size from the vector drawing (a 256 px frame scaled down would differ more)
        assert np.abs(frame - fresh).mean() < 1.0, f"{size} px frame differs from app.svg: run installer/make_icon.py"
