"""职称初定申报助手 (Chuding) — offline assistant for 初定/授予 applications.

The version below is the single source of truth: pyproject.toml reads it.
"""

__version__ = "0.1.0"
APP_NAME = "chuding"
APP_DISPLAY_NAME = "职称初定申报助手"
