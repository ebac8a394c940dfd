"""Printing through QPrinter under the offscreen platform: the job printed into a PDF file has the
copies (collated) on A4 pages and asks for long-edge duplex."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pymupdf
from PySide6.QtGui import QPageSize
from PySide6.QtPrintSupport import QPrinter

from app.domain.person import PersonData
from app.export.form import FormData, render_form
from app.export.letters import Qualification
from app.ui.printing import check_message, configure_printer, print_to_pdf_file


def _form_pdf(tmp_path: Path, make_id, copies: int = 1) -> Path:
    p = PersonData(name="打印测试", gender="男", id_number=make_id(dt.date(1999, 1, 1)), series="工程", specialty="建筑")
    path = tmp_path / f"form{copies}.pdf"
    path.write_bytes(render_form(FormData(p, Qualification("初定", "初级")), copies=copies).data)
    return path


def test_configure_printer_sets_a4_two_collated_copies(qtbot) -> None:
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    configure_printer(printer)
    assert printer.pageLayout().pageSize().id() == QPageSize.PageSizeId.A4
    assert printer.copyCount() == 2
    assert printer.collateCopies() is True
    assert printer.fullPage() is True


def test_print_to_pdf_file_gives_collated_copies_on_a4_with_duplex(qtbot, tmp_path: Path, make_id) -> None:
    src = _form_pdf(tmp_path, make_id, copies=1)  # one copy: front + back
    out = tmp_path / "job.pdf"
    printer = print_to_pdf_file(src, out, copies=2, dpi=60)
    assert printer.copyCount() == 2
    with pymupdf.open(out) as job:
        assert job.page_count == 4  # 2 copies × (front, back)
        for page in job:
            assert abs(page.rect.width - 595) < 2 and abs(page.rect.height - 842) < 2
        assert "DuplexFlipLongEdge" in job.xref_object(job.pdf_catalog()) + job.xref_get_key(
            job.pdf_catalog(), "ViewerPreferences")[1]
        # Collated: page 1 and page 3 are both fronts (same picture), 2 and 4 backs.
        pix = [job[i].get_pixmap(dpi=20).samples for i in range(4)]
        assert pix[0] == pix[2] and pix[1] == pix[3] and pix[0] != pix[1]


def test_warning_text_lists_the_problems(tmp_path: Path) -> None:
    from app.services.forms import check_printable

    doc = pymupdf.open()
    doc.new_page(width=612, height=792)
    doc.save(tmp_path / "letter.pdf")
    msg = check_message(check_printable(tmp_path / "letter.pdf"))
    assert "不是 A4" in msg and "奇数" in msg and "仍要打印" in msg


def test_preview_dialog_paints_every_page(qtbot, tmp_path: Path, make_id) -> None:
    from PySide6.QtCore import QTimer
    from PySide6.QtPrintSupport import QPrintPreviewDialog
    from PySide6.QtWidgets import QApplication

    from app.ui import printing

    src = _form_pdf(tmp_path, make_id, copies=1)
    painted: list[int] = []
    real_paint = printing.paint_pdf

    def counting_paint(printer, path, **kw):  # the real painter, counted
        n = real_paint(printer, path, **kw)
        painted.append(n)
        return n

    def close_preview() -> None:
        for w in QApplication.topLevelWidgets():
            if isinstance(w, QPrintPreviewDialog) and w.isVisible():
                w.reject()
                return
        QTimer.singleShot(50, close_preview)

    printing.paint_pdf = counting_paint
    try:
        QTimer.singleShot(50, close_preview)
        assert printing.print_pdf(None, src, copies=2, preview=True) is False  # closed without printing
    finally:
        printing.paint_pdf = real_paint
    assert painted and painted[0] >= 2


def test_refusing_the_warning_prints_nothing(qtbot, tmp_path: Path, monkeypatch) -> None:
    from PySide6.QtWidgets import QMessageBox

    from app.ui import printing

    doc = pymupdf.open()
    doc.new_page(width=612, height=792)
    doc.save(tmp_path / "letter.pdf")
    asked: list[str] = []

    def answer_no(_parent, _title, text, *_a):
        asked.append(text)
        return QMessageBox.StandardButton.No

    monkeypatch.setattr(QMessageBox, "warning", answer_no)
    assert printing.print_pdf(None, tmp_path / "letter.pdf") is False
    assert asked and "不是 A4" in asked[0]
