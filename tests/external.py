"""Tests that need a program outside Python (LibreOffice …) ask for it here.

On a bare machine the program may be missing: the test is skipped with a reason naming the program
and the Debian package that provides it. CI sets ``CHUDING_REQUIRE_EXTERNAL=1`` (in ``.ci/run``, which
installs the packages), and there a missing program fails the test instead of skipping it, so the
skip can never hide a broken CI set-up.
"""

from __future__ import annotations

import os
import shutil

import pytest

REQUIRE_ENV = "CHUDING_REQUIRE_EXTERNAL"


def require_program(*names: str, package: str, what: str) -> str:
    """The path of the first of ``names`` on PATH; skip (or, under CI, fail) when none is there."""
    for name in names:
        path = shutil.which(name)
        if path:
            return path
    reason = (f"{what}（{' / '.join(names)}）未安装：apt-get install {package}"
              f" (external program {names[0]} not found; install the Debian package {package})")
    if os.environ.get(REQUIRE_ENV) == "1":
        pytest.fail(f"{REQUIRE_ENV}=1 but {reason}", pytrace=False)
    pytest.skip(reason)
