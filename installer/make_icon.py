#!/usr/bin/env python3
"""Render resources/icons/app.svg into the Windows icon resources/icons/app.ico (one frame per size,
each rendered from the vector drawing, not scaled down from 256 px).

    .venv/bin/python installer/make_icon.py     # QT_QPA_PLATFORM=offscreen works

The .ico is committed (PyInstaller's spec and the Inno Setup script use it); tests/ui/test_app_icon.py
checks it still matches the SVG.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SVG = ROOT / "resources" / "icons" / "app.svg"
ICO = ROOT / "resources" / "icons" / "app.ico"
SIZES = (16, 20, 24, 32, 40, 48, 64, 128, 256)


def render(size: int, svg: Path = SVG):  # type: ignore[no-untyped-def]
    """The SVG drawn at ``size``×``size`` as a Pillow RGBA image (needs a QGuiApplication)."""
    from PIL import Image
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise SystemExit(f"not a valid SVG: {svg}")
    img = QImage(size, size, QImage.Format.Format_ARGB32)
    img.fill(0)
    painter = QPainter(img)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    data = QByteArray()
    buf = QBuffer(data)
    buf.open(QIODevice.OpenModeFlag.WriteOnly)
    img.save(buf, "PNG")
    buf.close()
    return Image.open(io.BytesIO(bytes(data))).convert("RGBA")


def main() -> int:
    from PySide6.QtGui import QGuiApplication

    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    frames = [render(s) for s in SIZES]
    tmp = ICO.with_suffix(".ico.tmp")
    frames[-1].save(tmp, format="ICO", sizes=[(s, s) for s in SIZES], append_images=frames[:-1])
    tmp.replace(ICO)
    print(f"wrote {ICO} ({ICO.stat().st_size} bytes, sizes {', '.join(map(str, SIZES))})")
    del app
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
