from __future__ import annotations

import datetime as dt

import pytest

from app.errors import ValidationError
from app.policy.dates import parse_date


@pytest.mark.parametrize("text", ["2023-06-30", "2023/6/30", "2023.06.30", "2023年6月30日", "20230630", " 2023-06-30 "])
def test_accepted_formats(text: str) -> None:
    assert parse_date(text) == dt.date(2023, 6, 30)


def test_excel_serial_and_datetime() -> None:
    assert parse_date(45107) == dt.date(2023, 6, 30)
    assert parse_date("45107") == dt.date(2023, 6, 30)
    assert parse_date(dt.datetime(2023, 6, 30, 12, 0)) == dt.date(2023, 6, 30)


def test_empty_is_none() -> None:
    assert parse_date("") is None and parse_date(None) is None


@pytest.mark.parametrize("text", ["2023-02-30", "2023-13-01", "2021-02-29"])
def test_impossible_dates_name_the_problem(text: str) -> None:
    with pytest.raises(ValidationError, match="不是有效日期"):
        parse_date(text, field="毕业日期")


def test_garbage_gives_accepted_formats() -> None:
    with pytest.raises(ValidationError, match="YYYY-MM-DD"):
        parse_date("去年夏天", field="毕业日期")
