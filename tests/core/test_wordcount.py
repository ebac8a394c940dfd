"""工作小结 word counter: 汉字 one each, Latin words one each, the profile's range applied."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.errors import InputFileError
from app.export.wordcount import count_file, count_words


def test_counts_han_characters_and_latin_words_not_punctuation() -> None:
    wc = count_words("本人负责 110kV 变电站的 SCADA system 运维，完成了 3 项改造。")
    assert wc.han == 16  # 本人负责 变电站的 运维 完成了 项改造
    assert wc.latin_words == 4  # 110kV, SCADA, system, 3
    assert wc.total == 20
    assert count_words("，。！？、“”（）——……  \n").total == 0
    assert count_words("don't well-known e.g").latin_words == 3


def test_range_of_the_urumqi_profile_2000_to_3000() -> None:
    assert count_words("字" * 1999, (2000, 3000)).ok is False
    assert count_words("字" * 2000, (2000, 3000)).ok is True
    assert count_words("字" * 3000, (2000, 3000)).ok is True
    over = count_words("字" * 3001, (2000, 3000))
    assert over.ok is False and "超出 1 字" in over.message()
    assert "不足 1 字" in count_words("字" * 1999, (2000, 3000)).message()


def test_open_range_of_korla_at_least_1000() -> None:
    assert count_words("字" * 999 + " word", (1000, None)).ok is True
    short = count_words("字" * 10, (1000, None))
    assert short.ok is False and "不少于 1000 字" in short.message()
    assert count_words("字", None).ok is None


def test_profiles_carry_the_ranges_of_the_notices() -> None:
    from app.policy.profiles import load_profile

    assert load_profile("urumqi-private-2025").material("work_summary").word_range == (2000, 3000)
    assert load_profile("korla-2024").material("work_summary").word_range == (1000, None)


def test_counts_docx_and_gb18030_text_files(tmp_path: Path) -> None:
    from docx import Document

    doc = Document()
    doc.add_paragraph("工作总结" * 250)
    table = doc.add_table(rows=1, cols=1)
    table.cell(0, 0).text = "表格里的字 also counted"
    doc.save(tmp_path / "s.docx")
    wc = count_file(tmp_path / "s.docx", (1000, None))
    assert wc.han == 1005 and wc.latin_words == 2 and wc.ok is True
    (tmp_path / "s.txt").write_bytes("总结文字".encode("gb18030"))
    assert count_file(tmp_path / "s.txt").han == 4


def test_bad_files_get_clear_messages(tmp_path: Path) -> None:
    (tmp_path / "x.docx").write_bytes(b"not a zip")
    with pytest.raises(InputFileError, match="无法读取 Word 文件"):
        count_file(tmp_path / "x.docx")
    (tmp_path / "x.pdf").write_bytes(b"%PDF")
    with pytest.raises(InputFileError, match="不支持的文件类型"):
        count_file(tmp_path / "x.pdf")
    with pytest.raises(InputFileError, match="找不到文件"):
        count_file(tmp_path / "missing.txt")
