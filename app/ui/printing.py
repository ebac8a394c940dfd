"""Printing PDFs (our 呈报表 draft, or the official watermarked 呈报表 downloaded from the platform):
A4, long-edge duplex, 2 copies, collated, through QPrinter with a print preview.

Qt's QtPdf module is not shipped (PySide6-Essentials), so pages are rendered with PyMuPDF to images
and painted. Before printing, the PDF is checked (A4, even page count so fronts and backs pair up);
the officer is warned otherwise and may still print.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

import pymupdf
from PySide6.QtCore import QRectF, QSizeF, Qt
from PySide6.QtGui import QImage, QPageLayout, QPageSize, QPainter
from PySide6.QtPrintSupport import QPrintDialog, QPrinter, QPrintPreviewDialog
from PySide6.QtWidgets import QMessageBox, QWidget

from app.errors import ChudingError
from app.services.forms import PrintCheck, check_printable

log = logging.getLogger(__name__)

DEFAULT_COPIES = 2
PRINT_DPI = 300
PREVIEW_DPI = 200  # preview and the job printed from it


def configure_printer(printer: QPrinter, *, copies: int = DEFAULT_COPIES) -> None:
    """A4 portrait, long-edge duplex, ``copies`` collated copies, full page (the PDF has its margins)."""
    printer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    printer.setPageOrientation(QPageLayout.Orientation.Portrait)
    printer.setDuplex(QPrinter.DuplexMode.DuplexLongSide)
    printer.setCopyCount(copies)
    printer.setCollateCopies(True)
    printer.setFullPage(True)
    printer.setDocName("呈报表")


def _app_copies(printer: QPrinter) -> int:
    """Copies the application must paint itself: the driver makes them when it can (collated)."""
    if printer.outputFormat() == QPrinter.OutputFormat.PdfFormat or not printer.supportsMultipleCopies():
        return max(1, printer.copyCount())
    return 1


def _page_image(page: pymupdf.Page, dpi: int) -> QImage:
    pix = page.get_pixmap(dpi=dpi, alpha=False)
    img = QImage(pix.samples, pix.width, pix.height, pix.stride, QImage.Format.Format_RGB888)
    return img.copy()  # detach from the pixmap's buffer


def paint_pdf(printer: QPrinter, pdf_path: str | Path, *, dpi: int = PRINT_DPI,
              progress: Callable[[int, int], None] | None = None) -> int:
    """Paint every page of ``pdf_path`` (``copies`` times, collated, when the driver cannot) onto the
    printer, each page scaled to fill the paper with its aspect ratio kept. Returns pages painted."""
    copies = _app_copies(printer)
    painted = 0
    with pymupdf.open(pdf_path) as doc:
        total = doc.page_count * copies
        painter = QPainter()
        if not painter.begin(printer):
            raise ChudingError("无法开始打印：打印机不可用")
        try:
            paper = printer.paperRect(QPrinter.Unit.DevicePixel)
            for _copy in range(copies):
                for page in doc:
                    if painted:
                        printer.newPage()
                    img = _page_image(page, dpi)
                    size = QSizeF(img.width(), img.height()).scaled(paper.size(), Qt.AspectRatioMode.KeepAspectRatio)
                    x = (paper.width() - size.width()) / 2
                    y = (paper.height() - size.height()) / 2
                    painter.drawImage(QRectF(x, y, size.width(), size.height()), img)
                    painted += 1
                    if progress:
                        progress(painted, total)
        finally:
            painter.end()
    return painted


def check_message(check: PrintCheck) -> str:
    return "此 PDF 可能不适合 A4 双面打印：\n" + "\n".join(f"· {p}" for p in check.problems) + "\n\n仍要打印吗？"


def confirm_printable(parent: QWidget | None, pdf_path: str | Path) -> bool:
    """Check the PDF; on problems ask the officer whether to print anyway."""
    try:
        check = check_printable(pdf_path)
    except ChudingError as exc:
        from app.ui.server_fault import warn

        warn(parent, "无法打印", exc)
        return False
    if check.ok:
        return True
    answer = QMessageBox.warning(parent, "打印前检查", check_message(check),
                                 QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                                 QMessageBox.StandardButton.No)
    return answer == QMessageBox.StandardButton.Yes


def print_pdf(parent: QWidget | None, pdf_path: str | Path, *, copies: int = DEFAULT_COPIES,
              preview: bool = True) -> bool:
    """Check, then show the print preview (or the print dialog) and print. True when printed."""
    if not confirm_printable(parent, pdf_path):
        return False
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    configure_printer(printer, copies=copies)
    if preview:
        dlg = QPrintPreviewDialog(printer, parent)
        dlg.setWindowTitle("打印预览 — A4 双面（长边翻转），一式两份")
        # The same slot paints the preview and, when the officer presses 打印, the real job.
        dlg.paintRequested.connect(lambda p: paint_pdf(p, pdf_path, dpi=PREVIEW_DPI))
        return bool(dlg.exec())
    dialog = QPrintDialog(printer, parent)
    if not dialog.exec():
        return False
    paint_pdf(printer, pdf_path)
    return True


def print_to_pdf_file(pdf_path: str | Path, out_path: str | Path, *, copies: int = DEFAULT_COPIES,
                      dpi: int = 150) -> QPrinter:
    """The same job printed into a PDF file (for tests and for a 'save as print job' action)."""
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(out_path))
    configure_printer(printer, copies=copies)
    paint_pdf(printer, pdf_path, dpi=dpi)
    # Qt's PDF engine drops the duplex request: record it as the file's viewer preference.
    with pymupdf.open(out_path) as doc:
        doc.xref_set_key(doc.pdf_catalog(), "ViewerPreferences", "<</Duplex/DuplexFlipLongEdge/PrintScaling/None>>")
        doc.saveIncr()
    return printer
