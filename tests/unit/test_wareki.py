"""和暦: officers type dates many ways and read them as 令和8年3月23日."""
from __future__ import annotations

import datetime as dt
import re

import pytest

from desktop_app.wareki import WarekiError, era_of, era_table, format_wareki, parse_date

D = dt.date
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


@pytest.mark.parametrize("day,text", [
    (D(2026, 3, 23), "令和8年3月23日"),
    (D(2019, 5, 1), "令和元年5月1日"),  # the first year prints as 元年
    (D(2019, 12, 31), "令和元年12月31日"),
    (D(2020, 1, 1), "令和2年1月1日"),
    (D(2019, 4, 30), "平成31年4月30日"),
    (D(1989, 1, 8), "平成元年1月8日"),
    (D(1989, 1, 7), "昭和64年1月7日"),
    (D(1926, 12, 25), "昭和元年12月25日"),
])
def test_format(day, text):
    assert format_wareki(day) == text
    assert format_wareki(day.isoformat()) == text


def test_format_short_and_empty():
    assert format_wareki(D(2026, 3, 23), short=True) == "R8.3.23"
    assert format_wareki(D(2019, 4, 30), short=True) == "H31.4.30"
    assert format_wareki(None) == "" and format_wareki("") == ""


@pytest.mark.parametrize("text,day", [
    ("令和8年3月23日", D(2026, 3, 23)),
    ("R8.3.23", D(2026, 3, 23)),
    ("r8.3.23", D(2026, 3, 23)),
    ("R08.03.23", D(2026, 3, 23)),
    ("R8/3/23", D(2026, 3, 23)),
    ("令8.3.23", D(2026, 3, 23)),
    ("2026-03-23", D(2026, 3, 23)),
    ("2026/3/23", D(2026, 3, 23)),
    ("2026年3月23日", D(2026, 3, 23)),
    ("20260323", D(2026, 3, 23)),
    ("令和 8 年 3 月 23 日", D(2026, 3, 23)),
    ("令和元年5月1日", D(2019, 5, 1)),
    ("令和1年5月1日", D(2019, 5, 1)),  # 1年 and 元年 both accepted
    ("R1.5.1", D(2019, 5, 1)),
    ("平成31年4月30日", D(2019, 4, 30)),
    ("H31.4.30", D(2019, 4, 30)),
    ("平成元年1月8日", D(1989, 1, 8)),
    ("昭和64年1月7日", D(1989, 1, 7)),
    # full-width input, as an IME gives it
    ("令和８年３月２３日", D(2026, 3, 23)),
    ("Ｒ８．３．２３", D(2026, 3, 23)),
    ("８．３．２３", D(2026, 3, 23)),
    ("２０２６－０３－２３", D(2026, 3, 23)),
    ("\u3000令和8年3月23日\u3000", D(2026, 3, 23)),
])
def test_parse(text, day, today):
    assert parse_date(text, today=today) == day


def test_bare_numbers_are_read_in_the_current_era(today):
    assert parse_date("8.3.23", today=today) == D(2026, 3, 23)
    assert parse_date("元.5.1", today=today) == D(2019, 5, 1)
    # on a day in 平成 the same text would be 平成8年
    assert parse_date("8.3.23", today=D(2000, 1, 1)) == D(1996, 3, 23)


def test_dates_and_datetimes_pass_through():
    assert parse_date(D(2026, 3, 23)) == D(2026, 3, 23)
    assert parse_date(dt.datetime(2026, 3, 23, 14, 5)) == D(2026, 3, 23)


def test_round_trip_over_many_days():
    day = D(1989, 1, 1)
    while day < D(2030, 1, 1):
        assert parse_date(format_wareki(day)) == day
        assert parse_date(format_wareki(day, short=True)) == day
        day += dt.timedelta(days=97)


@pytest.mark.parametrize("text,words", [
    ("平成31年5月1日", "平成の期間"),  # 平成 ended on 4/30
    ("H31.5.1", "平成の期間"),
    ("令和1年4月30日", "令和の期間"),  # 令和 began on 5/1
    ("令和元年4月30日", "令和の期間"),
    ("昭和64年1月8日", "昭和の期間"),
    ("令和8年2月30日", "存在しない日付"),
    ("R8.2.30", "存在しない日付"),
    ("2026-02-30", "存在しない日付"),
    ("令和7年2月29日", "存在しない日付"),  # 2025 is not a leap year
    ("R8.13.1", "存在しない日付"),
    ("令和0年1月1日", "1(元年)以上"),
    ("令和8年3月", "日付として読めません"),
    ("あした", "日付として読めません"),
    ("大化1年1月1日", "元号"),
    ("", "入力されていません"),
    ("   ", "入力されていません"),
])
def test_refused_with_a_japanese_message(text, words, today):
    with pytest.raises(WarekiError) as exc:
        parse_date(text, today=today)
    message = str(exc.value)
    assert words in message
    assert JAPANESE.search(message)


def test_none_is_refused(today):
    with pytest.raises(WarekiError):
        parse_date(None, today=today)


def test_leap_day_accepted():
    assert parse_date("令和6年2月29日") == D(2024, 2, 29)


def test_era_table_boundaries_are_contiguous():
    table = era_table()
    for a, b in zip(table, table[1:]):
        assert a.end == b.start - dt.timedelta(days=1)
    assert table[-1].name == "令和" and table[-1].end is None
    assert era_of(D(2019, 4, 30)).name == "平成"
    assert era_of(D(2019, 5, 1)).name == "令和"
