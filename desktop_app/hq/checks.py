"""Checks HQ runs on every received row: the form's rules again, the station list, dates, and
duplicates — found and shown, never dropped.

Kinds of duplicate (``Dup.kind``):
  in_file       the same normalised account ID twice in one file
  same_station  already received from the same station in an earlier file
  other_station already received from another station
  sent          already sent to the NPA on an earlier day (when, by whom)
  confusable    an ID that differs only by characters people confuse (0/o, 1/l, rn/m …)
"""
from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Collection, Sequence
from dataclasses import dataclass, fields
from typing import Any

from desktop_app.hq.skeleton import rules_fingerprint, skeleton
from desktop_app.hq.statuses import label
from desktop_app.normalize import normalize_account_id
from desktop_app.storage.received_repo import ReceivedRepo
from desktop_app.validation import Issue, validate_row
from desktop_app.wareki import WarekiError, format_wareki, parse_date

log = logging.getLogger(__name__)

DUP_LABELS = {
    "in_file": "同じファイル内で重複",
    "same_station": "同じ警察署から受理済み",
    "other_station": "他の警察署から受理済み",
    "sent": "警察庁へ送付済み",
    "confusable": "見間違えやすい文字だけが異なるID",
}
# Statuses that do not count as an earlier occurrence.
_IGNORED = ("superseded",)


@dataclass(frozen=True)
class Dup:
    kind: str
    account_id: str  # the other row's normalised ID
    other_rid: int | None = None  # the other row at HQ (None: within the file being read)
    other_position: int | None = None
    station: str | None = None
    unit_id: str | None = None
    received_at: str | None = None
    sent_at: str | None = None
    sent_by: str | None = None
    status: str | None = None

    @property
    def message(self) -> str:
        if self.kind == "in_file":
            return f"同じファイルの{self.other_position}番にも同じアカウントID「{self.account_id}」があります"
        if self.kind == "sent":
            when = _when(self.sent_at)
            return (f"アカウントID「{self.account_id}」は{when}に警察庁へ送付済みです"
                    f"(送付者: {self.sent_by or '不明'}、受理元: {self.station or self.unit_id or '不明'})")
        if self.kind == "confusable" and self.other_rid is None:
            return f"同じファイルの{self.other_position}番に見間違えやすい文字だけが異なるID「{self.account_id}」があります"
        if self.kind == "confusable":
            return (f"見間違えやすい文字だけが異なるID「{self.account_id}」があります"
                    f"({self.station or '警察署不明'}、{label(self.status or '')})")
        where = self.station or self.unit_id or "不明"
        return f"アカウントID「{self.account_id}」は{_when(self.received_at)}に{where}から受理済みです({label(self.status or '')})"

    def to_dict(self) -> dict[str, Any]:
        # Field by field (asdict deep-copies through a generic walk; every value here is a scalar),
        # in declaration order so the stored JSON is unchanged.
        d = {k: v for k in _DUP_FIELDS if (v := getattr(self, k)) is not None}
        d["message"] = self.message
        return d


_DUP_FIELDS = tuple(f.name for f in fields(Dup))


def _when(iso: str | None) -> str:
    if not iso:
        return "日時不明"
    try:
        stamp = dt.datetime.fromisoformat(iso)
    except ValueError:
        return iso
    return f"{format_wareki(stamp.date())} {stamp:%H:%M}"


@dataclass
class CheckedRow:
    values: dict[str, Any]  # the row as stored (hq_rows columns)
    issues: list[Issue]
    dups: list[Dup]

    @property
    def errors(self) -> int:
        return sum(1 for i in self.issues if i.is_error)

    @property
    def warnings(self) -> int:
        return sum(1 for i in self.issues if not i.is_error)


# json.dumps(..., ensure_ascii=False) builds a new encoder on every call; one is kept (same output).
to_json = json.JSONEncoder(ensure_ascii=False).encode


def issues_json(issues: Sequence[Issue]) -> str | None:
    if not issues:
        return None
    return to_json([{"column": i.column, "severity": i.severity, "message": i.message} for i in issues])


def prepare(row: dict[str, Any], *, stations: Collection[str] | None, today: dt.date) -> tuple[dict[str, Any], list[Issue]]:
    """Normalise one incoming row into hq_rows columns and validate it with the form's rules."""
    raw_id = row.get("account_id_raw") or row.get("account_id") or ""
    norm = normalize_account_id(raw_id)
    date_value = row.get("recognized_on")
    date_text = row.get("recognized_on_text") or (date_value if isinstance(date_value, str) else None)
    iso = None
    if isinstance(date_value, (dt.date, dt.datetime)):
        iso = date_value.isoformat()[:10]
    elif date_value:
        try:
            iso = parse_date(str(date_value), today=today).isoformat()
        except WarekiError:
            iso = None
    values = {
        "row_id": row.get("row_id"), "position": row.get("position"),
        "account_id_raw": str(raw_id), "account_id": norm or None, "skeleton": skeleton(norm) if norm else None,
        "user_name": row.get("user_name"), "organization": row.get("organization"),
        "case_type": row.get("case_type"), "refinement": row.get("refinement"),
        "station": row.get("station"), "recognized_on": iso,
        "recognized_on_text": None if date_text is None else str(date_text),
    }
    issues = validate_row({
        "account_id": raw_id, "account_id_raw": raw_id, "user_name": values["user_name"],
        "organization": values["organization"], "case_type": values["case_type"],
        "refinement": values["refinement"], "station": values["station"],
        "recognized_on": iso or date_text,
    }, stations=stations, today=today)
    return values, issues


class DuplicateFinder:
    """Index lookups against hq_rows by skeleton: an equal account ID has an equal skeleton, so one
    search of the skeleton index finds exact and look-alike duplicates alike. That holds only while
    the stored skeletons follow today's rules, so a new finder first recomputes them if the rules
    changed since they were stored (once, then one indexed read per finder)."""

    def __init__(self, repo: ReceivedRepo):
        self._repo = repo
        fingerprint = rules_fingerprint()
        changed = repo.refresh_skeletons(skeleton, fingerprint)
        if changed is not None:
            log.info("skeleton rules %s: recomputed stored skeletons, %d rows changed", fingerprint, changed)

    def candidates(self, rows: Sequence[dict[str, Any]], *, row_ids: Sequence[str] = ()) -> list[dict[str, Any]]:
        """Every row HQ holds that ``find`` may need for ``rows`` (same skeleton, which takes in the
        same account ID), and those with one of ``row_ids``: one indexed query for a whole file."""
        return self._repo.rows_matching({"skeleton": [r.get("skeleton") for r in rows if r.get("account_id")],
                                         "row_id": row_ids},
                                        exclude_statuses=_IGNORED)

    def find(self, rows: Sequence[dict[str, Any]], *, unit_id: str | None, exclude_row_ids: Collection[str] = (),
             candidates: Sequence[dict[str, Any]] | None = None) -> list[list[Dup]]:
        """Duplicates for each of ``rows`` (hq_rows values), within them and against what HQ holds.
        ``candidates``: what ``candidates(rows)`` returned, when the caller already asked."""
        if candidates is None:
            candidates = self.candidates(rows)
        ids = {r.get("account_id") for r in rows} - {None, ""}
        skels = {r.get("skeleton") for r in rows} - {None, ""}
        by_id: dict[str, list[dict]] = {}
        by_skel: dict[str, list[dict]] = {}
        for r in candidates:  # in rid order, as each list was when fetched on its own
            if r["account_id"] in ids:
                by_id.setdefault(r["account_id"], []).append(r)
            if r["skeleton"] in skels:
                by_skel.setdefault(r["skeleton"], []).append(r)
        first_pos: dict[str, int] = {}
        out: list[list[Dup]] = []
        for row in rows:
            dups: list[Dup] = []
            aid, sk = row.get("account_id"), row.get("skeleton")
            if aid:
                if aid in first_pos:
                    dups.append(Dup("in_file", aid, other_position=first_pos[aid]))
                else:
                    first_pos[aid] = row.get("position")
                for other in by_id.get(aid, ()):
                    if _earlier_version(other, row, exclude_row_ids):
                        continue
                    dups.append(_dup_from(other, row, unit_id))
                seen_conf = set()
                for other in by_skel.get(sk, ()):
                    if _earlier_version(other, row, exclude_row_ids):
                        continue
                    if other["account_id"] != aid and other["account_id"] not in seen_conf:
                        seen_conf.add(other["account_id"])
                        dups.append(Dup("confusable", other["account_id"], other["rid"], station=other.get("station"),
                                        unit_id=other.get("unit_id"), received_at=other.get("received_at"),
                                        status=other.get("status")))
                # look-alikes inside the same file
                for prev in rows:
                    if prev is row:
                        break
                    if prev.get("skeleton") == sk and prev.get("account_id") != aid and prev.get("account_id") not in seen_conf:
                        seen_conf.add(prev.get("account_id"))
                        dups.append(Dup("confusable", prev["account_id"], other_position=prev.get("position")))
            out.append(dups)
        # Within one file both rows show the pair, not only the later one.
        by_pos = {r.get("position"): i for i, r in enumerate(rows)}
        for i, dups in enumerate(list(out)):
            for d in list(dups):
                if d.other_rid is None and d.other_position in by_pos:
                    j = by_pos[d.other_position]
                    if j != i:
                        out[j].append(Dup(d.kind, rows[i].get("account_id"), other_position=rows[i].get("position")))
        return out

    def lookup(self, account_id: str) -> list[Dup]:
        """Everything HQ holds that duplicates one ID (exact or confusable): the per-ID lookup
        the benchmark times."""
        norm = normalize_account_id(account_id)
        row = {"account_id": norm, "skeleton": skeleton(norm), "position": 1, "row_id": None}
        return self.find([row], unit_id=None)[0]


def _earlier_version(other: dict[str, Any], row: dict[str, Any], replaced: Collection[str]) -> bool:
    """The returned row a corrected one replaces is not a duplicate of it."""
    rid = other.get("row_id")
    return bool(rid) and rid == row.get("row_id") and rid in replaced


def _dup_from(other: dict[str, Any], row: dict[str, Any], unit_id: str | None) -> Dup:
    common = dict(other_rid=other["rid"], station=other.get("station"), unit_id=other.get("unit_id"),
                  received_at=other.get("received_at"), status=other.get("status"))
    if other.get("status") == "sent":
        return Dup("sent", other["account_id"], sent_at=other.get("sent_at"), sent_by=other.get("sent_by"), **common)
    same = (unit_id and other.get("unit_id") == unit_id) or (row.get("station") and other.get("station") == row.get("station"))
    return Dup("same_station" if same else "other_station", other["account_id"], **common)


def back_reference(dup: Dup, new_row: dict[str, Any], new_rid: int) -> dict[str, Any]:
    """What the earlier row learns when a later one duplicates it (shown on both rows)."""
    kind = dup.kind if dup.kind in ("confusable",) else ("same_station" if dup.kind == "same_station" else "other_station")
    return Dup(kind, new_row["account_id"], new_rid, station=new_row.get("station"), unit_id=new_row.get("unit_id"),
               received_at=new_row.get("received_at"), status=new_row.get("status")).to_dict()
