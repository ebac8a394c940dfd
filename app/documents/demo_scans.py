"""Invented sample scans for the demo persons, drawn with Pillow and PyMuPDF.

Every document shows what the masking feature looks for, where a real one has it: the person's
invented name, the (invented) unit's name, a red unit seal, and a face placeholder with visible eyes.
Nothing here is a real document or a real person; all text is marked "样例" somewhere on the page.

Fonts: PyMuPDF's bundled Droid Sans Fallback (``pymupdf.Font("cjk")``, Apache-2.0), used by Pillow
from memory, for the drawn scans; text PDFs use the standard CID font "china-s" (not embedded). Resolution: ID cards ~300 dpi (1012×638 px); A4 pages at 120 dpi (992×1403 px), enough
for OCR of the body text and small enough to keep ``chuding demo`` fast.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import math
import random

from PIL import Image, ImageChops, ImageDraw, ImageFont

from app.domain.person import Education, PersonData

A4_DPI = 120
A4 = (round(210 / 25.4 * A4_DPI), round(297 / 25.4 * A4_DPI))
A4_LANDSCAPE = (A4[1], A4[0])
SEAL_RED = (214, 32, 38)
INK = (25, 25, 30)


@functools.lru_cache(maxsize=1)
def _font_bytes() -> bytes:
    import pymupdf

    return bytes(pymupdf.Font("cjk").buffer)


@functools.lru_cache(maxsize=64)
def font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(io.BytesIO(_font_bytes()), size)


def _jpeg(im: Image.Image, quality: int = 88, dpi: int = A4_DPI) -> bytes:
    buf = io.BytesIO()
    im.convert("RGB").save(buf, "JPEG", quality=quality, dpi=(dpi, dpi))
    return buf.getvalue()


def _paper(size: tuple[int, int], seed: int, tint: tuple[int, int, int] = (250, 249, 245)) -> Image.Image:
    """Off-white paper with a faint scanner gradient (cheap, deterministic)."""
    im = Image.new("RGB", size, tint)
    r = random.Random(seed)
    d = ImageDraw.Draw(im)
    for _ in range(40):  # a few specks of dust
        x, y = r.randrange(size[0]), r.randrange(size[1])
        d.point((x, y), fill=(200, 200, 200))
    return im


def face(size: tuple[int, int], seed: int, background: tuple[int, int, int] = (226, 236, 246)) -> Image.Image:
    """A face placeholder: head, hair, two clearly visible eyes, nose, mouth, shoulders."""
    w, h = size
    r = random.Random(seed)
    im = Image.new("RGB", size, background)
    d = ImageDraw.Draw(im)
    skin = (232 - r.randrange(30), 196 - r.randrange(30), 170 - r.randrange(30))
    d.polygon([(w * 0.08, h), (w * 0.2, h * 0.78), (w * 0.8, h * 0.78), (w * 0.92, h)], fill=(40, 48, 70))
    d.rectangle((w * 0.42, h * 0.62, w * 0.58, h * 0.8), fill=skin)
    d.ellipse((w * 0.25, h * 0.12, w * 0.75, h * 0.7), fill=skin)
    d.chord((w * 0.23, h * 0.06, w * 0.77, h * 0.5), 180, 360, fill=(30, 26, 24))
    ey = h * 0.38
    for cx in (w * 0.39, w * 0.61):
        d.ellipse((cx - w * 0.055, ey - h * 0.022, cx + w * 0.055, ey + h * 0.022), fill=(250, 250, 250))
        d.ellipse((cx - w * 0.025, ey - h * 0.02, cx + w * 0.025, ey + h * 0.02), fill=(20, 16, 14))
        d.line((cx - w * 0.06, ey - h * 0.05, cx + w * 0.06, ey - h * 0.055), fill=(30, 26, 24), width=max(2, w // 60))
    d.line((w * 0.5, h * 0.42, w * 0.48, h * 0.5), fill=(170, 120, 100), width=max(1, w // 90))
    d.arc((w * 0.42, h * 0.5, w * 0.58, h * 0.6), 20, 160, fill=(160, 60, 60), width=max(2, w // 70))
    return im


def seal(diameter: int, ring_text: str, center_text: str = "", seed: int = 0) -> Image.Image:
    """A red round unit seal as an RGB image on white (multiply it onto a page): ring, star, the
    unit's name along the upper arc, an optional horizontal line below the star."""
    im = Image.new("RGB", (diameter, diameter), (255, 255, 255))
    d = ImageDraw.Draw(im)
    c = diameter / 2
    ring = max(3, diameter // 28)
    d.ellipse((ring / 2, ring / 2, diameter - ring / 2, diameter - ring / 2), outline=SEAL_RED, width=ring)
    # five-pointed star
    rs, ri = diameter * 0.16, diameter * 0.065
    pts = []
    for k in range(10):
        a = -math.pi / 2 + k * math.pi / 5
        rr = rs if k % 2 == 0 else ri
        pts.append((c + rr * math.cos(a), c + rr * math.sin(a)))
    d.polygon(pts, fill=SEAL_RED)
    # text along the arc, clockwise from the left to the right over the top
    n = max(1, len(ring_text))
    fsize = max(10, int(diameter * 0.115))
    f = font(fsize)
    span = min(250.0, 18.0 * n + 40)
    start = -90 - span / 2
    radius = c - ring - fsize * 0.75
    for i, ch in enumerate(ring_text):
        ang = start + span * (i + 0.5) / n
        glyph = Image.new("L", (fsize * 2, fsize * 2), 0)
        ImageDraw.Draw(glyph).text((fsize, fsize), ch, font=f, fill=255, anchor="mm")
        glyph = glyph.rotate(-(ang + 90), resample=Image.Resampling.BICUBIC)
        x = c + radius * math.cos(math.radians(ang)) - fsize
        y = c + radius * math.sin(math.radians(ang)) - fsize
        im.paste(Image.new("RGB", glyph.size, SEAL_RED), (round(x), round(y)), glyph)
    if center_text:
        d.text((c, c + diameter * 0.27), center_text, font=font(max(9, int(diameter * 0.09))), fill=SEAL_RED,
               anchor="mm")
    # stamps are never perfectly even: knock out some specks
    r = random.Random(seed)
    for _ in range(diameter // 2):
        x, y = r.randrange(diameter), r.randrange(diameter)
        d.point((x, y), fill=(255, 255, 255))
    return im.rotate(r.uniform(-12, 12), resample=Image.Resampling.BICUBIC, fillcolor=(255, 255, 255))


def stamp(page: Image.Image, seal_img: Image.Image, center: tuple[int, int]) -> None:
    """Multiply the seal onto the page (ink under the seal stays visible, as with a real stamp)."""
    x, y = center[0] - seal_img.width // 2, center[1] - seal_img.height // 2
    box = (x, y, x + seal_img.width, y + seal_img.height)
    region = page.crop(box)
    page.paste(ImageChops.multiply(region, seal_img), box)


def _id_text(p: PersonData) -> dict[str, str]:
    birth = ""
    if len(p.id_number) == 18 and p.id_number[6:14].isdigit():
        s = p.id_number[6:14]
        birth = f"{s[:4]} 年 {int(s[4:6])} 月 {int(s[6:])} 日"
    return {"birth": birth}


def id_card_front(p: PersonData, seed: int = 0) -> bytes:
    w, h = 1012, 638
    im = Image.new("RGB", (w, h), (236, 240, 238))
    d = ImageDraw.Draw(im)
    d.rounded_rectangle((4, 4, w - 5, h - 5), radius=36, outline=(180, 190, 190), width=3)
    for i in range(0, w, 24):  # faint guilloche lines
        d.line((i, 0, i + 160, h), fill=(226, 232, 232), width=1)
    label, value = font(30), font(36)
    d.text((60, 60), "姓  名", font=label, fill=(60, 100, 140))
    d.text((190, 56), p.name, font=value, fill=INK)
    d.text((60, 140), "性  别", font=label, fill=(60, 100, 140))
    d.text((190, 136), p.gender or "男", font=value, fill=INK)
    d.text((330, 140), "民  族", font=label, fill=(60, 100, 140))
    d.text((450, 136), (p.ethnicity or "汉族").removesuffix("族"), font=value, fill=INK)
    d.text((60, 220), "出  生", font=label, fill=(60, 100, 140))
    d.text((190, 216), _id_text(p)["birth"], font=value, fill=INK)
    d.text((60, 300), "住  址", font=label, fill=(60, 100, 140))
    d.text((190, 296), "新疆乌鲁木齐市示例区样例路", font=value, fill=INK)
    d.text((190, 346), f"{(seed % 90) + 10} 号（样例）", font=value, fill=INK)
    d.text((60, 520), "公民身份号码", font=label, fill=(60, 100, 140))
    d.text((300, 514), p.id_number, font=font(44), fill=INK)
    im.paste(face((260, 320), seed, background=(236, 240, 238)), (690, 110))
    return _jpeg(im, 90, dpi=300)


def id_card_back(p: PersonData, seed: int = 0) -> bytes:
    w, h = 1012, 638
    im = Image.new("RGB", (w, h), (236, 240, 238))
    d = ImageDraw.Draw(im)
    d.rounded_rectangle((4, 4, w - 5, h - 5), radius=36, outline=(180, 190, 190), width=3)
    d.ellipse((70, 60, 230, 220), outline=(196, 150, 40), width=8)  # emblem placeholder (not a seal)
    d.ellipse((115, 105, 185, 175), fill=(196, 150, 40))
    d.text((600, 110), "中华人民共和国", font=font(48), fill=INK, anchor="mm")
    d.text((600, 200), "居民身份证（样例）", font=font(60), fill=INK, anchor="mm")
    d.text((160, 440), "签发机关", font=font(30), fill=(60, 100, 140))
    d.text((330, 436), "乌鲁木齐市公安局示例分局", font=font(34), fill=INK)
    d.text((160, 520), "有效期限", font=font(30), fill=(60, 100, 140))
    start = 2018 + seed % 5
    d.text((330, 516), f"{start}.03.01-{start + 20}.03.01", font=font(34), fill=INK)
    return _jpeg(im, 90, dpi=300)


def photo(p: PersonData, seed: int = 0) -> bytes:
    im = face((413, 579), seed + 7, background=(67, 142, 219))  # 35×49 mm-ish at 300 dpi, blue background
    return _jpeg(im, 92, dpi=300)


def _school(edu: Education | None) -> str:
    return (edu.school if edu and edu.school else "新疆示例大学")


def diploma(p: PersonData, edu: Education | None, seed: int = 0) -> bytes:
    im = _paper(A4_LANDSCAPE, seed, (252, 247, 236))
    w, h = im.size
    d = ImageDraw.Draw(im)
    d.rectangle((30, 30, w - 31, h - 31), outline=(150, 40, 40), width=6)
    d.rectangle((46, 46, w - 47, h - 47), outline=(150, 40, 40), width=2)
    d.text((w // 2, 130), "毕 业 证 书", font=font(64), fill=(150, 30, 30), anchor="mm")
    im.paste(face((200, 260), seed + 3, background=(245, 245, 245)), (120, 260))
    level = edu.level if edu else "本科"
    major = edu.major if edu and edu.major else "电气工程及其自动化"
    grad = edu.graduation_date if edu and edu.graduation_date else dt.date(2022, 6, 30)
    years = {"大专": "三", "中专": "三", "硕士研究生": "三", "博士研究生": "四"}.get(level, "四")
    lines = [
        f"学生 {p.name}，性别 {p.gender or '男'}，{_id_text(p)['birth'].replace(' ', '')}生，",
        f"于 {grad.year - (3 if years == '三' else 4)} 年 9 月至 {grad.year} 年 {grad.month} 月在本校 {major} 专业",
        f"{years}年制{level}学习，修完教学计划规定的全部课程，成绩合格，",
        "准予毕业。",
    ]
    y = 290
    for line in lines:
        d.text((380, y), line, font=font(30), fill=INK)
        y += 58
    d.text((380, y + 40), f"校    名：{_school(edu)}", font=font(30), fill=INK)
    d.text((380, y + 100), f"校（院）长：示例签名        证书编号：1075{seed:04d}20{grad.year % 100:02d}00{seed % 97:04d}",
           font=font(26), fill=INK)
    d.text((w - 330, h - 150), f"{grad.year} 年 {grad.month} 月 {grad.day} 日", font=font(30), fill=INK)
    stamp(im, seal(230, _school(edu), "", seed), (w - 250, h - 200))
    d.text((60, h - 80), "（演示样例，非真实证书）", font=font(20), fill=(150, 150, 150))
    return _jpeg(im)


def degree_certificate(p: PersonData, edu: Education | None, seed: int = 0) -> bytes:
    """学位证书 (portrait), with photo placeholder, name and the school's seal."""
    im = _paper(A4, seed + 2, (250, 248, 240))
    w, h = im.size
    d = ImageDraw.Draw(im)
    d.rectangle((40, 40, w - 41, h - 41), outline=(30, 60, 120), width=5)
    degree = edu.degree if edu and edu.degree and edu.degree != "无" else "学士"
    d.text((w // 2, 170), f"{degree}学位证书", font=font(60), fill=(30, 60, 120), anchor="mm")
    im.paste(face((180, 240), seed + 5, background=(245, 245, 245)), (w // 2 - 90, 260))
    ddate = (edu.degree_date or edu.graduation_date) if edu else None
    ddate = ddate or dt.date(2022, 6, 30)
    major = edu.major if edu and edu.major else "电气工程及其自动化"
    lines = [f"{p.name}，{p.gender or '男'}，{_id_text(p)['birth'].replace(' ', '')}生。",
             f"在{_school(edu)}{major}专业完成了学业，",
             "经审核符合《中华人民共和国学位条例》的规定，", f"授予{degree}学位。"]
    y = 560
    for line in lines:
        d.text((110, y), line, font=font(30), fill=INK)
        y += 62
    d.text((110, y + 60), f"{_school(edu)}学位评定委员会主席：示例签名", font=font(26), fill=INK)
    d.text((w - 380, h - 220), f"{ddate.year} 年 {ddate.month} 月 {ddate.day} 日", font=font(28), fill=INK)
    d.text((110, h - 120), f"证书编号：1075{seed:04d}{ddate.year}00{seed % 89:04d}（演示样例）", font=font(22), fill=(90, 90, 90))
    stamp(im, seal(230, _school(edu), "", seed + 1), (w - 250, h - 250))
    return _jpeg(im)


def _form_table(d: ImageDraw.ImageDraw, x0: int, y0: int, widths: list[int], heights: list[int]) -> list[list[tuple[int, int]]]:
    """Draw a grid; return the top-left corner of every cell."""
    xs = [x0]
    for w in widths:
        xs.append(xs[-1] + w)
    ys = [y0]
    for h in heights:
        ys.append(ys[-1] + h)
    for x in xs:
        d.line((x, ys[0], x, ys[-1]), fill=INK, width=2)
    for y in ys:
        d.line((xs[0], y, xs[-1], y), fill=INK, width=2)
    return [[(xs[c], ys[r]) for c in range(len(widths))] for r in range(len(heights))]


def assessment_form(p: PersonData, year: int, result: str, seed: int = 0) -> list[bytes]:
    """年度考核登记表: front (personal details, self-summary) and back (result, unit opinion + seal)."""
    unit = p.unit.name or "新疆示例单位"
    front = _paper(A4, seed)
    d = ImageDraw.Draw(front)
    d.text((A4[0] // 2, 110), f"{year} 年度专业技术人员考核登记表", font=font(40), fill=INK, anchor="mm")
    d.text((80, 170), f"单位：{unit}", font=font(24), fill=INK)
    cells = _form_table(d, 80, 215, [170, 250, 170, 240], [70, 70, 70, 760])
    items = [("姓  名", p.name, "性  别", p.gender or "男"), ("民  族", p.ethnicity or "汉族", "政治面貌", p.political_status or "群众"),
             ("现岗位", p.position or "技术员", "专业", p.specialty or "—")]
    for r, (a, b, c, e) in enumerate(items):
        for col, text in enumerate((a, b, c, e)):
            x, y = cells[r][col]
            d.text((x + 14, y + 20), text, font=font(26), fill=INK)
    x, y = cells[3][0]
    d.text((x + 14, y + 20), "个人总结", font=font(26), fill=INK)
    body = ("本年度认真履行岗位职责，按时完成各项工作任务，积极参加业务学习和继续教育，"
            "遵守单位各项规章制度，团结同事，服从安排。（演示样例）")
    xx, yy = cells[3][1]
    line = ""
    for ch in body:
        line += ch
        if len(line) >= 24:
            d.text((xx + 14, yy + 20), line, font=font(24), fill=INK)
            yy += 44
            line = ""
    if line:
        d.text((xx + 14, yy + 20), line, font=font(24), fill=INK)
    d.text((xx + 380, cells[3][1][1] + 680), f"本人签名：{p.name}", font=font(24), fill=INK)

    back = _paper(A4, seed + 1)
    d = ImageDraw.Draw(back)
    cells = _form_table(d, 80, 120, [200, 630], [300, 300, 380])
    d.text((cells[0][0][0] + 14, cells[0][0][1] + 30), "主管领导\n评  语", font=font(26), fill=INK, spacing=10)
    d.text((cells[0][1][0] + 14, cells[0][1][1] + 30), "该同志工作认真负责，完成年度任务。", font=font(26), fill=INK)
    d.text((cells[1][0][0] + 14, cells[1][0][1] + 30), "考核结果", font=font(26), fill=INK)
    d.text((cells[1][1][0] + 14, cells[1][1][1] + 30), f"{year} 年度考核等次：{result}", font=font(32), fill=INK)
    d.text((cells[2][0][0] + 14, cells[2][0][1] + 30), "单位意见", font=font(26), fill=INK)
    d.text((cells[2][1][0] + 14, cells[2][1][1] + 30), "同意考核小组意见。", font=font(26), fill=INK)
    d.text((cells[2][1][0] + 330, cells[2][1][1] + 300), f"{year + 1} 年 1 月 15 日", font=font(26), fill=INK)
    stamp(back, seal(250, unit, "人事专用章", seed + 5), (cells[2][1][0] + 440, cells[2][1][1] + 250))
    d.text((80, A4[1] - 60), "（演示样例）", font=font(18), fill=(150, 150, 150))
    return [_jpeg(front), _jpeg(back)]


def unit_document(title: str, unit: str, names: list[str], seed: int = 0) -> bytes:
    """A signed and stamped unit document of the round (公示, 公示结果, 推荐报告): one scanned page."""
    page = _paper(A4, seed)
    d = ImageDraw.Draw(page)
    d.text((A4[0] // 2, 140), title, font=font(44), fill=INK, anchor="mm")
    y = 260
    d.text((100, y), f"经{unit}研究，下列同志拟推荐申报专业技术职务任职资格：", font=font(26), fill=INK)
    for n in names:
        y += 56
        d.text((140, y), n, font=font(28), fill=INK)
    d.text((100, y + 100), "公示期间如有异议，请向单位人事部门反映。", font=font(26), fill=INK)
    d.text((A4[0] - 560, A4[1] - 420), unit, font=font(26), fill=INK)
    stamp(page, seal(250, unit, "", seed + 3), (A4[0] - 380, A4[1] - 400))
    d.text((80, A4[1] - 60), "（演示样例）", font=font(18), fill=(150, 150, 150))
    return _jpeg(page)


def contract_pages(p: PersonData, seed: int = 0, *, skew: float = 0.0) -> list[Image.Image]:
    unit = p.unit.name or "新疆示例单位"
    pages = []
    im = _paper(A4, seed)
    d = ImageDraw.Draw(im)
    d.text((A4[0] // 2, 150), "劳 动 合 同 书", font=font(56), fill=INK, anchor="mm")
    d.text((A4[0] // 2, 220), "（演示样例）", font=font(24), fill=(120, 120, 120), anchor="mm")
    rows = [f"甲方（用人单位）：{unit}", "法定代表人：示例代表", f"乙方（劳动者）：{p.name}",
            f"身份证号码：{p.id_number}", "", "根据《中华人民共和国劳动合同法》等法律法规，甲乙双方",
            "遵循合法、公平、平等自愿、协商一致、诚实信用的原则，订立本合同。",
            "第一条 合同期限：固定期限，自签订之日起三年。",
            f"第二条 工作岗位：{p.position or '技术员'}。", "第三条 工作时间：标准工时制。",
            "第四条 劳动报酬：按甲方薪酬制度执行。"]
    y = 340
    for line in rows:
        d.text((110, y), line, font=font(28), fill=INK)
        y += 62
    pages.append(im)
    im = _paper(A4, seed + 1)
    d = ImageDraw.Draw(im)
    rows = ["第五条 社会保险：甲方依法为乙方缴纳社会保险。", "第六条 本合同一式两份，甲乙双方各执一份。", "",
            f"甲方（盖章）：{unit}", "", f"乙方（签字）：{p.name}", "", "签订日期：2023 年 7 月 1 日"]
    y = 200
    for line in rows:
        d.text((110, y), line, font=font(28), fill=INK)
        y += 70
    stamp(im, seal(260, unit, "合同专用章", seed + 9), (420, 480))
    if skew:
        im = im.rotate(skew, resample=Image.Resampling.BICUBIC, fillcolor=(250, 249, 245))
    pages.append(im)
    return pages


def images_to_pdf(images: list[Image.Image], dpi: int = A4_DPI) -> bytes:
    """A 'scanned' PDF: each page one JPEG image, no text layer."""
    import pymupdf

    doc = pymupdf.open()
    for im in images:
        page = doc.new_page(width=im.width / dpi * 72, height=im.height / dpi * 72)
        page.insert_image(page.rect, stream=_jpeg(im, 85, dpi))
    data = doc.tobytes(garbage=3, deflate=True)
    doc.close()
    return data


def contract_pdf(p: PersonData, seed: int = 0, *, skew: float = 0.0) -> bytes:
    return images_to_pdf(contract_pages(p, seed, skew=skew))


def chsi_record_pdf(p: PersonData, edu: Education | None, issued: dt.date, seed: int = 0) -> bytes:
    """教育部学历证书电子注册备案表 as a text PDF (as downloaded from 学信网), with photo and QR placeholder."""
    import pymupdf

    doc = pymupdf.open()
    page = doc.new_page(width=595, height=842)

    def t(x: float, y: float, s: str, size: float = 11, color: tuple[float, float, float] = (0.1, 0.1, 0.1)) -> None:
        # "china-s": PDF's standard Simplified-Chinese CID font, not embedded — small and fast.
        page.insert_text((x, y), s, fontname="china-s", fontsize=size, color=color)

    t(150, 80, "教育部学历证书电子注册备案表", 20)
    t(60, 110, f"更新日期：{issued.year}年{issued.month:02d}月{issued.day:02d}日", 10)
    t(330, 110, f"在线验证码：A{seed:04d}SAMPLE{seed * 7 % 1000:03d}", 10)
    grad = edu.graduation_date if edu and edu.graduation_date else dt.date(2022, 6, 30)
    rows = [("姓名", p.name), ("性别", p.gender or "男"), ("证件号码", p.id_number),
            ("民族", p.ethnicity or "汉族"), ("出生日期", _id_text(p)["birth"].replace(" ", "")),
            ("毕业院校", _school(edu)), ("层次", edu.level if edu else "本科"),
            ("专业", edu.major if edu and edu.major else "电气工程及其自动化"),
            ("学习形式", edu.mode if edu and edu.mode else "全日制"),
            ("毕（结）业日期", f"{grad.year}年{grad.month:02d}月{grad.day:02d}日"),
            ("证书编号", f"1075{seed:04d}20{grad.year % 100:02d}00{seed % 97:04d}")]
    shape = page.new_shape()
    y = 150
    for k, v in rows:
        shape.draw_rect(pymupdf.Rect(60, y - 16, 160, y + 8))
        shape.draw_rect(pymupdf.Rect(160, y - 16, 420, y + 8))
        t(66, y, k)
        t(166, y, v)
        y += 24
    shape.finish(color=(0.6, 0.6, 0.6), width=0.6)
    shape.commit()
    buf = io.BytesIO()
    face((150, 200), seed + 11, background=(245, 245, 245)).save(buf, "JPEG", quality=88)
    page.insert_image(pymupdf.Rect(440, 134, 530, 254), stream=buf.getvalue())
    page.insert_image(pymupdf.Rect(440, 300, 530, 390), stream=_qr_placeholder(seed))
    t(60, 460, "注：本表为演示样例，不是学信网出具的真实备案表。", 9, (0.5, 0.5, 0.5))
    data = doc.tobytes(garbage=3, deflate=True)
    doc.close()
    return data


def _qr_placeholder(seed: int) -> bytes:
    """Looks like a QR code (finder squares + random modules); encodes nothing."""
    r = random.Random(seed)
    n, cell = 25, 6
    im = Image.new("L", (n * cell, n * cell), 255)
    d = ImageDraw.Draw(im)
    for i in range(n):
        for j in range(n):
            if r.random() < 0.45:
                d.rectangle((j * cell, i * cell, j * cell + cell - 1, i * cell + cell - 1), fill=0)
    for ox, oy in ((0, 0), (n - 7, 0), (0, n - 7)):
        d.rectangle((ox * cell, oy * cell, (ox + 7) * cell - 1, (oy + 7) * cell - 1), fill=255)
        d.rectangle((ox * cell, oy * cell, (ox + 7) * cell - 1, (oy + 7) * cell - 1), outline=0, width=cell)
        d.rectangle(((ox + 2) * cell, (oy + 2) * cell, (ox + 5) * cell - 1, (oy + 5) * cell - 1), fill=0)
    buf = io.BytesIO()
    im.save(buf, "PNG")
    return buf.getvalue()


_SUMMARY_SENTENCES = (
    "任现职以来，本人始终坚持学习专业知识，认真履行岗位职责。",
    "在项目建设中参与了方案设计、现场施工组织和质量检查等工作。",
    "注重理论联系实际，及时总结工作经验，不断提高业务水平。",
    "积极参加继续教育和单位组织的技术培训，按时完成学时要求。",
    "今后将继续努力，在专业技术工作中发挥更大的作用。",
)


def work_summary_pdf(p: PersonData, chars: int, seed: int = 0) -> bytes:
    """A text PDF 工作小结 with about ``chars`` Chinese characters in the body."""
    import pymupdf

    body = []
    n = 0
    i = seed
    while n < chars:
        s = _SUMMARY_SENTENCES[i % len(_SUMMARY_SENTENCES)]
        body.append(s)
        n += sum(1 for ch in s if "\u4e00" <= ch <= "\u9fff")
        i += 1
    text = "".join(body)
    doc = pymupdf.open()
    per_line, lines_per_page = 34, 40
    lines = [text[k:k + per_line] for k in range(0, len(text), per_line)]
    header = [f"个人工作小结（{p.name}）", f"单位：{p.unit.name or '新疆示例单位'}", ""]
    lines = header + lines
    for start in range(0, len(lines), lines_per_page):
        page = doc.new_page(width=595, height=842)
        page.insert_text((60, 70), "\n".join(lines[start:start + lines_per_page]), fontname="china-s",
                         fontsize=13, lineheight=1.4)
    data = doc.tobytes(garbage=3, deflate=True)
    doc.close()
    return data
