"""Database URLs and their password.

- ``normalise_url``: ``postgresql://`` / ``postgres://`` use the bundled psycopg (v3) driver;
- ``mask_url`` / ``scrub``: the one way to show a URL or any text that might contain one (messages,
  log records, ``demo`` output, crash dialogs): the password becomes ``***``;
- ``store_password`` / ``stored_password``: the password lives outside the URL and outside
  settings.json, in the OS keyring when the ``keyring`` package has a usable backend, otherwise in
  ``<user data dir>/credentials.json`` readable only by the user (mode 600; on Windows the per-user
  data dir is already private to the account).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import threading
from typing import Any

log = logging.getLogger(__name__)

PG_DRIVER = "postgresql+psycopg"
KEYRING_SERVICE = "chuding-db"
MASK = "***"

# scheme://user:password@ … in free text (exception messages, log records)
_SECRET_IN_URL = re.compile(r"(\b[a-zA-Z][a-zA-Z0-9+.\-]*://[^:/@\s'\"]*:)([^@\s'\"/]+)(@)")
# libpq keyword form: password=secret
_SECRET_KV = re.compile(r"(\bpassword\s*=\s*)('[^']*'|\S+)", re.IGNORECASE)
_known: set[str] = set()
_known_lock = threading.Lock()


def remember_secret(secret: str | None) -> None:
    """Passwords seen at run time are masked in any text ``scrub`` sees, even outside a URL."""
    if secret and len(secret) >= 3:
        from urllib.parse import quote, quote_plus

        with _known_lock:
            _known.update({secret, quote(secret, safe=""), quote_plus(secret)})  # as written in a URL too


def scrub(text: str) -> str:
    """``text`` with every password (in a URL, ``password=…``, or one seen at run time) masked."""
    if not text:
        return text
    out = _SECRET_IN_URL.sub(lambda m: m.group(1) + MASK + m.group(3), text)
    out = _SECRET_KV.sub(lambda m: m.group(1) + MASK, out)
    with _known_lock:
        secrets = sorted(_known, key=len, reverse=True)
    for s in secrets:
        out = out.replace(s, MASK)
    return out


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


def normalise_url(url: str) -> str:
    """``postgresql://`` and ``postgres://`` (and ``+psycopg2``) → the psycopg v3 dialect."""
    from sqlalchemy.engine import make_url

    u = make_url(url)
    if u.drivername in ("postgresql", "postgres", "postgresql+psycopg2", "postgres+psycopg"):
        u = u.set(drivername=PG_DRIVER)
    if u.password:
        remember_secret(str(u.password))
    return u.render_as_string(hide_password=False)


def mask_url(url: Any) -> str:
    """The URL for display: the password as ``***``. Accepts a string or a SQLAlchemy ``URL``."""
    try:
        from sqlalchemy.engine import URL, make_url

        u = url if isinstance(url, URL) else make_url(str(url))
        return u.render_as_string(hide_password=True)
    except Exception:
        return scrub(str(url))


def display_url(url: Any) -> str:
    """Short form for messages: the SQLite file path, or ``user@host:port/db`` without a password."""
    try:
        from sqlalchemy.engine import URL, make_url

        u = url if isinstance(url, URL) else make_url(str(url))
    except Exception:
        return scrub(str(url))
    if u.get_backend_name() == "sqlite":
        return u.database or ":memory:"
    host = f"{u.host or 'localhost'}{f':{u.port}' if u.port else ''}"
    return f"{u.username + '@' if u.username else ''}{host}/{u.database or ''}"


def split_password(url: str) -> tuple[str, str | None]:
    """(URL without its password, the password or None)."""
    from sqlalchemy.engine import make_url

    u = make_url(url)
    pw = str(u.password) if u.password is not None else None
    if pw is None:
        return url, None
    return u._replace(password=None).render_as_string(hide_password=False), pw


def credential_key(url: str) -> str:
    """``user@host:port/database``: what a stored password belongs to."""
    from sqlalchemy.engine import make_url

    u = make_url(url)
    return f"{u.username or ''}@{u.host or 'localhost'}:{u.port or 5432}/{u.database or ''}"


def with_stored_password(url: str) -> str:
    """``url`` with the stored password put back in when the URL has none (server URLs only)."""
    if is_sqlite(url):
        return url
    from sqlalchemy.engine import make_url

    u = make_url(url)
    if u.password is not None or not u.username:
        return url
    pw = stored_password(url)
    if pw is None:
        return url
    remember_secret(pw)
    return u.set(password=pw).render_as_string(hide_password=False)


# -- password storage -----------------------------------------------------------------------------

def _keyring() -> Any | None:
    """The keyring module when it has a real backend (not the ``fail``/``null`` placeholders)."""
    if os.environ.get("CHUDING_NO_KEYRING"):
        return None
    try:
        import keyring
        from keyring.backends import fail
    except Exception:  # not installed, or its backends failed to load
        return None
    try:
        backend = keyring.get_keyring()
    except Exception:
        return None
    if isinstance(backend, fail.Keyring) or "null" in type(backend).__module__:
        return None
    return keyring


def _credentials_file() -> Any:
    from app.paths import user_data_dir

    return user_data_dir() / "credentials.json"


def _read_file() -> dict[str, str]:
    path = _credentials_file()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def _write_file(data: dict[str, str]) -> None:
    from app.fileio import atomic_write_text

    path = _credentials_file()
    atomic_write_text(path, json.dumps(data, ensure_ascii=False, indent=1), what="保存数据库密码")
    with contextlib.suppress(OSError):
        os.chmod(path, 0o600)


def password_store_name() -> str:
    return "系统密钥环" if _keyring() is not None else "仅本用户可读的文件"


def store_password(url: str, password: str) -> str:
    """Keep ``password`` for the server in ``url``; returns where (for the officer's message)."""
    remember_secret(password)
    key = credential_key(url)
    kr = _keyring()
    if kr is not None:
        try:
            kr.set_password(KEYRING_SERVICE, key, password)
            return "系统密钥环"
        except Exception as exc:  # a locked or broken keyring: fall back to the private file
            log.warning("keyring refused the password (%s); using the private file", type(exc).__name__)
    data = _read_file()
    data[key] = password
    _write_file(data)
    return "仅本用户可读的文件"


def stored_password(url: str) -> str | None:
    key = credential_key(url)
    kr = _keyring()
    if kr is not None:
        try:
            pw = kr.get_password(KEYRING_SERVICE, key)
        except Exception:
            pw = None
        if pw is not None:
            return str(pw)
    return _read_file().get(key)


class ScrubFilter(logging.Filter):
    """Log filter: masks passwords in every record (message and arguments, exception text)."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            msg = record.getMessage()
        except Exception:
            return True
        clean = scrub(msg)
        if record.exc_info and record.exc_info[1] is not None and not record.exc_text:
            import traceback

            record.exc_text = scrub("".join(traceback.format_exception(*record.exc_info)).rstrip("\n"))
        elif record.exc_text:
            record.exc_text = scrub(record.exc_text)
        if clean != msg or record.args:
            record.msg, record.args = clean, None
        return True
