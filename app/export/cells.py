"""Values from data in spreadsheets and CSV: never a live formula, never a character that crashes.

Every xlsx and csv the app writes (roster export, roster template, the bundle's 花名册 and its
导出概况 sheet) goes through these two functions:

* ``append_row(ws, values)`` (openpyxl): a ``str`` becomes a string cell (``data_type 's'``) even
  when it starts with ``=`` — openpyxl would otherwise store ``=HYPERLINK(…)`` as a formula — and
  loses the characters XML cannot hold (a vertical tab made openpyxl raise) and bidi overrides;
* ``csv_cell(value)``: the same cleaning, and a text starting with ``= + - @``, TAB or CR gets a
  leading ``'`` (OWASP "CSV injection"); our importer drops that quote again
  (app/roster/columns.py ``clean_text``), so an exported file imports back unchanged.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from app.domain.text import xml_safe

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def text_value(value: Any) -> Any:
    """A cell value for xlsx: strings cleaned (see module doc), other values unchanged."""
    return xml_safe(value) if isinstance(value, str) else value


def append_row(ws: Any, values: Sequence[Any]) -> int:
    """Append ``values`` as a row; every ``str`` is a string cell. Returns the row number."""
    row = [text_value(v) for v in values]
    ws.append(row)
    r = ws.max_row
    for j, v in enumerate(row, start=1):
        if isinstance(v, str):
            ws.cell(row=r, column=j).data_type = "s"  # text, never a formula
    return int(r)


def csv_cell(value: Any) -> str:
    """One CSV field: dates as ISO, None empty, text cleaned and formula starts quoted."""
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    text = xml_safe(str(value))
    return "'" + text if text.startswith(FORMULA_START) else text
