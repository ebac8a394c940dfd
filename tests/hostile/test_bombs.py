"""Readers are bounded (#13 item 7): generated bombs are refused with a clear Chinese message, within
a memory bound, without hanging. Files come from tests/hostile/bombs.py."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.errors import ChudingError, InputFileError
from tests.e2e.cli import ROOT
from tests.hostile import bombs

MEMORY_BOUND_MB = 300

# Peak RSS of this interpreter only: /proc's VmHWM belongs to the new address space, whereas
# getrusage's ru_maxrss survives fork+exec and would report the (large) pytest parent's peak.
_MEASURE = (
    "import resource, sys\n"
    "from app.cli import main\n"
    "code = main(sys.argv[1:])\n"
    "try:\n"
    "    hwm = next(int(x.split()[1]) for x in open('/proc/self/status') if x.startswith('VmHWM:'))\n"
    "except OSError:\n"
    "    hwm = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
    "sys.stderr.write(f'\\nMAXRSS_KB={hwm}\\n')\n"
    "raise SystemExit(code)\n"
)


def _cli_with_peak_memory(tmp_path: Path, *args: str | Path, timeout: float = 180) -> tuple[int, str, float]:
    """Run the real CLI in a fresh interpreter; (exit code, stderr, peak RSS in MB)."""
    cmd = [sys.executable, "-c", _MEASURE, "--db", str(tmp_path / "bomb.sqlite3"), *map(str, args)]
    env = {**os.environ, "PYTHONIOENCODING": "utf-8", "CHUDING_DATA_DIR": str(tmp_path / "data")}
    r = subprocess.run(cmd, capture_output=True, text=True, encoding="utf-8", cwd=ROOT, env=env, timeout=timeout)
    line = [x for x in r.stderr.splitlines() if x.startswith("MAXRSS_KB=")]
    assert line, r.stderr
    return r.returncode, r.stderr, int(line[-1].split("=")[1]) / 1024


@pytest.mark.parametrize("make, expected", [
    (lambda p: bombs.wide_xlsx(p / "wide.xlsx"), "列"),  # the example: 10,000 declared columns
    (lambda p: bombs.wide_xlsx(p / "wide_undeclared.xlsx", declare=False), "列"),  # no <dimension>: cells tell
    (lambda p: bombs.far_cell_xlsx(p / "far.xlsx"), "列"),  # new shape: one value in column XFD per row
    (lambda p: bombs.zip_bomb_xlsx(p / "zip_bomb.xlsx"), "压缩炸弹"),
    (lambda p: bombs.wide_csv(p / "wide.csv"), "超过"),  # 40 MB of commas in one record
], ids=["wide-declared", "wide-undeclared", "far-cell", "zip-bomb", "wide-csv"])
def test_roster_import_bombs_are_refused_within_a_memory_bound(tmp_path: Path, make, expected: str) -> None:
    path = make(tmp_path)
    code, err, peak_mb = _cli_with_peak_memory(tmp_path, "roster", "import", path)
    assert code == 3, err
    assert "错误：" in err and path.name in err and expected in err, err
    assert "内部错误" not in err
    assert peak_mb < MEMORY_BOUND_MB, f"peak {peak_mb:.0f} MB for {path.name}"


def test_a_normal_roster_still_imports_under_the_caps(tmp_path: Path, make_id) -> None:
    """The caps leave real rosters alone: a roster with 150 columns (extra officer columns) imports."""
    import openpyxl

    from app.roster.io import MAX_COLUMNS, read_roster

    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["姓名", "身份证号"] + [f"备用{i}" for i in range(MAX_COLUMNS - 50)])
    ws.append(["甲", make_id()] + ["x"] * (MAX_COLUMNS - 50))
    wb.save(tmp_path / "ok.xlsx")
    result = read_roster(tmp_path / "ok.xlsx")
    assert len(result.rows) == 1 and result.rows[0].person is not None


# --- special files: /dev/zero, FIFOs, folders — for every reader of a user's file ---------------

def _readers():
    from app.documents.ingest import ingest_path
    from app.export.wordcount import read_text
    from app.masking.boxes import BoxSet
    from app.masking.source import read_input
    from app.policy.profiles import load_profile_file
    from app.roster.io import read_roster

    return {
        "scan": (ingest_path, "scan.jpg"),
        "mask-source": (read_input, "scan.jpg"),
        "boxes-json": (BoxSet.load, "boxes.json"),
        "roster": (read_roster, "roster.xlsx"),
        "policy": (load_profile_file, "policy.toml"),
        "summary": (read_text, "summary.txt"),
    }


READERS = ["scan", "mask-source", "boxes-json", "roster", "policy", "summary"]


@pytest.mark.parametrize("reader", READERS)
def test_symlink_to_dev_zero_is_refused_without_reading(tmp_path: Path, reader: str) -> None:
    import resource

    fn, name = _readers()[reader]
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with pytest.raises(ChudingError, match="不是普通文件") as ei:  # InputFileError, or PolicyError for a policy
        fn(bombs.zero_symlink(tmp_path / name))
    assert "设备文件" in ei.value.message and ei.value.exit_code == 3
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 50 * 1024  # nothing big was read


_FIFO_PROBE = (
    "import sys\n"
    "from app.errors import ChudingError\n"
    "from tests.hostile.test_bombs import _readers\n"
    "fn, _ = _readers()[sys.argv[1]]\n"
    "try:\n"
    "    fn(sys.argv[2])\n"
    "except ChudingError as exc:\n"
    "    print(exc.message)\n"
)


@pytest.mark.parametrize("reader", READERS)
def test_fifo_is_refused_without_blocking(tmp_path: Path, reader: str) -> None:
    """In a child process with a timeout: a regression would block forever on the pipe."""
    _fn, name = _readers()[reader]
    path = bombs.fifo(tmp_path / name)
    r = subprocess.run([sys.executable, "-c", _FIFO_PROBE, reader, str(path)], capture_output=True, text=True,
                       encoding="utf-8", cwd=ROOT, timeout=60,
                       env={**os.environ, "PYTHONIOENCODING": "utf-8"})
    assert r.returncode == 0, r.stderr
    assert "不是普通文件" in r.stdout and "命名管道" in r.stdout, r.stdout + r.stderr


def test_cli_docs_add_of_dev_zero_symlink_exits_3_fast(tmp_path: Path) -> None:
    """The issue's example through the real CLI: a /dev/zero symlink offered as a scan."""
    from tests.e2e.cli import run_cli

    db = tmp_path / "d.sqlite3"
    assert run_cli("demo", db=db).returncode == 0
    link = bombs.zero_symlink(tmp_path / "scan.jpg")
    r = run_cli("docs", "add", "艾力·示例", "id_card", link, db=db, timeout=60)
    assert r.returncode == 3, r.stderr
    assert "不是普通文件" in r.stderr


def test_file_growing_after_the_size_check_is_not_read_past_the_cap(tmp_path: Path) -> None:
    from app.fileio import open_user_file

    p = tmp_path / "grows.txt"
    p.write_bytes(b"a" * 100)
    with open_user_file(p, 150) as fh:
        with p.open("ab") as w:  # the file grows between the check and the read
            w.write(b"b" * 1000)
        with pytest.raises(InputFileError, match="超过上限"):
            fh.read()


# --- images and PDFs ----------------------------------------------------------------------------

def test_huge_declared_image_is_refused_by_every_image_reader(tmp_path: Path) -> None:
    from app.documents.ingest import ingest_path
    from app.masking.source import iter_pages, read_input

    png = bombs.huge_png(tmp_path / "huge.png")
    with pytest.raises(InputFileError, match="尺寸过大"):
        ingest_path(png)
    with pytest.raises(InputFileError, match="尺寸过大"):  # masking's reader (mask apply/suggest)
        list(iter_pages(read_input(png), png.name))
    wide = bombs.huge_png(tmp_path / "wide.png", width=250_000, height=600)  # 150 MP: under Pillow's hard limit
    with pytest.raises(InputFileError, match="尺寸过大"):
        list(iter_pages(read_input(wide), wide.name))


def test_5000_page_pdf_is_refused_by_ingest_and_by_masking(tmp_path: Path) -> None:
    from app.documents.ingest import ingest_path
    from app.masking.source import iter_pages, page_count, read_input

    pdf = bombs.many_pages_pdf(tmp_path / "many.pdf")
    with pytest.raises(InputFileError, match="5000 页"):
        ingest_path(pdf)
    data = read_input(pdf)
    with pytest.raises(InputFileError, match="5000 页"):
        page_count(data, pdf.name)
    with pytest.raises(InputFileError, match="5000 页"):
        next(iter_pages(data, pdf.name))


def test_giant_pdf_page_is_not_rendered_into_gigabytes(tmp_path: Path) -> None:
    from app.masking.source import iter_pages, read_input

    pdf = bombs.giant_page_pdf(tmp_path / "giant.pdf")
    with pytest.raises(InputFileError, match="尺寸过大"):
        next(iter_pages(read_input(pdf), pdf.name))
