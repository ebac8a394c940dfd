"""Tests needing an external program skip on a bare machine (saying which package to install) and
fail instead under CI, where CHUDING_REQUIRE_EXTERNAL=1 (set by .ci/run, which installs them)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.external import REQUIRE_ENV, require_program

ROOT = Path(__file__).resolve().parents[2]


def test_missing_program_skips_with_a_reason(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(REQUIRE_ENV, raising=False)
    with pytest.raises(pytest.skip.Exception) as info:
        require_program("chuding-no-such-program", package="chuding-demo-package", what="示例程序")
    assert "apt-get install chuding-demo-package" in str(info.value)


def test_ci_turns_the_skip_into_a_failure(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(REQUIRE_ENV, "1")
    with pytest.raises(pytest.fail.Exception) as info:
        require_program("chuding-no-such-program", package="chuding-demo-package", what="示例程序")
    assert REQUIRE_ENV in str(info.value)


def test_present_program_is_found(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    exe = tmp_path / "chuding-fake-tool"
    exe.write_text("#!/bin/sh\n", encoding="utf-8")
    exe.chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path))
    assert require_program("chuding-fake-tool", package="x", what="x") == str(exe)


def test_ci_and_readme_name_the_packages() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"export {REQUIRE_ENV}=1" in ci
    debs = ci.split("debs=(", 1)[1].split(")", 1)[0].split()
    apt_line = next(line for line in readme.splitlines() if "apt-get install" in line and "--no-install-recommends" in line)
    assert sorted(debs) == sorted(apt_line.split("--no-install-recommends", 1)[1].split()), apt_line
    assert "libreoffice-writer-nogui" in readme and REQUIRE_ENV in readme
