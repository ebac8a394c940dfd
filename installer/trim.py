"""What the frozen bundle leaves out, in one place (used by chuding.spec, tested by tests/core/test_installer_trim.py).

The app uses Qt Widgets, Gui, Core, PrintSupport, Network (local sockets for the single-instance guard) and
Svg (icons); OpenCV for image work and two bundled Haar cascades; RapidOCR's ONNX models; PyMuPDF's library.
Everything else that the PyInstaller hooks would drag in is dropped here: QML/Quick and their plugins, the
virtual keyboard, Qt PDF, Qt translations other than zh_CN, Wayland/EGL platforms, OpenCV's video I/O and the
cascades we do not load, developer headers and test suites.
"""

from __future__ import annotations

import importlib.metadata
import re
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Iterable
from pathlib import Path

# Python modules never needed at run time (and whose hooks pull in large binaries).
EXCLUDED_MODULES = (
    "tkinter", "_tkinter", "unittest.mock", "pydoc_data", "lib2to3",
    "pytest", "_pytest", "hypothesis", "IPython", "matplotlib", "scipy", "pandas",
    "PySide6.QtQml", "PySide6.QtQuick", "PySide6.QtQuickWidgets", "PySide6.QtQuickControls2",
    "PySide6.QtOpenGL", "PySide6.QtOpenGLWidgets", "PySide6.QtPdf", "PySide6.QtPdfWidgets",
    "PySide6.QtWebEngineCore", "PySide6.QtWebEngineWidgets", "PySide6.QtSql", "PySide6.QtDBus",
    "PySide6.QtMultimedia", "PySide6.QtDesigner", "PySide6.QtHelp", "PySide6.QtTest", "PySide6.QtUiTools",
    "PySide6.QtSvgWidgets", "PySide6.QtConcurrent", "PySide6.QtXml",
    "onnxruntime.transformers", "onnxruntime.quantization", "onnxruntime.tools", "onnxruntime.training",
    "numpy.f2py", "numpy.distutils",
    "mypy", "sqlalchemy.ext.mypy", "ast_serialize", "mypyc",  # SQLAlchemy's mypy plugin drags in mypy
    "pygments", "mako.ext",  # Alembic's Mako templates' optional highlighting: 340 modules
    "sqlalchemy.testing", "alembic.testing", "reportlab.graphics.testshapes", "lxml.doctestcompare",
    "lxml.html.usedoctest",
    # binary modules nothing imports: Pillow's AVIF codec (libavif, ~5 MB; the app accepts no .avif, see
    # app/documents/ingest.py) and Tk bridge; lxml's objectify (~3 MB; python-docx and openpyxl use etree)
    "PIL._avif", "PIL._imagingtk", "PIL.ImageTk", "lxml.objectify",
)

# Qt translations kept (the app is zh_CN only and loads qtbase_zh_CN in app/ui/application.py).
KEPT_TRANSLATIONS = frozenset({"qtbase_zh_CN.qm"})

# Qt plugin folders kept, and within some of them only these plugins (names without lib/.so/.dll).
KEPT_PLUGIN_DIRS = frozenset({"platforms", "imageformats", "iconengines", "printsupport", "styles",
                              "platforminputcontexts", "xcbglintegrations"})
KEPT_PLUGINS = {
    "platforms": frozenset({"qxcb", "qoffscreen", "qminimal", "qwindows"}),
    "imageformats": frozenset({"qjpeg", "qico", "qsvg", "qgif", "qtiff", "qwebp"}),
    "platforminputcontexts": frozenset({"composeplatforminputcontextplugin", "ibusplatforminputcontextplugin"}),
}

# Qt libraries dropped wherever they come from (Linux libQt6X.so.6, Windows Qt6X.dll).
_DROPPED_QT_LIB = re.compile(
    r"^(lib)?Qt6(Qml|Quick|Pdf|VirtualKeyboard|Lottie|Labs|Designer|Help|WebEngine|WebChannel|WebSockets|WebView"
    r"|Wayland|WlShell|EglFS|Multimedia|3D|Charts|DataVisualization|Graphs|Sensors|Bluetooth|Nfc|Positioning"
    r"|Location|RemoteObjects|Scxml|StateMachine|TextToSpeech|SerialPort|SerialBus|Sql|Test|ShaderTools"
    r"|SpatialAudio|UiTools|HttpServer|Protobuf|Grpc|ShaderTools|Quick3D|OpenGLWidgets|SvgWidgets|Concurrent"
    r"|Xml)",
)

# OpenCV: only these data files are read (app/masking/suggest/eyes.py).
KEPT_CV2_DATA = frozenset({"haarcascade_frontalface_default.xml", "haarcascade_eye.xml"})

_DROPPED_PREFIXES = (
    "PySide6/Qt/qml/", "PySide6/qml/", "PySide6/Qt/metatypes/", "PySide6/metatypes/", "PySide6/include/",
    "PySide6/typesystems/", "PySide6/glue/", "PySide6/scripts/", "PySide6/Qt/libexec/",
    "cv2/qt/",  # opencv-python's (GUI build) Qt 5 fonts/plugins, should that build ever be installed
    "pymupdf/mupdf-devel/", "fitz/mupdf-devel/",
    "onnxruntime/transformers/", "onnxruntime/quantization/", "onnxruntime/tools/", "onnxruntime/datasets/",
)
# opengl32sw.dll: Mesa's software OpenGL (20.6 MB), which PyInstaller's PySide6 hook collects on Windows for
# OpenGL/Qt Quick apps on machines without a GPU driver; Qt Widgets paint with the raster engine.
_DROPPED_NAMES = re.compile(r"(^|/)(tests?|testing)/|opencv_videoio_ffmpeg|\.pyi$|(^|/)__pycache__/"
                            r"|(^|/)opengl32sw\.dll$")


def keep(dest: str) -> bool:
    """True if the file that PyInstaller would place at ``dest`` (relative, any separator) stays in the bundle."""
    d = dest.replace("\\", "/")
    name = d.rsplit("/", 1)[-1]
    if d.startswith(_DROPPED_PREFIXES) or _DROPPED_NAMES.search(d):
        return False
    for prefix in ("PySide6/Qt/translations/", "PySide6/translations/"):
        if d.startswith(prefix):
            return name in KEPT_TRANSLATIONS
    for prefix in ("PySide6/Qt/plugins/", "PySide6/plugins/"):
        if d.startswith(prefix):
            folder = d[len(prefix):].split("/", 1)[0]
            if folder not in KEPT_PLUGIN_DIRS:
                return False
            wanted = KEPT_PLUGINS.get(folder)
            stem = re.sub(r"^lib|\.(so|dll|dylib)$", "", name)
            return wanted is None or stem in wanted
    if d.startswith("cv2/data/"):
        return name in KEPT_CV2_DATA or name == "__init__.py"
    return not _DROPPED_QT_LIB.match(name)


def filter_toc(toc: Iterable[tuple[str, str, str]]) -> list[tuple[str, str, str]]:
    """A PyInstaller TOC (dest, source, typecode) without the dropped entries."""
    return [entry for entry in toc if keep(entry[0])]


def strip_interpreter_binaries(toc: Iterable[tuple[str, str, str]], workdir: Path) -> list[tuple[str, str, str]]:
    """Linux: the TOC with the CPython interpreter's own shared libraries (libpython, lib-dynload modules)
    replaced by copies stripped of their symbol tables, made in ``workdir`` (libpython3.11: 23 → 6 MB).

    Only those: they come from the interpreter's build. Wheel binaries are left as they are: auditwheel
    rewrites them with patchelf, and `strip` then breaks some (PyInstaller's ``strip=True`` made numpy's
    OpenBLAS fail to load: "ELF load command address/offset not page-aligned")."""
    strip = shutil.which("strip")
    if not sys.platform.startswith("linux") or strip is None:
        return list(toc)
    base = Path(sys.base_prefix).resolve()
    out = []
    for dest, src, typecode in toc:
        path = Path(src).resolve()
        if (typecode in ("BINARY", "EXTENSION") and base in path.parents and ".so" in path.name
                and "site-packages" not in path.parts):
            target = workdir / dest
            if not target.exists() or target.stat().st_mtime < path.stat().st_mtime:
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(path, target)
                subprocess.run([strip, "--strip-unneeded", str(target)], check=True)
            src = str(target)
        out.append((dest, src, typecode))
    return out


# Dependencies whose PyInstaller hooks already collect what they need (collect_data_files would re-add bloat).
_HOOKED = frozenset({"PySide6", "shiboken6", "Shiboken", "numpy", "cv2", "onnxruntime", "pymupdf", "fitz", "PIL"})


def runtime_packages(pyproject: Path, no_deps: Iterable[str] = ()) -> list[str]:
    """Top-level import names of the project's runtime dependencies, for data collection: pyproject.toml's
    and those installed without their dependencies (``no_deps``: bootstrap.py's NO_DEPS, e.g. RapidOCR)."""
    deps = [*tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]["dependencies"], *no_deps]
    wanted = {_canon(re.split(r"[\s<>=!~;\[]", d, maxsplit=1)[0]) for d in deps}
    out = []
    for top, dists in importlib.metadata.packages_distributions().items():
        if top in _HOOKED or top.startswith("_") or not top.isidentifier():
            continue
        if any(_canon(dist) in wanted for dist in dists):
            out.append(top)
    return sorted(set(out))


# The one OpenCV distribution the app installs and bundles: the same cv2 API as opencv-python without
# highgui's GUI toolkit (on Linux opencv-python's wheel carries Qt 5, ~100 MB more). Two cv2 distributions
# side by side overwrite each other's files; bootstrap.py removes the others (CV2_CONFLICTS).
CV2_DISTRIBUTION = "opencv-python-headless"


def cv2_distributions() -> list[str]:
    """The installed distributions that provide the top-level ``cv2`` package (normalised names)."""
    return sorted({_canon(d) for d in importlib.metadata.packages_distributions().get("cv2", [])})


def check_single_cv2() -> None:
    """Refuse to freeze a mix of OpenCV builds (or the GUI build): exactly CV2_DISTRIBUTION provides cv2."""
    found = cv2_distributions()
    if found != [CV2_DISTRIBUTION]:
        raise SystemExit(f"cv2 must come from {CV2_DISTRIBUTION} alone, found {found or 'none'}: "
                         "run `python bootstrap.py test` (it removes opencv-python) or "
                         f"`pip uninstall -y {' '.join(d for d in found)}` then `pip install {CV2_DISTRIBUTION}`")


def cv2_cascades() -> list[tuple[str, str]]:
    """(source, dest folder) for the Haar cascades the app loads; OpenCV's hook does not collect cv2/data."""
    import cv2

    folder = Path(cv2.data.haarcascades)
    return [(str(folder / name), "cv2/data") for name in sorted(KEPT_CV2_DATA)]


def extra_hidden_imports() -> list[str]:
    """Modules imported dynamically (by name) that the analysis cannot see."""
    return ["chinese_calendar"]


def _canon(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()
