"""Red-seal suggestions: HSV colour segmentation + shape (circle/ellipse), also partial and faint
seals and seals printed over black text (the black text is not red, so it does not disturb the mask).
"""

from __future__ import annotations

import math

import numpy as np

from app.masking.boxes import Box

WORK_SIDE = 640  # detection runs on a copy whose long side is at most this many px


def red_mask(rgb: np.ndarray) -> np.ndarray:
    import cv2

    hsv = cv2.cvtColor(rgb, cv2.COLOR_RGB2HSV)
    h, s, v = hsv[:, :, 0], hsv[:, :, 1], hsv[:, :, 2]
    # OpenCV hue is 0..179; red wraps around 0. Faint seals: low saturation but still clearly reddish.
    hue_red = (h <= 10) | (h >= 160)
    hue_core = (h <= 7) | (h >= 165)  # faint: only true reds (skin tones sit at hue ≈ 10–15)
    strong = hue_red & (s >= 70) & (v >= 60)
    faint = hue_core & (s >= 38) & (v >= 120)
    return ((strong | faint).astype(np.uint8)) * 255


def suggest_seals(rgb: np.ndarray) -> list[Box]:
    import cv2

    if rgb.ndim != 3:
        return []
    H, W = rgb.shape[:2]
    step = max(1, math.ceil(max(H, W) / WORK_SIDE))  # plain subsampling: colour blobs need no filtering
    small = np.ascontiguousarray(rgb[::step, ::step]) if step > 1 else rgb
    scale = small.shape[1] / W
    h, w = small.shape[:2]
    mask = red_mask(small)
    if not mask.any():
        return []
    # remove long straight red lines (page frames, rules, table borders): seals are curved
    horiz = cv2.morphologyEx(mask, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (max(8, w // 6), 1)))
    vert = cv2.morphologyEx(mask, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, max(8, h // 6))))
    mask = cv2.bitwise_and(mask, cv2.bitwise_not(cv2.bitwise_or(horiz, vert)))
    k = max(3, round(min(h, w) / 60)) | 1
    closed = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k)))
    closed = cv2.dilate(closed, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k)))
    contours, _ = cv2.findContours(closed, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    min_side = max(8, 0.035 * min(h, w))
    out: list[Box] = []
    for c in contours:
        x, y, bw, bh = cv2.boundingRect(c)
        if bw < min_side or bh < min_side:
            continue
        if bw > 0.5 * w and bh > 0.5 * h:
            continue  # page frames and borders; a seal is never half the page
        touches = x <= 1 or y <= 1 or x + bw >= w - 1 or y + bh >= h - 1
        aspect = bw / bh
        if not (0.55 <= aspect <= 1.8) and not touches:
            continue  # red text lines and rules are long and thin
        red_px = cv2.countNonZero(mask[y:y + bh, x:x + bw])
        density = red_px / float(bw * bh)
        if density < 0.04:
            continue
        fit = _ellipse_fit(c, bw, bh)
        if fit < 0.55 and not touches:
            continue
        ring = _ring_coverage(mask, x, y, bw, bh)
        if ring < 0.6 and not touches:
            continue  # red glyphs (titles) and blobs: a seal has a (mostly) closed outer ring
        score = round(min(1.0, 0.3 + 0.35 * fit + 0.35 * ring), 3)
        out.append(Box.from_pixels((x / scale, y / scale, (x + bw) / scale, (y + bh) / scale), W, H,
                                   category="seal", source="seal", score=score, pad=0.06))
    return out


def _ring_coverage(mask: np.ndarray, x: int, y: int, bw: int, bh: int) -> float:
    """Share of directions from the blob's centre in which red lies on the outer 18 % of its ellipse."""
    cx, cy, rx, ry = x + bw / 2, y + bh / 2, bw / 2, bh / 2
    h, w = mask.shape
    angles = np.linspace(0, 2 * np.pi, 72, endpoint=False)
    radii = np.linspace(0.82, 1.0, 6)
    xs = np.clip((cx + np.outer(np.cos(angles), radii) * rx).astype(int), 0, w - 1)
    ys = np.clip((cy + np.outer(np.sin(angles), radii) * ry).astype(int), 0, h - 1)
    hit = (mask[ys, xs] > 0).any(axis=1)
    return float(hit.mean())


def _ellipse_fit(contour: np.ndarray, bw: int, bh: int) -> float:
    """How well the blob's outline matches its fitted ellipse (1 = perfect, 0 = not at all)."""
    import cv2

    if len(contour) < 5:
        return 0.0
    area = cv2.contourArea(contour)
    hull = cv2.convexHull(contour)
    hull_area = cv2.contourArea(hull)
    if hull_area <= 0:
        return 0.0
    solidity = area / hull_area
    perim = cv2.arcLength(hull, True)
    circularity = 4 * math.pi * hull_area / (perim * perim) if perim > 0 else 0.0
    ellipse_area = math.pi * bw * bh / 4
    fill = min(hull_area, ellipse_area) / max(hull_area, ellipse_area)
    return float(max(0.0, min(1.0, 0.45 * circularity + 0.35 * fill + 0.2 * solidity)))
