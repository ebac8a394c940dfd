"""清单.pdf: labels and file names stay inside their columns; a cut label ends with "…"."""

from __future__ import annotations

import pymupdf

from app.export.checklist_pdf import checklist_pdf_bytes, fit_width
from app.export.manifest import FileEntry, Manifest, PersonEntry, RequiredItem

LONG_LABEL = "教育部学历证书电子注册备案表（学信网，带二维码）及国外学历学位认证书"
LONG_FILE = "申报人_阿依古丽·测试_学信网学历证书电子注册备案表_2024年10月查询_第二次上传.pdf"


def test_fit_width_marks_a_cut_with_an_ellipsis() -> None:
    font = pymupdf.Font("cjk")

    def measure(t: str, s: float) -> float:
        return float(font.text_length(t, fontsize=s))

    assert fit_width("身份证", 100, 10, measure) == "身份证"
    cut = fit_width(LONG_LABEL, 120, 10, measure)
    assert cut.endswith("…") and LONG_LABEL.startswith(cut[:-1]) and measure(cut, 10) <= 120
    assert fit_width("", -5, 10, measure) == ""


def test_checklist_labels_stay_in_their_columns() -> None:
    path = f"01_测试/{LONG_FILE}"
    m = Manifest(app_version="t", profile_id="korla-2024", profile_name="库尔勒初定2024", as_of="2024-10-25",
                 created_at="2024-10-20T10:00:00", limits={},
                 persons=[PersonEntry("01_测试", 1, "阿依古丽·测试", "测试单位", "可申报",
                                      [RequiredItem("chsi_record", LONG_LABEL, files=[path]),
                                       RequiredItem("id_card", "身份证扫描件")])],
                 files=[FileEntry(path, 2048, "0" * 64, "material", "01_测试", "chsi_record", pages=1)],
                 warnings=["这是一条很长的导出提示：" + "请核对公示期与申报截止日期，" * 8])
    with pymupdf.open(stream=checklist_pdf_bytes(m), filetype="pdf") as doc:
        page = doc[0]
        words = page.get_text("dict")["blocks"]
        spans = [s for b in words for ln in b.get("lines", ()) for s in ln["spans"] if s["text"].strip()]
        label = next(s for s in spans if s["text"].startswith("教育部学历证书"))
        fname = next(s for s in spans if s["text"].startswith("申报人_"))
        assert label["text"].endswith("…") and fname["text"].endswith("…")
        assert label["bbox"][2] <= fname["bbox"][0]  # no overlap with the next column
        assert all(s["bbox"][2] <= page.rect.width - 45 for s in spans)
        text = "".join(p.get_text() for p in doc)
    assert "请核对公示期与申报截止日期，" * 2 in text.replace("\n", "")  # warnings wrap, not cut
