"""清单.pdf: a printable checklist, one A4 page (or more) per person, from the bundle manifest.

Uses PyMuPDF's built-in CJK font (Droid Sans Fallback, Apache-2.0), subset into the file, so it
works offline and prints Chinese anywhere.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from app.export.manifest import KIND_MATERIAL, Manifest

A4 = (595.28, 841.89)
MARGIN = 50
LINE = 20


def _kb(n: int) -> str:
    return f"{max(1, round(n / 1024))} KB"


def fit_width(text: str, width: float, size: float, measure: Callable[[str, float], float]) -> str:
    """``text`` as is when it fits ``width``; else cut and ended with "…" (never cut silently)."""
    if not text or measure(text, size) <= width:
        return text
    cut = len(text)
    while cut > 0 and measure(text[:cut] + "…", size) > width:
        cut -= 1
    return text[:cut] + "…"


def wrap_width(text: str, width: float, size: float, measure: Callable[[str, float], float]) -> list[str]:
    """``text`` broken into lines no wider than ``width`` (character by character: CJK text)."""
    lines, cur = [], ""
    for ch in text:
        if cur and measure(cur + ch, size) > width:
            lines.append(cur)
            cur = ""
        cur += ch
    return [*lines, cur] if cur else lines


def checklist_pdf_bytes(manifest: Manifest) -> bytes:
    import pymupdf

    doc = pymupdf.open()
    font = pymupdf.Font("cjk")
    files_by_path = {f.path: f for f in manifest.files}
    state: dict[str, object] = {}

    def new_page(title: str) -> None:
        page = doc.new_page(width=A4[0], height=A4[1])
        tw = pymupdf.TextWriter(page.rect)
        state.update(page=page, tw=tw, y=MARGIN + 10.0)
        write(title, size=15)
        write(f"政策：{manifest.profile_name}（{manifest.profile_id}）", size=8.5)
        write(f"截止日期：{manifest.as_of}    导出时间：{manifest.created_at[:19].replace('T', ' ')}", size=8.5)
        state["y"] = float(state["y"]) + 4  # type: ignore[arg-type]

    def write(text: str, *, size: float = 10.0, x: float = MARGIN) -> None:
        if float(state["y"]) > A4[1] - MARGIN:  # type: ignore[arg-type]
            flush()
            new_page("申报材料清单（续）")
        tw = state["tw"]
        y = float(state["y"])  # type: ignore[arg-type]
        tw.append((x, y), text, font=font, fontsize=size)  # type: ignore[attr-defined]
        state["y"] = y + max(LINE, size * 1.6)

    def measure(text: str, size: float) -> float:
        return float(font.text_length(text, fontsize=size))

    def row(cells: list[str], xs: list[float], size: float = 9.5) -> None:
        if float(state["y"]) > A4[1] - MARGIN:  # type: ignore[arg-type]
            flush()
            new_page("申报材料清单（续）")
        tw = state["tw"]
        y = float(state["y"])  # type: ignore[arg-type]
        ends = [*xs[1:], A4[0] - MARGIN]
        for text, x, end in zip(cells, xs, ends, strict=True):
            # each cell stays inside its column: a label too long ends with "…", never cut mid-word silently
            tw.append((x, y), fit_width(text, end - x - 4, size, measure), font=font,  # type: ignore[attr-defined]
                      fontsize=size)
        state["y"] = y + LINE

    def write_wrapped(text: str, *, size: float = 10.0, x: float = MARGIN) -> None:
        for line in wrap_width(text, A4[0] - MARGIN - x, size, measure):
            write(line, size=size, x=x)

    def flush() -> None:
        page = state.get("page")
        if page is not None:
            state["tw"].write_text(page)  # type: ignore[attr-defined]

    xs: list[float] = [MARGIN, MARGIN + 22, MARGIN + 250, MARGIN + 400, MARGIN + 432, MARGIN + 480]
    for person in manifest.persons:
        new_page(f"申报材料清单 — {person.folder}")
        write_wrapped(f"姓名：{person.name}    单位：{person.unit}    资格审核：{person.status or '未判定'}", size=10)
        row(["□", "材料", "文件", "页数", "大小", "遮盖"], xs, size=9)
        seen: set[str] = set()
        for item in person.required:
            label = item.label + (f"（{item.year}）" if item.year else "")
            if not item.files:
                row(["✗", label, "（缺）", "", "", ""], xs)
            for path in item.files:
                seen.add(path)
                f = files_by_path.get(path)
                mask = "—"
                if f is not None and f.mask_required:
                    states = {m.state for m in f.mask_pages}
                    mask = "已遮盖" if states == {"masked"} else ("无需" if states == {"not_needed"} else "部分")
                row(["□", label, Path(path).name, str(f.pages if f else ""), _kb(f.size) if f else "",
                     mask], xs)
        extras = [f for f in manifest.files if f.kind == KIND_MATERIAL and f.person == person.folder
                  and f.path not in seen]
        for f in extras:
            row(["□", f"{f.slot}（选交）", Path(f.path).name, str(f.pages), _kb(f.size), ""], xs)
        state["y"] = float(state["y"]) + 10  # type: ignore[arg-type]
        write("经办人核对签字：____________    日期：__________", size=10)
        flush()
    unit_files = [f for f in manifest.files if f.kind == "unit"]
    new_page("单位材料")
    if not unit_files:
        write("（无）")
    for f in unit_files:
        row(["□", f.path, "", "", _kb(f.size), ""], [xs[0], xs[1], xs[4] - 2, xs[4] - 1, xs[4], xs[5]])
    if manifest.warnings:
        state["y"] = float(state["y"]) + 10  # type: ignore[arg-type]
        write("导出提示：", size=10)
        for w in manifest.warnings[:40]:
            write_wrapped("· " + w, size=8.5)
    flush()
    doc.subset_fonts()
    doc.set_metadata({})
    data = doc.tobytes(garbage=3, deflate=True, no_new_id=True)
    doc.close()
    return data


def write_checklist(path: Path, manifest: Manifest) -> None:
    from app.fileio import atomic_write_bytes

    atomic_write_bytes(path, checklist_pdf_bytes(manifest), what="生成清单")
