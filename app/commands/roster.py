"""CLI commands of this feature (registered by app.cli)."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any


def register(sub: Any, add_globals: Callable[[argparse.ArgumentParser], None]) -> None:
    """No commands yet: the feature that owns this module adds them."""
