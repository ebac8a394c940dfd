"""Ingest of real generated files: formats, odd colour modes, EXIF orientation, and bad input."""

from __future__ import annotations

import io

import pymupdf
import pytest
from PIL import Image

from app.documents.ingest import MAX_PIXELS, PasswordRequired, count_words, ingest_bytes, ingest_path, sniff
from app.errors import InputFileError
from tests.fixtures.docs import gen


def _page_image(f, i=0) -> Image.Image:  # type: ignore[no-untyped-def]
    pg = f.pages[i]
    return Image.open(io.BytesIO(pg.blob if pg.blob is not None else f.source))


def test_plain_jpeg_is_kept_byte_for_byte() -> None:
    data = gen.jpeg(dpi=300)
    f = ingest_bytes(data, "scan.jpg")
    assert f.source_kind == "jpeg" and f.source == data
    assert len(f.pages) == 1
    pg = f.pages[0]
    assert (pg.kind, pg.blob, pg.width_px, pg.height_px, pg.dpi) == ("jpeg", None, 640, 400, 300)
    assert not f.warnings


def test_exif_orientation_is_applied() -> None:
    # Orientation 6: the stored pixels must be turned 90° clockwise to display upright.
    f = ingest_bytes(gen.jpeg((640, 400), exif_orientation=6), "phone.jpg")
    pg = f.pages[0]
    assert pg.blob is not None and (pg.width_px, pg.height_px) == (400, 640)
    im = _page_image(f)
    assert im.size == (400, 640)
    r, _g, b = im.getpixel((400 - 10, 10))  # the top-left marker is now top-right
    assert b > 150 and r < 100
    assert any("EXIF" in w for w in f.warnings)


def test_cmyk_jpeg_becomes_rgb() -> None:
    f = ingest_bytes(gen.jpeg((50, 30), (0, 255, 255, 0), mode="CMYK"), "cmyk.jpg")
    im = _page_image(f)
    assert im.mode == "RGB" and f.pages[0].kind == "jpeg"
    r, g, b = im.getpixel((25, 15))
    assert r > 200 and g < 60 and b < 60  # C=0 M=Y=100 % → red
    assert any("CMYK" in w for w in f.warnings)


def test_sixteen_bit_png_is_scaled_to_8_bit() -> None:
    f = ingest_bytes(gen.png16((0, 32896, 65535)), "deep.png")
    im = _page_image(f)
    assert f.pages[0].kind == "png" and im.mode == "L"
    assert [im.getpixel((x, 0)) for x in range(3)] == [0, 128, 255]


def test_alpha_and_palette_are_composited_on_white() -> None:
    im = _page_image(ingest_bytes(gen.rgba_png(), "alpha.png"))
    assert im.mode == "RGB" and im.getpixel((2, 2)) == (255, 255, 255) and im.getpixel((15, 5)) == (255, 0, 0)
    im = _page_image(ingest_bytes(gen.palette_png(), "pal.png"))
    assert im.getpixel((2, 2)) == (255, 255, 255) and im.getpixel((7, 5)) == (0, 200, 0)


def test_multipage_tiff_and_bmp() -> None:
    f = ingest_bytes(gen.tiff(3), "multi.tif")
    assert [p.kind for p in f.pages] == ["png"] * 3 and all(p.dpi == 200 for p in f.pages)
    assert [_page_image(f, i).getpixel((5, 5)) for i in range(3)] == [20, 60, 100]
    f = ingest_bytes(gen.bmp(), "old.bmp")
    assert f.source_kind == "bmp" and (f.pages[0].width_px, f.pages[0].height_px) == (120, 80)


def test_text_and_scanned_pdf() -> None:
    f = ingest_bytes(gen.text_pdf(["更新日期：2025年01月02日", "张三"], pages=2), "chsi.pdf")
    assert [p.kind for p in f.pages] == ["pdf-page", "pdf-page"] and [p.source_page for p in f.pages] == [0, 1]
    assert "张三" in f.text and f.pages[0].dpi is None and f.pages[0].width_px == round(595 / 72 * 150)
    f = ingest_bytes(gen.scanned_pdf(2, dpi=100), "scan.pdf")
    assert [p.dpi for p in f.pages] == [100, 100] and f.text.strip() == ""


def test_wrong_extension_is_sniffed() -> None:
    f = ingest_bytes(gen.png(Image.new("RGB", (4, 4))), "actually_png.jpg")
    assert f.source_kind == "png" and "实际内容是 PNG" in f.warnings[0]
    with pytest.raises(InputFileError, match=r"扩展名是 \.pdf，但内容不是 PDF"):
        ingest_bytes(b"just some text, not a pdf at all", "fake.pdf")
    with pytest.raises(InputFileError, match="无法识别"):
        ingest_bytes(b"\x00\x01\x02 garbage", "mystery")
    assert sniff(b"\x00\x00\x00\x18ftypheic\x00\x00") == "heic"
    with pytest.raises(InputFileError, match="HEIC"):
        ingest_bytes(b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic", "IMG_0001.HEIC")


def test_zero_byte_and_truncated_files(tmp_path) -> None:  # type: ignore[no-untyped-def]
    empty = tmp_path / "empty.jpg"
    empty.write_bytes(b"")
    with pytest.raises(InputFileError, match="0 字节"):
        ingest_path(empty)
    with pytest.raises(InputFileError, match=r"截断|不完整"):
        ingest_bytes(gen.truncated(gen.jpeg((800, 600), quality=95), 0.5), "cut.jpg")
    with pytest.raises(InputFileError, match=r"损坏|不完整"):
        ingest_bytes(gen.truncated(gen.png(Image.effect_noise((300, 300), 50)), 0.5), "cut.png")
    with pytest.raises(InputFileError, match="PDF"):
        ingest_bytes(gen.truncated(gen.text_pdf(["x"], pages=3), 0.4), "cut.pdf")
    with pytest.raises(InputFileError, match="找不到"):
        ingest_path(tmp_path / "missing.pdf")


def test_encrypted_pdf_needs_the_password() -> None:
    data = gen.encrypted_pdf("s3cret")
    with pytest.raises(PasswordRequired, match="密码保护"):
        ingest_bytes(data, "locked.pdf")
    with pytest.raises(PasswordRequired, match="密码不正确"):
        ingest_bytes(data, "locked.pdf", password="wrong")
    f = ingest_bytes(data, "locked.pdf", password="s3cret")
    assert "confidential" in f.text and f.source != data
    with pymupdf.open(stream=f.source, filetype="pdf") as doc:  # the stored copy opens without password
        assert not doc.needs_pass and not doc.is_encrypted
    assert any("去除保护" in w for w in f.warnings)


def test_image_bombs_are_refused() -> None:
    # 30000×30000 → Pillow's DecompressionBombError; 12000×9000 (108 MP) → its warning; both → ours.
    with pytest.raises(InputFileError, match="尺寸过大"):
        ingest_bytes(gen.png_header_only(30000, 30000), "bomb.png")
    with pytest.raises(InputFileError, match="尺寸过大"):
        ingest_bytes(gen.png_header_only(12000, 9000), "big.png")
    assert MAX_PIXELS < 12000 * 9000


def test_docx_word_count() -> None:
    import docx

    d = docx.Document()
    d.add_paragraph("我们的工作 hello world 2024年")
    buf = io.BytesIO()
    d.save(buf)
    f = ingest_bytes(buf.getvalue(), "小结.docx")
    assert f.source_kind == "docx" and f.pages == [] and count_words(f.text) == 9
    assert count_words("汉字，English words; 3.5 个") == 6  # a number with a decimal point is one word
