"""What blind verification returns and reports: attempt outcomes, tasks, conflicts, per-officer
figures and export readiness. Values only; ``services.verification`` produces them."""
from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from desktop_app import dual_entry
from desktop_app.forms import Column

# Why a row is held back from export
HELD_DRAFT, HELD_AWAITING, HELD_CONFLICT, HELD_ERRORS, HELD_RETURNED = "下書き", "確認待ち", "判定待ち", "エラーあり", "差戻し"
HELD_ORDER = (HELD_DRAFT, HELD_AWAITING, HELD_CONFLICT, HELD_ERRORS, HELD_RETURNED)


class Outcome(StrEnum):
    MATCH = "match"  # this column is verified (the row is verified when no column is left)
    MISMATCH_RETRY = "mismatch_retry"  # does not match: type it again (nothing else is said)
    CONFLICT = "conflict"  # the same differing value again: the row goes to adjudication


@dataclass(frozen=True)
class VerificationTask:
    """What a verifier may see of a row: never the values they are about to type."""
    entry_id: str
    position: int
    shown: tuple[tuple[str, str], ...]  # (label, value) for 番号, ユーザー名, 企業/団体名, 類型, 認知日
    columns: tuple[Column, ...]  # still to be typed, in form order


@dataclass(frozen=True)
class Attempt:
    officer: str  # label
    attempt: int
    typed_raw: str
    result: str
    at: str


@dataclass(frozen=True)
class ConflictCase:
    """Both values, for the adjudicator only."""
    entry_id: str
    position: int
    column: Column
    first_raw: str
    second_raw: str
    first_officer: str
    second_officer: str
    comparison: dual_entry.Comparison
    attempts: tuple[Attempt, ...]
    first_features: tuple[str, ...]
    second_features: tuple[str, ...]
    shown: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class OfficerStats:
    officer_id: int
    label: str
    fields_entered: int = 0  # first-entry fields whose check finished
    first_entry_errors: int = 0  # ... where the accepted value was not the first entry (keyer errors)
    fields_verified: int = 0  # fields this officer re-typed blind
    verification_mismatches: int = 0  # attempts that did not match
    verification_errors: int = 0  # fields where they typed a value that was not the accepted one
    adjudications: int = 0

    @property
    def first_entry_error_rate(self) -> float | None:
        return self.first_entry_errors / self.fields_entered if self.fields_entered else None

    @property
    def verification_error_rate(self) -> float | None:
        return self.verification_errors / self.fields_verified if self.fields_verified else None


@dataclass(frozen=True)
class ExportReadiness:
    ready: int
    exported: int
    held: dict[str, int] = field(default_factory=dict)  # reason label → rows, in HELD_ORDER
    ready_ids: tuple[str, ...] = ()

    @property
    def held_total(self) -> int:
        return sum(self.held.values())

    def message(self) -> str:
        text = f"送付できる行: {self.ready}件(確認済み・未送付)"
        if self.held_total:
            text += " / 送付できない行: " + "、".join(f"{k} {v}件" for k, v in self.held.items() if v)
        return text


def count_officer_figures(attempts: Iterable[dict], adjudications: Iterable[dict],
                          entered_by: dict[str, int]) -> dict[int, Counter]:
    """Per officer id: fields entered and verified, first-entry errors, verification mismatches and
    errors, adjudications (as CSPro reports keyer and verifier errors). An attempt or adjudication
    is a stored row; ``entered_by`` maps entry id to its 入力者."""
    counts: dict[int, Counter] = defaultdict(Counter)
    groups: dict[tuple[str, int, str], list[dict]] = defaultdict(list)
    for a in attempts:
        groups[(a["entry_id"], a["request_id"], a["column"])].append(a)
        if a["result"] != dual_entry.MATCH:
            counts[a["officer_id"]]["verification_mismatches"] += 1
    decisions = {(d["entry_id"], d["request_id"], d["column"]): d for d in adjudications}
    for d in decisions.values():
        counts[d["officer_id"]]["adjudications"] += 1
    for key, tries in groups.items():
        for officer in {a["officer_id"] for a in tries}:
            counts[officer]["fields_verified"] += 1
        decision = decisions.get(key)
        match = next((a for a in tries if a["result"] == dual_entry.MATCH), None)
        if decision is None and match is None:
            continue  # still open: mismatches counted, errors not yet known
        accepted = decision["chosen"] if decision else match["normalized"]
        first_officer = decision["first_officer_id"] if decision else entered_by.get(key[0])
        if first_officer is not None:
            counts[first_officer]["fields_entered"] += 1
            if decision is not None and decision["choice"] != "first":
                counts[first_officer]["first_entry_errors"] += 1
        for officer in {a["officer_id"] for a in tries if a["normalized"] != accepted}:
            counts[officer]["verification_errors"] += 1
    return counts
