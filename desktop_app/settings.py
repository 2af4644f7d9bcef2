"""Every setting Teishi knows, declared once with its type and default."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Setting:
    key: str
    default: Any
    doc: str


SETTINGS: dict[str, Setting] = {s.key: s for s in (
    Setting("tier", None, "station | hq | npa, chosen at first-run setup"),
    Setting("prefecture_code", None, "JIS X 0401 code of the unit's prefecture (None for the NPA)"),
    Setting("regional_hq", None, "北海道の方面本部 when the unit belongs to one"),
    Setting("station_name", None, "the station's own name (tier station)"),
    Setting("unit_id", None, "stable identifier of this unit, generated at setup"),
    Setting("unit_name", None, "how the unit is named on files and screens"),
    Setting("double_entry_names", False, "also double-enter ユーザー名 and 企業/団体名"),
    Setting("adjudicator_may_be_party", False, "let the 入力者 or 確認者 adjudicate a mismatch"),
    Setting("office_start", "08:30", "start of office hours"),
    Setting("office_end", "17:15", "end of office hours: the daily batch deadline on the next working day"),
    Setting("extra_closed_days", [], "ISO dates closed besides weekends, holidays and 12/29–1/3"),
    Setting("extra_open_days", [], "ISO dates open although normally closed"),
    Setting("deadline_warning_hours", 4, "warn this many hours before a batch deadline"),
)}

TIERS = ("station", "hq", "npa")
