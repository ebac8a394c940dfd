"""The OCR pipeline behind suggestions: character boxes from the recogniser's columns, the matcher's
prefilter (never drops a match), reading under red seals, narrowed lines, and the cache format.
Real RapidOCR runs on small generated pages (about half a second each)."""

from __future__ import annotations

import itertools
import random

import numpy as np
import pytest
from PIL import Image, ImageDraw

from app.documents import demo_scans as ds
from app.masking.suggest import cache, suggest_page
from app.masking.suggest.ocr import (
    CONFUSIONS,
    REREAD_BELOW,
    SQUASH,
    OcrLine,
    _char_rects,
    _split_evenly,
    _sub_cost,
    allowed_distance,
    distance,
    get_engine,
    match_targets,
    ocr_image,
)
from app.services.demo import demo_people

needs_ocr = pytest.mark.skipif(get_engine() is None, reason="RapidOCR is a runtime dependency; missing here")


def test_char_rects_follow_a_slanted_line() -> None:
    # a line 400 px long rising 40 px to the right, 30 px high; 100 CTC columns; three CJK characters
    # at columns 10, 30, 50 and two digits at 70 and 75
    quad = np.array([[100, 140], [500, 100], [500, 130], [100, 170]], dtype=np.float32)
    info = [100, [["甲", "乙", "丙"], ["1", "2"]], [[10, 30, 50], [70, 75]], ["cn", "en&num"], [0.9] * 5]
    out = _char_rects(quad, "甲乙丙12", info, 0.9)
    assert [t for t, _, _ in out] == ["甲", "乙", "丙", "1", "2"]
    rects = [r for _, r, _ in out]
    centres = [((r[0] + r[2]) / 2, (r[1] + r[3]) / 2) for r in rects]
    # centres sit on the line's axis: x = 100 + 400·(col + 0.5)/100, y falls 0.1 px per px of x
    for (cx, cy), col in zip(centres, [10, 30, 50, 70, 75], strict=True):
        assert cx == pytest.approx(100 + 4 * (col + 0.5), abs=0.5)
        assert cy == pytest.approx(155 - 0.1 * (cx - 100), abs=0.5)
    widths = [r[2] - r[0] for r in rects]
    assert widths[0] == pytest.approx(80, abs=1)  # CJK pitch 20 columns = 80 px
    assert widths[3] == pytest.approx(20, abs=1)  # digits 5 columns apart = 20 px
    # the boxes of a slanted line are taller than the line's own height (they cover the slant)
    assert all(r[3] - r[1] > 30 for r in rects)


def test_char_rects_refuse_inconsistent_columns() -> None:
    quad = np.array([[0, 0], [100, 0], [100, 20], [0, 20]], dtype=np.float32)
    assert _char_rects(quad, "甲乙", [50, [["甲"]], [[3]], ["cn"], [1.0]], 1.0) == []


def test_match_prefilter_bound_holds() -> None:
    """The matcher skips windows with fewer than n − budget characters equal or similar to the
    target's; that is safe only if every other window is over budget. Checked exhaustively on short
    windows over an alphabet rich in OCR confusions."""
    alphabet = "阿依古丽买提库尔勒市第一中学己已巳未末土士人入八大太犬江汪"
    rng = random.Random(7)
    targets = ["阿依古丽买买提", "库尔勒市第一中学", "江已", "土人大"]
    for target in targets:
        n, budget = len(target), allowed_distance(len(target))
        for _ in range(3000):
            length = rng.choice([max(2, n - 1), n, n + 1])
            window = "".join(rng.choice(alphabet + target * 3) for _ in range(length))
            hits = sum(1 for c in window if any(_sub_cost(c, t) < 1 for t in target))
            if distance(window, target) <= budget:
                assert hits >= n - budget, (window, target)


def test_match_targets_on_a_dense_page_finds_planted_names() -> None:
    rng = random.Random(3)
    filler = "本人自参加工作以来认真履行岗位职责积极参加继续教育完成各项任务"
    texts = ["".join(rng.choice(filler) for _ in range(34)) for _ in range(40)]
    texts[7] = texts[7][:10] + "阿依古丽买买堤" + texts[7][17:]  # one confusion, no separator
    texts[20] = texts[20][:30] + "库尔勒市"  # the unit split over two lines
    texts[21] = "第一中学" + texts[21][4:]
    lines = [OcrLine(t, (0, i * 50, 34 * 40, i * 50 + 40), 0.95,
                     _split_evenly(t, (0, i * 50, 34 * 40, i * 50 + 40), 0.95)) for i, t in enumerate(texts)]
    found = match_targets(lines, [("name", "阿依古丽·买买提"), ("unit", "库尔勒市第一中学")])
    name_lines = {li for m in found if m.category == "name" for li, _ in m.chars}
    unit_lines = {li for m in found if m.category == "unit" for li, _ in m.chars}
    assert name_lines == {7}
    assert unit_lines == {20, 21}


def test_confusion_groups_are_symmetric() -> None:
    for group in CONFUSIONS:
        for a, b in itertools.permutations(set(group), 2):
            assert _sub_cost(a, b) == _sub_cost(b, a) < 1


@needs_ocr
def test_engine_sessions_use_all_cores_without_spinning() -> None:
    from rapidocr_onnxruntime.utils.infer_engine import OrtInferSession

    from app.masking.suggest.ocr import _threads

    engine = get_engine()
    for holder in (engine.text_det.infer, engine.text_cls.infer, engine.text_rec.session):
        so = holder.session.get_session_options()
        assert so.intra_op_num_threads == _threads() and so.inter_op_num_threads == 1
        assert so.get_session_config_entry("session.intra_op.allow_spinning") == "0"
    assert engine.text_rec.rec_batch_num == 2
    # RapidOCR's own option builder is back in place once the engine is built
    assert OrtInferSession._init_sess_opts({}).intra_op_num_threads == 0


@needs_ocr
def test_name_and_unit_under_a_seal_are_read() -> None:
    """On the demo contract's signature page the seal lies over both the unit's name and the
    person's: the seal's red ink is lightened for OCR, so both are suggested."""
    p = demo_people()[1]
    page = np.asarray(ds.contract_pages(p, 1)[1].convert("RGB"))
    boxes = suggest_page(page, None, names=[p.name], units=[p.unit.name], use_cache=False)
    cats = [b.category for b in boxes]
    assert cats.count("seal") == 1 and cats.count("name") == 1 and cats.count("unit") == 1
    seal = next(b for b in boxes if b.category == "seal")
    for cat in ("name", "unit"):
        b = next(b for b in boxes if b.category == cat)
        assert b.y0 < seal.y1 and b.y1 > seal.y0  # the text box overlaps the seal


@needs_ocr
def test_narrowed_lines_read_like_full_lines() -> None:
    im = Image.new("RGB", (1400, 560), (250, 250, 248))
    d = ImageDraw.Draw(im)
    rows = ["兹证明阿依古丽·买买提同志现任本校数学教师", "现在库尔勒市第一中学从事数学教学工作至今",
            "证书编号：107500012022000001"]  # digits are what narrowing garbles first: read again
    for i, row in enumerate(rows):
        d.text((60, 80 + i * 150), row, font=ds.font(46), fill=(20, 20, 20))
    rgb = np.asarray(im)
    full = [ln.text for ln in ocr_image(rgb, squash=1.0)]
    narrow = ocr_image(rgb, squash=SQUASH)
    assert [ln.text for ln in narrow] == full
    # the number line comes out of the narrow pass below REREAD_BELOW (0.95 here) and is read again:
    # every line of this clean page ends up above it
    assert min(ln.score for ln in narrow) >= REREAD_BELOW
    assert "".join(full).replace("·", "") == "".join(rows).replace("·", "")
    # character boxes still sit on the characters: 阿 starts right after 兹证明 (3 × 46 px from x=60)
    a = next(c for c in narrow[0].chars if c.text == "阿")
    assert a.rect[0] == pytest.approx(60 + 3 * 46, abs=20)


@needs_ocr
def test_ocr_cache_of_an_older_pipeline_is_read_again(tmp_path) -> None:
    p = demo_people()[0]
    page = np.asarray(ds.contract_pages(p, 0)[1].convert("RGB"))
    key = "ab" + "0" * 62
    # an entry in the first version's format claims the name sits at the top of the page
    fake = OcrLine(p.name, (10, 10, 200, 40), 0.99, _split_evenly(p.name, (10, 10, 200, 40), 0.99))
    cache.put(key, "ocr", {"scale": 1.0, "lines": [fake.to_json()]})
    boxes = [b for b in suggest_page(page, key, names=[p.name], units=[], kinds=("ocr",)) if b.category == "name"]
    assert boxes and all(b.y0 > 0.2 for b in boxes)  # read from the page, not from the stale entry
    assert cache.get(key, "ocr")["v"] >= 2
