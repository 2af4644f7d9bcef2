"""Working days of the administrative organs (行政機関の休日に関する法律) and batch deadlines.

Closed: Saturdays, Sundays, national holidays (jpholiday), 12/29–1/3, plus days the unit adds.
A unit may also declare a normally closed day open. jpholiday is checked against the Cabinet
Office's table only a year or two ahead, so dates beyond ``HOLIDAYS_KNOWN_UNTIL`` carry a warning.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

import jpholiday

# The last year for which the Cabinet Office had published the holidays when this was written.
HOLIDAYS_KNOWN_UNTIL = 2027
DEFAULT_OFFICE_START = dt.time(8, 30)
DEFAULT_OFFICE_END = dt.time(17, 15)


def is_year_end_closure(day: dt.date) -> bool:
    return (day.month == 12 and day.day >= 29) or (day.month == 1 and day.day <= 3)


@dataclass
class WorkCalendar:
    extra_closed: frozenset[dt.date] = field(default_factory=frozenset)
    extra_open: frozenset[dt.date] = field(default_factory=frozenset)
    office_end: dt.time = DEFAULT_OFFICE_END

    @classmethod
    def from_settings(cls, extra_closed: Iterable[str] = (), extra_open: Iterable[str] = (),
                      office_end: str | dt.time = DEFAULT_OFFICE_END) -> "WorkCalendar":
        if isinstance(office_end, str):
            office_end = dt.time.fromisoformat(office_end)
        return cls(frozenset(dt.date.fromisoformat(d) for d in extra_closed),
                   frozenset(dt.date.fromisoformat(d) for d in extra_open), office_end)

    def closed_reason(self, day: dt.date) -> str | None:
        """Why the day is closed, in Japanese, or None for a working day."""
        if day in self.extra_open:
            return None
        if day in self.extra_closed:
            return "臨時の閉庁日"
        if day.weekday() == 5:
            return "土曜日"
        if day.weekday() == 6:
            return "日曜日"
        if is_year_end_closure(day):
            return "年末年始(12月29日〜1月3日)"
        name = jpholiday.is_holiday_name(day)
        if name:
            return name
        return None

    def is_working_day(self, day: dt.date) -> bool:
        return self.closed_reason(day) is None

    def next_working_day(self, day: dt.date) -> dt.date:
        """The first working day strictly after ``day``."""
        nxt = day + dt.timedelta(days=1)
        for _ in range(400):
            if self.is_working_day(nxt):
                return nxt
            nxt += dt.timedelta(days=1)
        raise ValueError("no working day within 400 days")  # only with a broken extra_closed list

    def deadline(self, batch_day: dt.date) -> dt.datetime:
        """End of office hours of the next working day after the batch's day (circular 3(2)イ)."""
        return dt.datetime.combine(self.next_working_day(batch_day), self.office_end)

    @staticmethod
    def beyond_known_holidays(day: dt.date) -> bool:
        return day.year > HOLIDAYS_KNOWN_UNTIL
