"""Every letter kind opens in LibreOffice (headless) and converts to PDF with the right text and page
count — our stand-in for "opens in Word and WPS". `.ci/run` installs libreoffice-writer-nogui and sets
CHUDING_REQUIRE_EXTERNAL=1; elsewhere the tests skip, saying why, when LibreOffice is absent."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
from pathlib import Path

import pymupdf
import pytest

from app.domain.person import PersonData, UnitData
from app.export.letters import (
    KINDS,
    LetterContext,
    LetterPerson,
    Publicity,
    Qualification,
    UnitInfo,
    load_template,
    render_letters,
    write_letters,
)
from tests.external import require_program

D = dt.date


def _soffice() -> str:
    return require_program("soffice", "libreoffice", package="libreoffice-writer-nogui", what="LibreOffice")


@pytest.fixture(scope="module")
def converted(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, str]]:
    from app.policy.identifiers import make_id_number

    out = tmp_path_factory.mktemp("letters")
    people = [
        PersonData(name="测试甲", gender="男", ethnicity="汉族", political_status="群众",
                   id_number=make_id_number("650102", D(1999, 1, 2), 7, male=True), series="中小学教师",
                   specialty="语文", position="教师", post_grade="专业技术十三级", work_start=D(2023, 9, 1), unit=UnitData(name="测试第一中学")),
        PersonData(name="测试乙", gender="女", ethnicity="哈萨克族", political_status="中共党员",
                   id_number=make_id_number("650102", D(1998, 2, 3), 9, male=False), series="中小学教师",
                   specialty="数学", position="教师", post_grade="专业技术十三级", work_start=D(2023, 9, 1), unit=UnitData(name="测试第一中学")),
    ]
    lps = [LetterPerson(p, Qualification("初定", "初级", "二级教师", 1), political="师德高尚，" * 6,
                        achievements="教学成绩突出，" * 10) for p in people]
    pub = Publicity(D(2024, 10, 8), D(2024, 10, 14), [D(2024, 10, 8), D(2024, 10, 9), D(2024, 10, 10),
                                                      D(2024, 10, 11), D(2024, 10, 14)])
    ctx = LetterContext(UnitInfo("测试第一中学", "校办公室", "0996-0000000"), pub, D(2024, 10, 15), (1000, None))
    tpl = load_template("korla-2024")
    files: dict[str, Path] = {}
    for kind in KINDS:
        letter = render_letters(kind, tpl, lps, ctx)[0]
        [path] = write_letters([letter], out / kind)
        files[kind] = path
    pdf_dir = out / "pdf"
    env = dict(os.environ, HOME=str(out))  # LibreOffice writes its profile under HOME
    subprocess.run([_soffice(), "--headless", "--norestore", f"-env:UserInstallation=file://{out}/lo-profile",
                    "--convert-to", "pdf", "--outdir", str(pdf_dir), *map(str, files.values())],
                   check=True, capture_output=True, timeout=120, env=env)
    result = {}
    for kind, path in files.items():
        pdf = pdf_dir / (path.stem + ".pdf")
        assert pdf.is_file(), f"LibreOffice did not convert {path.name}"
        with pymupdf.open(pdf) as doc:
            result[kind] = (pdf, "".join(page.get_text() for page in doc).replace(" ", "").replace("\n", ""))
    return result


EXPECTED = {
    "gongshi": ["关于测试甲同志初次确定语文专业初级职称的公示", "政治面貌：群众", "公示时间从2024年10月8日起至2024年10月14日止",
                "校办公室", "0996-0000000"],
    "gongshi-result": ["公示结果证明", "已于2024年10月8", "2024年10月14日在我单位进行公示5个工作日", "2024年10月15日"],
    "tuijian": ["推荐报告", "测试甲共1名同志申报初定中小学教师系列语文专业初级职称",
                "测试乙共1名同志申报初定中小学教师系列数学专业初级职称"],
    "chengnuo": ["个人承诺书", "本人承诺以上填报内容和提交的材料真实有效", "不得申报专业技术资格", "手印"],
    "shide": ["教师系列初级职称申报人员师德师风情况说明", "测试甲、测试乙等2位同志", "测试第一中学"],
    "xiaojie": ["任现职以来个人工作总结", "不少于1000字"],
}


@pytest.mark.parametrize("kind", KINDS)
def test_letter_converts_with_text_and_one_page(converted: dict[str, tuple[Path, str]], kind: str) -> None:
    pdf, text = converted[kind]
    for fragment in EXPECTED[kind]:
        assert fragment.replace(" ", "") in text, (kind, fragment)
    assert "【未填写" not in text
    with pymupdf.open(pdf) as doc:
        assert doc.page_count == 1, (kind, doc.page_count)
        w, h = doc[0].rect.width, doc[0].rect.height
        assert abs(w - 595.3) < 2 and abs(h - 841.9) < 2  # A4
