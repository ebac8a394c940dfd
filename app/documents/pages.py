"""Page analysis for the page tools: is a page upright, and is it skewed? (Pure functions on pixels.)

Upright detection — a cheap heuristic, no OCR:
1. Binarise a downscaled copy (ink = darker than an Otsu threshold).
2. Text lines make the *row* ink profile strongly periodic when lines run across the page, and the
   *column* profile when the page lies on its side. Comparing the two profiles' normalised variance
   tells 0°/180° from 90°/270°.
3. Paragraph text is left-aligned with a ragged right end (short last lines of paragraphs, Chinese
   justified text included). Cut the text lines from the profile and compare how many lines start at
   the common left edge with how many end at the common right edge: more left-aligned → upright,
   more right-aligned → upside down. A page on its side is first turned by 90° and tested the same way.
The answer carries a confidence; pages without enough text lines (photos, ID cards) get ``None``.

Deskew: rotate the ink image by small angles (±5°, coarse then fine) and keep the angle whose row
profile is sharpest (sum of squared differences between adjacent rows), the classic projection method.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image

ANALYSIS_PX = 900


@dataclass(frozen=True)
class RotationProposal:
    rotation: int | None  # clockwise degrees to add so the page reads upright; None = cannot tell
    confidence: float  # 0..1
    reason: str  # Chinese, for the UI


@dataclass(frozen=True)
class DeskewProposal:
    angle: float  # degrees, counter-clockwise positive (as PIL's rotate); 0.0 = nothing to do
    confidence: float
    reason: str


def _gray_small(im: Image.Image, max_px: int = ANALYSIS_PX) -> np.ndarray:
    g = im.convert("L")
    scale = max_px / max(g.size)
    if scale < 1:
        g = g.resize((max(1, round(g.width * scale)), max(1, round(g.height * scale))), Image.Resampling.BOX)
    return np.asarray(g, dtype=np.uint8)


def _otsu(a: np.ndarray) -> int:
    hist = np.bincount(a.ravel(), minlength=256).astype(np.float64)
    total = hist.sum()
    if total == 0:
        return 128
    levels = np.arange(256)
    w0 = np.cumsum(hist)
    m0 = np.cumsum(hist * levels)
    mt = m0[-1]
    w1 = total - w0
    with np.errstate(divide="ignore", invalid="ignore"):
        between = (mt * w0 / total - m0) ** 2 / (w0 * w1)
    between = np.nan_to_num(between)
    return int(np.argmax(between))


def ink_mask(im: Image.Image, max_px: int = ANALYSIS_PX) -> np.ndarray:
    a = _gray_small(im, max_px)
    t = min(_otsu(a), 160)
    return a < t


def _norm_var(profile: np.ndarray) -> float:
    m = profile.mean()
    return float(profile.var() / (m * m)) if m > 0 else 0.0


def _lines(ink: np.ndarray) -> list[tuple[int, int]]:
    """Row bands that contain text (start, end) of a horizontally written page."""
    rows = ink.sum(axis=1)
    if rows.max(initial=0) == 0:
        return []
    on = rows > max(1, 0.01 * ink.shape[1])
    bands: list[tuple[int, int]] = []
    start = None
    for y, v in enumerate(on):
        if v and start is None:
            start = y
        elif not v and start is not None:
            if y - start >= 2:
                bands.append((start, y))
            start = None
    if start is not None and len(on) - start >= 2:
        bands.append((start, len(on)))
    return bands


def _alignment_score(ink: np.ndarray) -> tuple[float, int]:
    """(left-aligned fraction − right-aligned fraction, number of lines) for horizontal text."""
    bands = _lines(ink)
    if len(bands) < 4:
        return 0.0, len(bands)
    lefts, rights = [], []
    for y0, y1 in bands:
        cols = np.flatnonzero(ink[y0:y1].any(axis=0))
        if cols.size:
            lefts.append(cols[0])
            rights.append(cols[-1])
    left = np.array(lefts)
    right = np.array(rights)
    tol = max(3, int(0.015 * ink.shape[1]))
    left_frac = float(np.mean(np.abs(left - np.median(left)) <= tol))
    right_frac = float(np.mean(np.abs(right - np.median(right)) <= tol))
    return left_frac - right_frac, len(bands)


def _without_pictures(ink: np.ndarray) -> np.ndarray:
    """The ink of the text only: the bounding rectangle (plus a margin) of every large solid-ink region —
    the portrait on an ID card, a photo pasted on a form — is cleared, so a picture's rows and columns
    do not read as lines of text (an upright ID card looked "sideways" before)."""
    import cv2

    h, w = ink.shape
    cell = max(4, round(max(h, w) / 60))
    gh, gw = -(-h // cell), -(-w // cell)
    grid = np.zeros((gh * cell, gw * cell), np.float32)
    grid[:h, :w] = ink
    dense = (grid.reshape(gh, cell, gw, cell).mean(axis=(1, 3)) > 0.5).astype(np.uint8)
    n, _labels, stats, _ = cv2.connectedComponentsWithStats(dense, connectivity=8)
    out = ink
    for x, y, bw, bh, _area in stats[1:n]:
        if bw >= 4 and bh >= 4:  # ≥ 4×4 cells of > 50 % ink: no line of text is that solid
            out = out.copy() if out is ink else out
            out[max(0, (y - 1) * cell):(y + bh + 1) * cell, max(0, (x - 1) * cell):(x + bw + 1) * cell] = False
    return out


def propose_rotation(im: Image.Image) -> RotationProposal:
    ink = _without_pictures(ink_mask(im))
    if ink.mean() < 0.002:
        return RotationProposal(None, 0.0, "页面几乎空白，无法判断方向")
    horiz = _norm_var(ink.sum(axis=1).astype(np.float64))
    vert = _norm_var(ink.sum(axis=0).astype(np.float64))
    sideways = vert > horiz * 1.25
    if sideways:
        turned = np.rot90(ink, k=-1)  # clockwise 90°
        score, n = _alignment_score(turned)
        if n < 4 or abs(score) < 0.1:
            return RotationProposal(None, 0.3, "页面可能横置（文字行为竖向），但无法确定转向，请人工确认")
        conf = min(1.0, 0.5 + abs(score))
        if score > 0:
            return RotationProposal(90, conf, "文字行为竖向，建议顺时针旋转 90°")
        return RotationProposal(270, conf, "文字行为竖向，建议逆时针旋转 90°")
    score, n = _alignment_score(ink)
    if n < 4 or abs(score) < 0.1:
        return RotationProposal(None if n < 4 else 0, 0.3, "文字行不足，无法可靠判断方向" if n < 4 else "未发现明显倒置")
    conf = min(1.0, 0.5 + abs(score))
    if score < 0:
        return RotationProposal(180, conf, "文字行右侧对齐、左侧参差，页面可能倒置，建议旋转 180°")
    return RotationProposal(0, conf, "页面方向正常")


def _sharpness(ink_img: Image.Image, angle: float) -> float:
    rot = ink_img.rotate(angle, resample=Image.Resampling.NEAREST, expand=False, fillcolor=0)
    rows = np.asarray(rot, dtype=np.float64).sum(axis=1)
    return float(np.sum(np.diff(rows) ** 2))


def propose_deskew(im: Image.Image, *, max_angle: float = 5.0) -> DeskewProposal:
    ink = ink_mask(im, max_px=1000)
    if ink.mean() < 0.002:
        return DeskewProposal(0.0, 0.0, "页面几乎空白")
    ink_img = Image.fromarray((ink * 255).astype(np.uint8), "L")
    coarse = np.arange(-max_angle, max_angle + 1e-9, 0.5)
    scores = [_sharpness(ink_img, float(a)) for a in coarse]
    best = float(coarse[int(np.argmax(scores))])
    fine = np.arange(best - 0.5, best + 0.5 + 1e-9, 0.1)
    fscores = [_sharpness(ink_img, float(a)) for a in fine]
    best = round(float(fine[int(np.argmax(fscores))]), 1)
    base = _sharpness(ink_img, 0.0)
    gain = (max(fscores) / base) if base > 0 else 1.0
    if abs(best) < 0.3 or gain < 1.05:
        return DeskewProposal(0.0, 0.5, "页面基本端正，无需纠偏")
    conf = float(min(1.0, (gain - 1.0) * 2))
    direction = "逆时针" if best > 0 else "顺时针"
    return DeskewProposal(best, conf, f"页面倾斜约 {abs(best):.1f}°，建议{direction}纠偏 {abs(best):.1f}°")


def deskew_image(im: Image.Image, angle: float) -> Image.Image:
    """A derived, straightened copy (the original stays in the vault)."""
    if im.mode == "1":
        im = im.convert("L")
    fill = 255 if im.mode == "L" else (255, 255, 255)
    return im.rotate(angle, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=fill)


# How far a 一寸照's width/height ratio may stray from the certificate photo's (25×35 mm): a phone
# picture (3:4) is 5 % off and would be centre-cropped at export, cutting into the head or shoulders.
PHOTO_RATIO_TOLERANCE = 0.03


def photo_problems(width: int, height: int, want_width: int, want_height: int) -> list[str]:
    """Why a picture would make a poor 一寸照 (certificate photo): too few pixels, lying on its side,
    or proportions far from 25×35 mm (a phone photo is 3:4 and gets cropped). Empty when it fits."""
    out: list[str] = []
    if width <= 0 or height <= 0:
        return out
    if width < want_width or height < want_height:
        out.append(f"照片只有 {width}×{height} 像素，小于证书照要求的 {want_width}×{want_height} 像素，"
                   "放大后会模糊，请重新拍摄或扫描")
    if width > height:
        out.append(f"照片为横向（{width}×{height}），一寸照应为竖向，请确认照片方向")
    ratio, want = width / height, want_width / want_height
    if width <= height and abs(ratio - want) / want > PHOTO_RATIO_TOLERANCE:
        out.append(f"照片比例 {width}×{height} 与一寸照 25×35 mm 不符，导出时会居中裁剪为 "
                   f"{want_width}×{want_height} 像素，请检查头部是否完整，必要时使用标准证件照")
    return out
