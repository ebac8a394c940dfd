"""Eye suggestions: OpenCV's bundled Haar cascades (cv2.data.haarcascades, BSD/Intel licence,
shipped inside the opencv-python wheel) find faces, then eyes inside the face; the suggestion is one
band over both eyes (on ID cards and 一寸照 alike). Without two eyes found, the band is placed at the
usual eye height of the face box.
"""

from __future__ import annotations

import threading
from typing import Any

import numpy as np

from app.masking.boxes import Box

WORK_SIDE = 800
_cascades: dict[str, Any] = {}
_lock = threading.Lock()


def _cascade(name: str) -> Any:
    import cv2

    with _lock:
        if name not in _cascades:
            c = cv2.CascadeClassifier(cv2.data.haarcascades + name)  # type: ignore[attr-defined]
            if c.empty():
                raise RuntimeError(f"cascade {name} missing")
            _cascades[name] = c
        return _cascades[name]


def photo_regions(gray: np.ndarray, block: int = 16) -> list[tuple[int, int, int, int]]:
    """Rectangles (x, y, w, h) of photo-like areas: blocks dominated by mid-tones, unlike paper and
    text, which are nearly all white or dark. The face detector only runs there (fast on text pages)."""
    import cv2

    h, w = gray.shape
    bh, bw = h // block, w // block
    if bh == 0 or bw == 0:
        return [(0, 0, w, h)]
    g = gray[:bh * block, :bw * block]
    mid = ((g > 45) & (g < 200)).reshape(bh, block, bw, block).mean(axis=(1, 3))
    mask = (mid > 0.45).astype(np.uint8)
    mask = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, np.ones((3, 3), np.uint8))
    n, _labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    out = []
    for i in range(1, n):
        x, y, ww, hh, _area = stats[i]
        if ww >= 3 and hh >= 3:
            pad = 1
            x0, y0 = max(0, x - pad) * block, max(0, y - pad) * block
            x1, y1 = min(bw, x + ww + pad) * block, min(bh, y + hh + pad) * block
            out.append((x0, y0, x1 - x0, y1 - y0))
    return out


def suggest_eyes(rgb: np.ndarray) -> list[Box]:
    import cv2

    H, W = rgb.shape[:2]
    step = max(1, int(max(H, W) / WORK_SIDE))  # cheap integer subsampling first, then an exact resize
    sub = np.ascontiguousarray(rgb[::step, ::step]) if step > 1 else rgb
    gray = cv2.cvtColor(sub, cv2.COLOR_RGB2GRAY) if sub.ndim == 3 else sub
    scale = min(1.0, WORK_SIDE / max(H, W))
    target = (max(1, round(W * scale)), max(1, round(H * scale)))
    small = cv2.resize(gray, target, interpolation=cv2.INTER_AREA) if gray.shape[::-1] != target else gray
    h, w = small.shape[:2]
    min_face = max(24, round(min(h, w) * 0.05))
    face_cascade = _cascade("haarcascade_frontalface_default.xml")
    faces: list[tuple[int, int, int, int]] = []
    # photo-like areas are found on an unfiltered subsample: downscaled text turns grey, sampled text stays
    # black on white
    nn_step = max(1, round(max(gray.shape) / WORK_SIDE))
    nn = gray[::nn_step, ::nn_step]
    fy_, fx_ = h / nn.shape[0], w / nn.shape[1]
    regions = [(int(x * fx_), int(y * fy_), int(rw_ * fx_) + 1, int(rh_ * fy_) + 1)
               for x, y, rw_, rh_ in photo_regions(nn)]
    for rx, ry, rw, rh in regions:
        if rw < min_face or rh < min_face:
            continue
        found = face_cascade.detectMultiScale(small[ry:ry + rh, rx:rx + rw], scaleFactor=1.1, minNeighbors=4,
                                              minSize=(min_face, min_face))
        faces.extend((fx + rx, fy + ry, fw, fh) for fx, fy, fw, fh in (found if len(found) else []))
    out: list[Box] = []
    eye_cascade = _cascade("haarcascade_eye.xml")
    for fx, fy, fw, fh in faces:
        roi = small[fy + int(0.15 * fh):fy + int(0.6 * fh), fx:fx + fw]
        eyes = eye_cascade.detectMultiScale(roi, scaleFactor=1.1, minNeighbors=4,
                                            minSize=(max(8, fw // 10), max(8, fw // 10)))
        eyes = sorted(((ex, ey + int(0.15 * fh), ew, eh) for ex, ey, ew, eh in eyes), key=lambda e: -e[2] * e[3])[:2]
        if len(eyes) == 2 and abs((eyes[0][0] + eyes[0][2] / 2) - (eyes[1][0] + eyes[1][2] / 2)) > fw * 0.2:
            left = min(e[0] for e in eyes) - 0.12 * fw
            right = max(e[0] + e[2] for e in eyes) + 0.12 * fw
            cy = sum(e[1] + e[3] / 2 for e in eyes) / 2
            half = max(max(e[3] for e in eyes) * 0.55, 0.1 * fh)
            top, bottom, score = cy - half, cy + half, 0.9
        else:
            left, right = 0.08 * fw, 0.92 * fw
            top, bottom, score = 0.24 * fh, 0.52 * fh, 0.6
        left, right = max(0.0, left), min(float(fw), right)
        rect = ((fx + left) / scale, (fy + top) / scale, (fx + right) / scale, (fy + bottom) / scale)
        out.append(Box.from_pixels(rect, W, H, category="eyes", source="eyes", score=score))
    return out
