"""Working days (行政機関の休日) and the HQ batch deadline: end of office hours of the next working day."""
from __future__ import annotations

import datetime as dt

import pytest

from desktop_app.workdays import HOLIDAYS_KNOWN_UNTIL, WorkCalendar

D = dt.date
CAL = WorkCalendar()


@pytest.mark.parametrize("day", [
    D(2026, 5, 6),  # 振替休日 for 憲法記念日 on a Sunday
    D(2026, 9, 22),  # 国民の休日 between 敬老の日 and 秋分の日
    D(2026, 1, 1), D(2026, 1, 12), D(2026, 11, 3), D(2026, 11, 23),
])
def test_national_holidays_are_closed(day):
    assert not CAL.is_working_day(day)
    assert CAL.closed_reason(day)


def test_holiday_reason_names_the_holiday():
    assert "振替休日" in CAL.closed_reason(D(2026, 5, 6))
    assert CAL.closed_reason(D(2026, 11, 23)) == "勤労感謝の日"


@pytest.mark.parametrize("day", [D(2026, 12, 28), D(2027, 1, 4), D(2026, 11, 20), D(2026, 9, 24)])
def test_working_days(day):
    assert CAL.is_working_day(day)
    assert CAL.closed_reason(day) is None


def test_year_end_closure_every_day():
    day = D(2026, 12, 29)
    while day <= D(2027, 1, 3):
        assert not CAL.is_working_day(day), day
        day += dt.timedelta(days=1)
    # weekdays in the closure give the closure as the reason, not "working day"
    assert CAL.closed_reason(D(2026, 12, 30)) == "年末年始(12月29日〜1月3日)"


def test_weekends():
    assert CAL.closed_reason(D(2026, 11, 21)) == "土曜日"
    assert CAL.closed_reason(D(2026, 11, 22)) == "日曜日"


@pytest.mark.parametrize("batch,deadline", [
    (D(2026, 11, 13), dt.datetime(2026, 11, 16, 17, 15)),  # Friday -> Monday
    (D(2026, 11, 20), dt.datetime(2026, 11, 24, 17, 15)),  # Friday -> Tuesday (Monday 勤労感謝の日)
    (D(2026, 9, 18), dt.datetime(2026, 9, 24, 17, 15)),  # Friday -> Thursday across シルバーウィーク
    (D(2026, 12, 28), dt.datetime(2027, 1, 4, 17, 15)),  # across the year-end closure
    (D(2026, 11, 18), dt.datetime(2026, 11, 19, 17, 15)),  # Wednesday -> Thursday
    (D(2026, 11, 21), dt.datetime(2026, 11, 24, 17, 15)),  # a Saturday batch too
])
def test_deadline(batch, deadline):
    assert CAL.deadline(batch) == deadline


def test_next_working_day_is_strictly_after():
    assert CAL.next_working_day(D(2026, 11, 19)) == D(2026, 11, 20)
    assert CAL.next_working_day(D(2026, 5, 1)) == D(2026, 5, 7)  # ゴールデンウィーク


def test_extra_closed_and_open_days_from_settings():
    cal = WorkCalendar.from_settings(extra_closed=["2026-11-16"], extra_open=["2026-11-23"])
    assert not cal.is_working_day(D(2026, 11, 16))
    assert cal.closed_reason(D(2026, 11, 16)) == "臨時の閉庁日"
    assert cal.is_working_day(D(2026, 11, 23))  # the holiday declared open
    assert cal.deadline(D(2026, 11, 13)) == dt.datetime(2026, 11, 17, 17, 15)
    assert cal.deadline(D(2026, 11, 20)) == dt.datetime(2026, 11, 23, 17, 15)


def test_office_end_setting():
    cal = WorkCalendar.from_settings(office_end="18:00")
    assert cal.deadline(D(2026, 11, 13)) == dt.datetime(2026, 11, 16, 18, 0)
    assert WorkCalendar(office_end=dt.time(16, 45)).deadline(D(2026, 11, 13)).time() == dt.time(16, 45)


def test_calendar_from_the_stored_settings(blank_ctx):
    blank_ctx.settings.update({"office_end": "17:00", "extra_closed_days": ["2026-11-16"]})
    cal = blank_ctx.settings.calendar()
    assert cal.deadline(D(2026, 11, 13)) == dt.datetime(2026, 11, 17, 17, 0)


def test_warning_beyond_the_years_the_holiday_table_is_known():
    assert not WorkCalendar.beyond_known_holidays(D(HOLIDAYS_KNOWN_UNTIL, 12, 31))
    assert WorkCalendar.beyond_known_holidays(D(HOLIDAYS_KNOWN_UNTIL + 1, 1, 1))
    assert not WorkCalendar.beyond_known_holidays(D(2026, 11, 20))


def test_a_closed_everything_list_does_not_hang():
    days = [(D(2026, 1, 1) + dt.timedelta(days=i)).isoformat() for i in range(500)]
    with pytest.raises(ValueError):
        WorkCalendar.from_settings(extra_closed=days).next_working_day(D(2025, 12, 31))
