"""Batch deadlines (circular 3(2)イ): rows received on day D go to the NPA by the end of office
hours of the next working day. Teishi shows each pending day's deadline and warns when it is near
(``deadline_warning_hours``) or past."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from desktop_app.wareki import format_wareki
from desktop_app.workdays import WorkCalendar

ON_TIME, DUE_SOON, LATE = "on_time", "due_soon", "late"
STATE_LABELS = {ON_TIME: "期限内", DUE_SOON: "期限間近", LATE: "期限超過"}


@dataclass(frozen=True)
class BatchDeadline:
    day: dt.date  # the batch's day (rows received that day)
    deadline: dt.datetime
    pending_rows: int
    state: str
    calendar_warning: str | None = None  # the day lies beyond the years the holiday table is known for

    @property
    def message(self) -> str:
        when = f"{format_wareki(self.deadline.date())} {self.deadline:%H:%M}"
        head = f"{format_wareki(self.day)}受理分({self.pending_rows}件)"
        if self.state == LATE:
            text = f"{head}は送付期限({when})を過ぎています。至急集約して警察庁へ送付してください"
        elif self.state == DUE_SOON:
            text = f"{head}の送付期限が近づいています({when}まで)"
        else:
            text = f"{head}の送付期限は{when}です"
        if self.calendar_warning:
            text += f"(注意: {self.calendar_warning})"
        return text


def deadline_for(calendar: WorkCalendar, day: dt.date) -> dt.datetime:
    return calendar.deadline(day)


def classify(calendar: WorkCalendar, day: dt.date, pending: int, now: dt.datetime, warn_hours: float) -> BatchDeadline:
    deadline = calendar.deadline(day)
    if now > deadline:
        state = LATE
    elif deadline - now <= dt.timedelta(hours=warn_hours):
        state = DUE_SOON
    else:
        state = ON_TIME
    warning = None
    if WorkCalendar.beyond_known_holidays(deadline.date()):
        warning = "祝日表が確認済みの年を超えています。休日設定を確認してください"
    return BatchDeadline(day, deadline, pending, state, warning)


def pending_deadlines(calendar: WorkCalendar, pending_by_day: dict[str, int], now: dt.datetime,
                      warn_hours: float) -> list[BatchDeadline]:
    """One entry per day that still has rows to send (received, confirmed or unconfirmed)."""
    return [classify(calendar, dt.date.fromisoformat(day), n, now, warn_hours)
            for day, n in sorted(pending_by_day.items()) if day]


def warnings(deadlines: list[BatchDeadline]) -> list[BatchDeadline]:
    return [d for d in deadlines if d.state in (DUE_SOON, LATE)]
