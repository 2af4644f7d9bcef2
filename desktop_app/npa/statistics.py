"""Figures like those published for similar schemes (source documents 002 and 004).

The unit counted is an **account** (the provider acts per account), within each group: an account
reported by two prefectures counts once for each prefecture and once in the national total, so the
groups may add up to more than the total (said in a note under every table, as 004 does).

For each group: requested (依頼), acted on (措置: 利用停止 + 削除, also shown apart), not acted on
(措置なし), pending (確認中, or no answer yet), the rate acted / requested in percent rounded to one
decimal (as 004 prints it), withdrawn requests (誤依頼で取下げ; not counted as requested), and the
days from 認知日 to the request and from the request to the outcome (median and mean).

Everything is plain Python over the rows ``OutcomesRepo.requests_with_outcomes`` reads with SQL.
"""
from __future__ import annotations

import datetime as dt
import logging
import statistics as pystats
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from desktop_app.npa.outcome_kinds import Outcome
from desktop_app.wareki import format_wareki

log = logging.getLogger(__name__)

GROUPINGS = {
    "month": "月",
    "prefecture": "都道府県",
    "station": "警察署",
    "case_type": "類型",
}
TOTAL_LABEL = "合計"
UNKNOWN_LABEL = "(不明)"
NOTE = ("※ 件数はアカウント数です。同じアカウントが複数の区分から依頼された場合、各区分で1件と数えるため、"
        "各欄の和が合計と一致しないことがあります。措置率は措置(利用停止+削除)÷依頼で、"
        "小数点以下第2位を四捨五入しています。")


@dataclass(frozen=True)
class StatsFilter:
    date_from: dt.date | None = None  # on requested_on
    date_to: dt.date | None = None
    prefecture: str | None = None  # 都道府県 name
    station: str | None = None
    case_type: str | None = None

    def accepts(self, row: Mapping[str, Any]) -> bool:
        day = row.get("requested_on") or ""
        if self.date_from and day < self.date_from.isoformat():
            return False
        if self.date_to and day > self.date_to.isoformat():
            return False
        for key in ("prefecture", "station", "case_type"):
            want = getattr(self, key)
            if want and (row.get(key) or "") != want:
                return False
        return True


@dataclass
class GroupFigures:
    key: str
    label: str
    requested: int = 0
    suspended: int = 0
    deleted: int = 0
    no_action: int = 0
    pending: int = 0
    withdrawn: int = 0
    days_to_request: list[int] = field(default_factory=list, repr=False)
    days_to_outcome: list[int] = field(default_factory=list, repr=False)

    @property
    def acted(self) -> int:
        return self.suspended + self.deleted

    @property
    def rate(self) -> float | None:
        """措置率 in percent, one decimal; None when nothing was requested."""
        if not self.requested:
            return None
        return round(100.0 * self.acted / self.requested + 1e-9, 1)

    @staticmethod
    def _median(values: list[int]) -> float | None:
        return float(pystats.median(values)) if values else None

    @staticmethod
    def _mean(values: list[int]) -> float | None:
        return round(sum(values) / len(values) + 1e-9, 1) if values else None

    @property
    def median_days_to_request(self) -> float | None:
        return self._median(self.days_to_request)

    @property
    def mean_days_to_request(self) -> float | None:
        return self._mean(self.days_to_request)

    @property
    def median_days_to_outcome(self) -> float | None:
        return self._median(self.days_to_outcome)

    @property
    def mean_days_to_outcome(self) -> float | None:
        return self._mean(self.days_to_outcome)

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key, "label": self.label, "requested": self.requested, "acted": self.acted,
            "suspended": self.suspended, "deleted": self.deleted, "no_action": self.no_action,
            "pending": self.pending, "rate": self.rate, "withdrawn": self.withdrawn,
            "days_recognized_to_request": {"median": self.median_days_to_request,
                                           "mean": self.mean_days_to_request,
                                           "count": len(self.days_to_request)},
            "days_request_to_outcome": {"median": self.median_days_to_outcome,
                                        "mean": self.mean_days_to_outcome,
                                        "count": len(self.days_to_outcome)},
        }


@dataclass
class StatsTable:
    group_by: str
    groups: list[GroupFigures]
    total: GroupFigures
    filter: StatsFilter

    @property
    def title(self) -> str:
        return f"{GROUPINGS[self.group_by]}別 利用停止依頼の状況"

    def as_dict(self) -> dict[str, Any]:
        return {"group_by": self.group_by, "groups": [g.as_dict() for g in self.groups],
                "total": self.total.as_dict(), "note": NOTE}


# Columns of the table as people read it: (key, Japanese header). Shared by the screen, Excel and print.
COLUMNS: tuple[tuple[str, str], ...] = (
    ("label", "区分"),
    ("requested", "依頼"),
    ("acted", "措置"),
    ("suspended", "うち利用停止"),
    ("deleted", "うち削除"),
    ("no_action", "措置なし"),
    ("pending", "確認中"),
    ("rate", "措置率(%)"),
    ("withdrawn", "取下げ"),
    ("median_days_to_request", "認知→依頼 中央値(日)"),
    ("mean_days_to_request", "認知→依頼 平均(日)"),
    ("median_days_to_outcome", "依頼→結果 中央値(日)"),
    ("mean_days_to_outcome", "依頼→結果 平均(日)"),
)


def cell_value(g: GroupFigures, key: str) -> Any:
    return getattr(g, key)


def cell_text(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:,.1f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def _group_key(row: Mapping[str, Any], group_by: str) -> str:
    if group_by == "month":
        return (row.get("requested_on") or "")[:7]
    return row.get(group_by) or ""


def _group_label(key: str, group_by: str) -> str:
    if not key:
        return UNKNOWN_LABEL
    if group_by == "month":
        text = format_wareki(f"{key}-01")
        return text[: text.index("月") + 1]
    return key


def _days(start: str | None, end: str | None) -> int | None:
    if not start or not end:
        return None
    try:
        return (dt.date.fromisoformat(end[:10]) - dt.date.fromisoformat(start[:10])).days
    except ValueError:
        return None


def _figures(key: str, label: str, rows: Iterable[Mapping[str, Any]]) -> GroupFigures:
    """Collapse rows to accounts, then count."""
    accounts: dict[str, dict[str, Any]] = {}
    for r in rows:
        acc = accounts.setdefault(r["account_id"], {"live": False, "recognized": None, "requested": None,
                                                    "outcome": r.get("outcome"), "outcome_on": r.get("outcome_on")})
        if r.get("mistaken_on"):
            continue  # a withdrawn request is not a request, but the account is noted as withdrawn
        acc["live"] = True
        for src, dst in (("recognized_on", "recognized"), ("requested_on", "requested")):
            if r.get(src) and (acc[dst] is None or r[src] < acc[dst]):
                acc[dst] = r[src]
    g = GroupFigures(key, label)
    for acc in accounts.values():
        if not acc["live"]:
            g.withdrawn += 1
            continue
        g.requested += 1
        outcome = acc["outcome"] or Outcome.PENDING.value
        if outcome == Outcome.SUSPENDED:
            g.suspended += 1
        elif outcome == Outcome.DELETED:
            g.deleted += 1
        elif outcome == Outcome.NO_ACTION:
            g.no_action += 1
        else:
            g.pending += 1
        d = _days(acc["recognized"], acc["requested"])
        if d is not None and d >= 0:
            g.days_to_request.append(d)
        if outcome != Outcome.PENDING:
            d = _days(acc["requested"], acc["outcome_on"])
            if d is not None and d >= 0:
                g.days_to_outcome.append(d)
    return g


def compute(rows: Sequence[Mapping[str, Any]], group_by: str = "month",
            flt: StatsFilter | None = None) -> StatsTable:
    """Figures for ``rows`` (as ``requests_with_outcomes`` returns them) grouped by ``group_by``."""
    if group_by not in GROUPINGS:
        raise ValueError(f"集計の区分は {', '.join(GROUPINGS)} のいずれかです")
    flt = flt or StatsFilter()
    chosen = [r for r in rows if flt.accepts(r)]
    by_key: dict[str, list[Mapping[str, Any]]] = {}
    for r in chosen:
        by_key.setdefault(_group_key(r, group_by), []).append(r)
    groups = [_figures(k, _group_label(k, group_by), by_key[k]) for k in _ordered_keys(by_key, group_by)]
    return StatsTable(group_by, groups, _figures("", TOTAL_LABEL, chosen), flt)


def _ordered_keys(by_key: Mapping[str, Any], group_by: str) -> list[str]:
    keys = list(by_key)
    if group_by == "prefecture":
        from desktop_app import resources

        order = {p.name: int(p.code) for p in resources.prefectures()}
        return sorted(keys, key=lambda k: (order.get(k, 99), k))
    if group_by == "case_type":
        from desktop_app import resources

        order = {c: i for i, c in enumerate(resources.case_types())}
        return sorted(keys, key=lambda k: (order.get(k, 99), k))
    return sorted(keys, key=lambda k: (k == "", k))


def groupings_for(tier: str | None) -> tuple[str, ...]:
    """Which groupings a tier offers: the NPA compares prefectures, HQ compares its stations."""
    if tier == "npa":
        return ("month", "prefecture", "case_type", "station")
    if tier == "hq":
        return ("month", "station", "case_type")
    return ("month", "case_type")


class StatisticsService:
    """Figures for one data folder, read fresh from storage each time they are asked for."""

    def __init__(self, database):
        from desktop_app.storage.outcomes_repo import OutcomesRepo

        self._repo = OutcomesRepo(database)

    def rows(self) -> list[dict[str, Any]]:
        return self._repo.requests_with_outcomes()

    def table(self, group_by: str = "month", flt: StatsFilter | None = None,
              rows: Sequence[Mapping[str, Any]] | None = None) -> StatsTable:
        return compute(self.rows() if rows is None else rows, group_by, flt)

    def choices(self, rows: Sequence[Mapping[str, Any]] | None = None) -> dict[str, list[str]]:
        """Values present in the data, for filter lists (prefectures in JIS order)."""
        rows = self.rows() if rows is None else rows
        out: dict[str, list[str]] = {}
        for key in ("prefecture", "station", "case_type"):
            present = {r.get(key) or "" for r in rows} - {""}
            out[key] = _ordered_keys(dict.fromkeys(present), key) if key != "station" else sorted(present)
        return out
