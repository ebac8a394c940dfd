from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.errors import InputFileError
from app.masking.boxes import Box, BoxSet, PageBoxes


def test_round_trip(tmp_path: Path) -> None:
    bs = BoxSet([PageBoxes(1, [Box("seal", 0.5, 0.6, 0.7, 0.8, 0.93, "seal")]), PageBoxes(0, [])])
    bs.save(tmp_path / "b.json")
    back = BoxSet.load(tmp_path / "b.json")
    assert back.for_page(1) == [Box("seal", 0.5, 0.6, 0.7, 0.8, 0.93, "seal")]
    assert back.to_json()["pages"][0]["index"] == 0
    assert json.loads((tmp_path / "b.json").read_text("utf-8"))["pages"][1]["boxes"][0]["source"] == "seal"


def test_defaults_and_pixels() -> None:
    bs = BoxSet.from_json({"pages": [{"index": 0, "boxes": [{"x0": 0.1, "y0": 0.1, "x1": 0.2, "y1": 0.3}]}]})
    (b,) = bs.for_page(0)
    assert (b.category, b.source, b.score) == ("other", "manual", 1.0)
    assert b.to_pixels(1000, 100) == (100, 10, 200, 30)
    assert Box.from_pixels((10, 10, 20, 20), 100, 100, category="eyes", source="eyes", pad=0.5).x0 == pytest.approx(0.05)


@pytest.mark.parametrize("bad, fragment", [
    ('{"pages": 3}', "pages"),
    ('{"pages": [{"index": -1, "boxes": []}]}', "index"),
    ('{"pages": [{"index": 0, "boxes": [{"x0": 0.5, "y0": 0.1, "x1": 0.2, "y1": 0.3}]}]}', "第 1 页第 1 个框无效"),
    ('{"pages": [{"index": 0, "boxes": [{"x0": 0.1, "y0": 0.1, "x1": 1.2, "y1": 0.3}]}]}', "0~1"),
    ('{"pages": [{"index": 0, "boxes": [{"category": "face", "x0": 0.1, "y0": 0.1, "x1": 0.2, "y1": 0.3}]}]}', "类别"),
    ('{"pages": [{"index": 2, "boxes": [{"x0": 0.1, "y0": 0.1, "x1": 0.2}]}]}', "第 3 页第 1 个框缺少坐标 y1"),
    ('{"pages": [', "不是有效的 JSON"),
])
def test_invalid_box_files_get_chinese_messages(bad: str, fragment: str) -> None:
    with pytest.raises(InputFileError, match=fragment):
        BoxSet.loads(bad)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match="找不到遮盖框文件"):
        BoxSet.load(tmp_path / "nope.json")


def test_overlap_and_move() -> None:
    a = Box("name", 0.1, 0.1, 0.3, 0.3)
    assert a.overlaps(Box("name", 0.2, 0.2, 0.25, 0.25)) == pytest.approx(1.0)
    assert a.overlaps(Box("name", 0.5, 0.5, 0.6, 0.6)) == 0
    m = a.moved(0.9, -0.5)
    assert (m.x1, m.y0) == (pytest.approx(1.0), pytest.approx(0.0))
