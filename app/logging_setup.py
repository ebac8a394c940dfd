"""Logging to a rotating file in the user log dir.

Privacy: the log holds row ids, never 身份证号, names or masked text. That is kept at the source
(SQLAlchemy's ``hide_parameters``; log calls name rows by id and errors by class and English
detail, never by the Chinese message that names the person). As a second net every record reaching
our handlers passes ``RedactingFilter``, which replaces anything shaped like an ID number — 18
characters (17 digits + digit/X, also with spaces or dashes, also inside longer text) or an old
15-digit one — in the message, its arguments, the traceback text and the stack.

Robustness: a log handler that cannot write (full disk, read-only or vanished log folder) degrades
silently: ``handleError`` drops the record instead of printing "--- Logging error ---" on the
user's terminal, and a log folder that cannot be created or opened leaves logging off.
"""

from __future__ import annotations

import logging
import logging.handlers
import re
from pathlib import Path

from app.paths import user_log_dir

_configured = False

REDACTED = "[已隐去证件号]"
# 18-character ID (6 area + 8 birth + 3 sequence + check digit/X), optionally grouped by spaces or
# dashes; then any run of 15 digits (an old 15-digit ID, or part of a longer digit run: fail-safe).
# ``\d`` also matches full-width digits. No word boundaries: an ID glued to text is still found.
ID_PATTERN = re.compile(r"\d{6}[ \-]?\d{8}[ \-]?\d{3}[\dXx×]|\d{15}")


def redact(text: str) -> str:
    """``text`` with every ID-number-shaped run replaced."""
    return ID_PATTERN.sub(REDACTED, text)


class RedactingFilter(logging.Filter):
    """Redacts ID numbers from a record before any handler formats it (message, args, exc, stack)."""

    _formatter = logging.Formatter()

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: keep what we can, never raise from logging
            message = f"{record.msg!r} {record.args!r}"
        record.msg = redact(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = self._formatter.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


class SafeRotatingFileHandler(logging.handlers.RotatingFileHandler):
    """A rotating file handler that never disturbs the user when the disk refuses a write."""

    def handleError(self, record: logging.LogRecord) -> None:
        # No "--- Logging error ---" on stderr: the log is a diagnostic aid, not the product.
        # Close the stream so a later record retries opening the file (the disk may have room again).
        try:
            if self.stream is not None:
                self.stream.close()
        except Exception:
            pass
        self.stream = None


def log_file() -> Path:
    return user_log_dir() / "chuding.log"


def make_file_handler(path: Path) -> logging.Handler:
    """The app's log handler for ``path``: safe on a full or read-only disk, redacting ID numbers."""
    handler: logging.Handler
    try:
        handler = SafeRotatingFileHandler(path, maxBytes=2_000_000, backupCount=5, encoding="utf-8", delay=True)
    except OSError:
        handler = logging.NullHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    from app.dburl import ScrubFilter

    handler.addFilter(ScrubFilter())  # no database password ever reaches the log file
    handler.addFilter(RedactingFilter())
    return handler


def configure_logging(*, verbose: bool = False) -> Path:
    global _configured
    try:
        path = log_file()
    except OSError:  # the log folder cannot be created (read-only profile): run without a log file
        path = Path("chuding.log")
        if not _configured:
            logging.getLogger().addHandler(logging.NullHandler())
            _configured = True
        return path
    if _configured:
        return path
    root = logging.getLogger()
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    root.addHandler(make_file_handler(path))
    _configured = True
    return path
