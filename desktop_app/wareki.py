"""和暦 (Japanese era dates): parse what officers type, format what they read.

Dates are stored as ISO; they are shown and printed as 令和8年3月23日. The era table is data
(``resources/eras.json``), so a new era is one line there.
"""
from __future__ import annotations

import datetime as dt
import functools
import re
import unicodedata
from dataclasses import dataclass

from desktop_app import resources


class WarekiError(ValueError):
    """A date that cannot be read; ``str()`` is a Japanese message for the officer."""


@dataclass(frozen=True)
class Era:
    name: str
    abbr: str
    start: dt.date
    end: dt.date | None  # last day, None for the current era


@functools.cache  # resources.eras() is itself cached: the table is fixed per process
def era_table() -> tuple[Era, ...]:
    raw = sorted(resources.eras(), key=lambda e: e["start"])
    out = []
    for i, e in enumerate(raw):
        start = dt.date.fromisoformat(e["start"])
        end = dt.date.fromisoformat(raw[i + 1]["start"]) - dt.timedelta(days=1) if i + 1 < len(raw) else None
        out.append(Era(e["name"], e["abbr"], start, end))
    return tuple(out)


def era_of(day: dt.date) -> Era:
    for era in reversed(era_table()):
        if day >= era.start:
            return era
    raise WarekiError(f"{day.isoformat()} は和暦の元号表より前の日付です")


def format_wareki(day: dt.date | str | None, *, short: bool = False) -> str:
    """令和8年3月23日 (or R8.3.23 when ``short``); the first year of an era prints as 元年."""
    if day is None or day == "":
        return ""
    if isinstance(day, str):
        day = dt.date.fromisoformat(day)
    era = era_of(day)
    year = day.year - era.start.year + 1
    if short:
        return f"{era.abbr}{year}.{day.month}.{day.day}"
    year_text = "元" if year == 1 else str(year)
    return f"{era.name}{year_text}年{day.month}月{day.day}日"


_SEP = r"\s*[./\-年月]\s*"
_ERA_FORM = re.compile(
    r"^(?P<era>[^\d\s元./\-]+)?\s*(?P<y>\d{1,2}|元)" + _SEP + r"(?P<m>\d{1,2})" + _SEP + r"(?P<d>\d{1,2})\s*日?$"
)
_WESTERN = re.compile(r"^(?P<y>\d{4})" + _SEP + r"(?P<m>\d{1,2})" + _SEP + r"(?P<d>\d{1,2})\s*日?$")
_COMPACT = re.compile(r"^(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})$")


def _era_by_label(label: str) -> Era:
    label = label.strip().rstrip(".")
    for era in era_table():
        if label in (era.name, era.abbr, era.abbr.lower(), era.name[0]):
            return era
    raise WarekiError(f"「{label}」という元号はありません")


def parse_date(text: str | dt.date | dt.datetime | None, *, today: dt.date | None = None) -> dt.date:
    """Read 令和8年3月23日, R8.3.23, 8.3.23 (current era), 令和元年5月1日, 2026-03-23, 2026/3/23, 20260323.

    Full-width digits and letters are accepted. A date outside its era (平成31年5月1日) is refused.
    """
    if isinstance(text, dt.datetime):
        return text.date()
    if isinstance(text, dt.date):
        return text
    if text is None or not str(text).strip():
        raise WarekiError("日付が入力されていません")
    # Rows of one file share a handful of dates: remember each text's answer (errors are not
    # cached and are raised afresh). ``today`` only matters for a date without an era.
    return _parse_text(str(text), today or dt.date.today())


@functools.lru_cache(maxsize=4096)
def _parse_text(original: str, today: dt.date) -> dt.date:
    s = unicodedata.normalize("NFKC", original).strip()
    s = s.replace(" ", "")
    if m := _WESTERN.match(s) or _COMPACT.match(s):
        return _make(int(m["y"]), int(m["m"]), int(m["d"]), original)
    if m := _ERA_FORM.match(s):
        era = _era_by_label(m["era"]) if m["era"] else era_of(today)
        year = 1 if m["y"] == "元" else int(m["y"])
        if year < 1:
            raise WarekiError(f"「{original}」: 年は1(元年)以上です")
        day = _make(era.start.year + year - 1, int(m["m"]), int(m["d"]), original)
        if day < era.start or (era.end and day > era.end):
            span = f"{format_wareki(era.start)}〜" + (format_wareki(era.end) if era.end else "")
            raise WarekiError(f"「{original}」は{era.name}の期間({span})にない日付です")
        return day
    raise WarekiError(
        f"「{original}」は日付として読めません(例: 令和8年3月23日、R8.3.23、8.3.23、2026-03-23)"
    )


def _make(y: int, m: int, d: int, original: str) -> dt.date:
    try:
        return dt.date(y, m, d)
    except ValueError:
        raise WarekiError(f"「{original}」は存在しない日付です") from None
