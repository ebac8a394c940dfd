"""Word counter for the 工作小结 / 工作总结: Chinese characters count one each, Latin words (and numbers)
count one per word; punctuation and spaces do not count. The profile's range (MaterialSpec.word_range
of the ``work_summary`` slot) decides whether the text passes."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from app.errors import InputFileError

# CJK Unified Ideographs (+ Extension A, compatibility ideographs, Extensions B–F).
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ebef]")
_WORD = re.compile(r"[A-Za-z0-9\u00c0-\u024f]+(?:['’.\-][A-Za-z0-9\u00c0-\u024f]+)*")


@dataclass
class WordCount:
    han: int
    latin_words: int
    word_range: tuple[int, int | None] | None = None

    @property
    def total(self) -> int:
        return self.han + self.latin_words

    @property
    def ok(self) -> bool | None:
        """True inside the range, False outside, None when the profile sets no range."""
        if self.word_range is None:
            return None
        lo, hi = self.word_range
        return self.total >= lo and (hi is None or self.total <= hi)

    def message(self) -> str:
        base = f"共 {self.total} 字（汉字 {self.han}，英文/数字 {self.latin_words} 词）"
        if self.word_range is None:
            return base + "；本方案未规定字数"
        lo, hi = self.word_range
        want = f"{lo}–{hi} 字" if hi else f"不少于 {lo} 字"
        if self.ok:
            return f"{base}，符合要求（{want}）"
        if self.total < lo:
            return f"{base}，不足 {lo - self.total} 字（要求 {want}）"
        assert hi is not None
        return f"{base}，超出 {self.total - hi} 字（要求 {want}）"

    def to_json(self) -> dict:
        return {"total": self.total, "han": self.han, "latin_words": self.latin_words,
                "range": list(self.word_range) if self.word_range else None, "ok": self.ok}


def count_words(text: str, word_range: tuple[int, int | None] | None = None) -> WordCount:
    return WordCount(len(_HAN.findall(text)), len(_WORD.findall(text)), word_range)


def read_text(path: str | Path) -> str:
    """Text of a .docx or .txt (UTF-8, GB18030 accepted) file."""
    p = Path(path)
    if not p.exists():
        raise InputFileError(f"找不到文件：{p}")
    suffix = p.suffix.lower()
    if suffix == ".docx":
        from app.export.letters import docx_text
        from app.fileio import MAX_DOCUMENT_BYTES, check_zip_bounds, read_user_file

        data = read_user_file(p, MAX_DOCUMENT_BYTES, what="Word 文件")
        check_zip_bounds(data, p.name, what="Word 文件")
        try:
            return docx_text(data)
        except Exception as exc:  # python-docx raises assorted errors for non-docx content
            raise InputFileError(f"无法读取 Word 文件“{p.name}”：文件损坏或不是 .docx 格式") from exc
    if suffix in (".txt", ".md"):
        from app.fileio import MAX_DATA_FILE_BYTES, read_user_file

        data = read_user_file(p, MAX_DATA_FILE_BYTES, what="文件")
        for enc in ("utf-8-sig", "gb18030"):
            try:
                return data.decode(enc)
            except UnicodeDecodeError:
                continue
        raise InputFileError(f"无法识别“{p.name}”的文字编码（支持 UTF-8、GB18030）")
    raise InputFileError(f"不支持的文件类型“{p.suffix}”：请使用 .docx 或 .txt")


def count_file(path: str | Path, word_range: tuple[int, int | None] | None = None) -> WordCount:
    return count_words(read_text(path), word_range)
