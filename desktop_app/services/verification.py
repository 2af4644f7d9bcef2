"""Blind second entry (確認入力), adjudication (判定) and the figures that follow from them.

The shape follows CSPro's verify mode, with a third officer deciding as REDCap's Reviewer does:

* a different officer re-types each double-entered column without ever being shown the first
  value; a mismatch is reported as "does not match" and nothing else;
* equal after the column's named normalisation → that column is verified; the row is verified
  when every double-entered column is;
* the same differing value typed twice (or ``MAX_MISMATCHES`` differing values) → the row goes to
  adjudication, where an officer who typed neither value compares both, chooses, and gives a reason.

Every typed value, attempt and decision is appended to the audit log in the transaction that
records it. The verifier and adjudicator arrive here already authenticated (OfficerService).
"""
from __future__ import annotations

import datetime as dt
import logging
from collections import Counter
from collections.abc import Callable

from desktop_app import case_types, dual_entry
from desktop_app.entry import STATUS_LABELS, Entry, Status
from desktop_app.forms import Column
from desktop_app.normalize import normalize_account_id, normalize_display_text
from desktop_app.services.entries import EntryService
from desktop_app.services.errors import AuthError, NotAllowed, ServiceError
from desktop_app.services.officers import Officer, OfficerService
from desktop_app.services.settings_service import SettingsService
from desktop_app.services.verification_results import (  # noqa: F401  (callers import them from here too)
    HELD_AWAITING, HELD_CONFLICT, HELD_DRAFT, HELD_ERRORS, HELD_ORDER, HELD_RETURNED, Attempt, ConflictCase,
    ExportReadiness, OfficerStats, Outcome, VerificationTask, count_officer_figures)
from desktop_app.storage.audit_repo import AuditRepo
from desktop_app.storage.database import Database
from desktop_app.storage.entries_repo import EntriesRepo
from desktop_app.storage.verification_repo import VerificationRepo
from desktop_app.validation import account_id_issues
from desktop_app.wareki import format_wareki

log = logging.getLogger(__name__)

MAX_REASON = 500
MATCH, MISMATCH, REPEAT, LIMIT = dual_entry.MATCH, dual_entry.MISMATCH, dual_entry.REPEAT, dual_entry.LIMIT

# Column states within the current request
PENDING, VERIFIED, CONFLICT, ADJUDICATED = "pending", "verified", "conflict", "adjudicated"


# Which stored fields hold a column's value, so an edit by someone else makes them a party.
_STORED_KEYS = {"account_id": ("account_id", "account_id_raw")}


def _now() -> str:
    return dt.datetime.now().astimezone().isoformat(timespec="seconds")


class VerificationService:
    def __init__(self, database: Database, entries: EntryService, settings: SettingsService,
                 officers: OfficerService):
        self._db = database
        self._entries = entries
        self._settings = settings
        self._officers = officers
        self._repo = VerificationRepo(database)
        self._rows = EntriesRepo(database)
        self._audit = AuditRepo(database)

    # ---- which columns --------------------------------------------------------------------
    def columns(self) -> tuple[Column, ...]:
        """The double-entered columns: the form decides, the setting adds the optional ones."""
        return self._entries.double_entry_columns()

    def _column(self, key: str) -> Column:
        for c in self.columns():
            if c.key == key:
                return c
        raise ServiceError(f"列「{key}」は確認入力の対象ではありません")

    @staticmethod
    def _kind(col: Column) -> str:
        return "account_id" if col.kind == "account_id" else "text"

    @staticmethod
    def _first_raw(entry: Entry, col: Column) -> str:
        if col.key == "account_id":
            return entry.account_id_raw or entry.account_id or ""
        return getattr(entry, col.key) or ""

    def _entry(self, entry: Entry | str) -> Entry:
        return self._entries.get(entry if isinstance(entry, str) else entry.id)

    # ---- state ----------------------------------------------------------------------------
    def column_states(self, entry: Entry | str) -> dict[str, str]:
        entry = self._entry(entry)
        req = self._repo.current_request(entry.id)
        states = {}
        for col in self.columns():
            attempts = self._repo.attempts(entry.id, req, col.key)
            if self._repo.adjudications(entry.id, req, col.key):
                states[col.key] = ADJUDICATED
            elif any(a["result"] == MATCH for a in attempts):
                states[col.key] = VERIFIED
            elif any(a["result"] in (REPEAT, LIMIT) for a in attempts):
                states[col.key] = CONFLICT
            else:
                states[col.key] = PENDING
        return states

    def pending_columns(self, entry: Entry | str) -> tuple[Column, ...]:
        states = self.column_states(entry)
        return tuple(c for c in self.columns() if states[c.key] == PENDING)

    def conflict_columns(self, entry: Entry | str) -> tuple[Column, ...]:
        states = self.column_states(entry)
        return tuple(c for c in self.columns() if states[c.key] == CONFLICT)

    def first_entry_officers(self, entry: Entry) -> set[int]:
        """The 入力者 and everyone who changed a double-entered value: none of them may verify it."""
        keys = set()
        for col in self.columns():
            keys.update(_STORED_KEYS.get(col.key, (col.key,)))
        who = {entry.entered_by}
        for r in self._audit.rows(entity_id=entry.id, action_prefix="entry."):
            after = r["detail"].get("after") if r["action"] == "entry.update" else None
            if after and keys & set(after) and r["officer_id"] is not None:
                who.add(r["officer_id"])
        # an adjudicator who typed a value of their own is its first entrant
        who.update(d["officer_id"] for d in self._repo.adjudications_for(entry.id) if d["choice"] == "other")
        return who

    def _verifiers(self, entry: Entry) -> set[int]:
        req = self._repo.current_request(entry.id)
        return {a["officer_id"] for a in self._repo.attempts(entry.id, req)}

    def _refuse(self, action: str, officer: Officer, entry: Entry, message: str, exc=NotAllowed):
        """Refusals are evidence too (someone tried to verify their own row): log, then raise."""
        with self._db.transaction():
            self._audit.append(action, officer_id=officer.id, entity="entry", entity_id=entry.id,
                               detail={"reason": message})
        raise exc(message)

    def _check_verifier(self, entry: Entry, verifier: Officer) -> None:
        if not verifier.active:
            self._refuse("verify.refused", verifier, entry, "この職員は無効になっています", AuthError)
        if verifier.id in self.first_entry_officers(entry):
            self._refuse("verify.refused", verifier, entry,
                         "入力者は確認者になれません。別の職員が自分の暗証番号で確認してください", AuthError)
        if entry.status not in (Status.AWAITING, Status.CONFLICT) or not self.pending_columns(entry):
            self._refuse("verify.refused", verifier, entry,
                         f"この行は{STATUS_LABELS[entry.status]}のため確認入力できません")

    # ---- what the verifier sees -----------------------------------------------------------
    def _shown(self, entry: Entry, hidden: set[str]) -> tuple[tuple[str, str], ...]:
        form = self._entries.form
        out = [(form.column("number").label, str(entry.position))]
        for key in ("user_name", "organization"):
            label = form.column(key).label
            out.append((label, "(確認入力してください)" if key in hidden else (getattr(entry, key) or "")))
        ct = case_types.label(entry.case_type, entry.refinement) if entry.case_type else ""
        out.append((form.column("case_type").label, ct))
        date = format_wareki(entry.recognized_on) if entry.recognized_on else (entry.recognized_on_text or "")
        out.append((form.column("recognized_on").label, date))
        return tuple(out)

    def queue(self, verifier: Officer | None = None) -> list[Entry]:
        """Rows waiting for a blind second entry (that this verifier may do), in form order."""
        rows = self._entries.list(statuses=(Status.AWAITING, Status.CONFLICT))
        out = []
        for e in rows:
            if not self.pending_columns(e):
                continue
            if verifier is not None and verifier.id in self.first_entry_officers(e):
                continue
            out.append(e)
        return out

    def conflicts(self) -> list[Entry]:
        return [e for e in self._entries.list(statuses=(Status.CONFLICT,)) if self.conflict_columns(e)]

    def start(self, entry: Entry | str, verifier: Officer) -> VerificationTask:
        """Open a row for blind re-typing; refuses the 入力者 and rows not awaiting verification."""
        entry = self._entry(entry)
        self._check_verifier(entry, verifier)
        pending = self.pending_columns(entry)
        with self._db.transaction():
            self._audit.append("verify.start", officer_id=verifier.id, entity="entry", entity_id=entry.id,
                               detail={"columns": [c.key for c in pending],
                                       "request": self._repo.current_request(entry.id)})
        return VerificationTask(entry.id, entry.position, self._shown(entry, {c.key for c in pending}), pending)

    # ---- the blind second entry -----------------------------------------------------------
    def submit(self, entry: Entry | str, verifier: Officer, column: str, typed: str) -> Outcome:
        entry = self._entry(entry)
        self._check_verifier(entry, verifier)
        col = self._column(column)
        if self.column_states(entry)[col.key] != PENDING:
            raise NotAllowed(f"{col.label}はすでに確認済みか判定待ちです")
        kind = self._kind(col)
        typed = "" if typed is None else str(typed)
        normalized = dual_entry.normalizer(kind)(typed)
        if not normalized:
            raise ServiceError(f"{col.label}を入力してください")  # not an attempt: nothing was typed
        req = self._repo.current_request(entry.id)
        prior = self._repo.attempts(entry.id, req, col.key)
        first_raw = self._first_raw(entry, col)
        cmp = dual_entry.compare(first_raw, typed, kind)
        earlier_wrong = [a["normalized"] for a in prior if a["result"] == MISMATCH]
        result = dual_entry.classify_attempt(first_raw, typed, earlier_wrong, kind)
        now = _now()
        number = len(prior) + 1
        with self._db.transaction():
            self._repo.add_attempt({
                "entry_id": entry.id, "request_id": req, "column": col.key, "officer_id": verifier.id,
                "typed_raw": typed, "normalized": normalized, "attempt": number, "result": result, "at": now,
            })
            detail = {"column": col.key, "attempt": number, "typed_raw": typed, "normalized": normalized,
                      "result": result, "request": req}
            if result == MATCH and cmp.raw_differences:
                # equal after normalisation, but the typed texts differed: say how, never hide it
                detail["raw_differences"] = [d.description for d in cmp.raw_differences]
            self._audit.append("verify.attempt", officer_id=verifier.id, entity="entry", entity_id=entry.id,
                               detail=detail)
            if result == MATCH:
                if earlier_wrong:
                    self._audit.append("verify.slip_corrected", officer_id=verifier.id, entity="entry",
                                       entity_id=entry.id,
                                       detail={"column": col.key, "mismatched": earlier_wrong, "request": req})
                self._settle(entry, verifier, now)
                outcome = Outcome.MATCH
            elif result in (REPEAT, LIMIT):
                self._rows.update(entry.id, {"status": Status.CONFLICT.value, "updated_at": now})
                self._audit.append("verify.conflict", officer_id=verifier.id, entity="entry", entity_id=entry.id,
                                   detail={"column": col.key, "why": result, "request": req,
                                           "status_before": entry.status.value})
                outcome = Outcome.CONFLICT
            else:
                outcome = Outcome.MISMATCH_RETRY
        log.info("verify %s %s attempt %d: %s", entry.id, col.key, number, result)
        return outcome

    def _settle(self, entry: Entry, officer: Officer, now: str) -> None:
        """After a column is resolved: verified when none is left, else awaiting or conflict."""
        states = self.column_states(entry)
        if all(s in (VERIFIED, ADJUDICATED) for s in states.values()):
            self._rows.update(entry.id, {"status": Status.VERIFIED.value, "verified_by": officer.id,
                                         "verified_at": now, "updated_at": now})
            self._audit.append("verify.verified", officer_id=officer.id, entity="entry", entity_id=entry.id,
                               detail={"columns": states, "request": self._repo.current_request(entry.id)})
        else:
            status = Status.CONFLICT if CONFLICT in states.values() else Status.AWAITING
            if status != entry.status:
                self._rows.update(entry.id, {"status": status.value, "updated_at": now})

    # ---- adjudication ---------------------------------------------------------------------
    def _check_adjudicator(self, entry: Entry, adjudicator: Officer, col: Column) -> None:
        if not adjudicator.active:
            self._refuse("verify.adjudication_refused", adjudicator, entry, "この職員は無効になっています", AuthError)
        if entry.status != Status.CONFLICT or self.column_states(entry).get(col.key) != CONFLICT:
            raise NotAllowed(f"この行の{col.label}は判定待ちではありません")
        if not self._settings.get("adjudicator_may_be_party"):
            if adjudicator.id in self.first_entry_officers(entry) | self._verifiers(entry):
                self._refuse("verify.adjudication_refused", adjudicator, entry,
                             "この行の入力者・確認者は判定できません。別の職員(第三者)が判定してください",
                             AuthError)

    def open_conflict(self, entry: Entry | str, adjudicator: Officer, column: str | None = None) -> ConflictCase:
        """Both values, for an eligible adjudicator; opening them is logged."""
        entry = self._entry(entry)
        cols = self.conflict_columns(entry)
        if not cols:
            raise NotAllowed("この行に判定待ちの項目はありません")
        col = self._column(column) if column else cols[0]
        self._check_adjudicator(entry, adjudicator, col)
        case = self._case(entry, col)
        with self._db.transaction():
            self._audit.append("verify.adjudication_opened", officer_id=adjudicator.id, entity="entry",
                               entity_id=entry.id, detail={"column": col.key})
        return case

    def _case(self, entry: Entry, col: Column) -> ConflictCase:
        req = self._repo.current_request(entry.id)
        attempts = self._repo.attempts(entry.id, req, col.key)
        second = next((a for a in reversed(attempts) if a["result"] in (REPEAT, LIMIT)), attempts[-1])
        first_raw = self._first_raw(entry, col)
        kind = self._kind(col)
        return ConflictCase(
            entry_id=entry.id, position=entry.position, column=col,
            first_raw=first_raw, second_raw=second["typed_raw"],
            first_officer=self._label(entry.entered_by), second_officer=self._label(second["officer_id"]),
            comparison=dual_entry.compare(first_raw, second["typed_raw"], kind),
            attempts=tuple(Attempt(self._label(a["officer_id"]), a["attempt"], a["typed_raw"], a["result"], a["at"])
                           for a in attempts),
            first_features=tuple(dual_entry.raw_features(first_raw)),
            second_features=tuple(dual_entry.raw_features(second["typed_raw"])),
            shown=self._shown(entry, set()),
        )

    def adjudicate(self, entry: Entry | str, adjudicator: Officer, column: str, chosen_value: str,
                   reason: str) -> Entry:
        """Decide a conflicting column: write the value, log who/when/which/why, settle the row."""
        entry = self._entry(entry)
        col = self._column(column)
        self._check_adjudicator(entry, adjudicator, col)
        reason = (reason or "").strip()
        if not reason:
            raise ServiceError("判定の理由を入力してください(例: 被害者のスクリーンショットで確認)")
        if len(reason) > MAX_REASON:
            raise ServiceError(f"理由は{MAX_REASON}文字以内にしてください")
        chosen_raw = "" if chosen_value is None else str(chosen_value).strip()
        kind = self._kind(col)
        if col.key == "account_id":
            errors = [i for i in account_id_issues(chosen_raw) if i.is_error]
            if errors:
                raise ServiceError("選んだアカウントIDは使えません: " + errors[0].message)
            stored = {"account_id_raw": chosen_raw, "account_id": normalize_account_id(chosen_raw)}
            chosen = stored["account_id"]
        else:
            value = normalize_display_text(chosen_raw)
            if col.required and not value:
                raise ServiceError(f"{col.label}を入力してください")
            if col.max_length and len(value) > col.max_length:
                raise ServiceError(f"{col.label}は{col.max_length}文字以内です")
            stored = {col.key: value or None}
            chosen = value
        case = self._case(entry, col)
        norm = dual_entry.normalizer(kind)
        if norm(chosen_raw) == case.comparison.first:
            choice = "first"
        elif norm(chosen_raw) == case.comparison.second:
            choice = "second"
        else:
            choice = "other"
        req = self._repo.current_request(entry.id)
        second_officer = next((a["officer_id"] for a in reversed(self._repo.attempts(entry.id, req, col.key))
                               if a["result"] in (REPEAT, LIMIT)), None)
        now = _now()
        before = {k: getattr(entry, k) for k in stored}
        with self._db.transaction():
            self._repo.add_adjudication({
                "entry_id": entry.id, "request_id": req, "column": col.key, "officer_id": adjudicator.id,
                "chosen_raw": chosen_raw, "chosen": chosen, "choice": choice, "first_raw": case.first_raw,
                "second_raw": case.second_raw, "first_officer_id": entry.entered_by,
                "second_officer_id": second_officer, "reason": reason, "at": now,
            })
            self._rows.update(entry.id, {**stored, "updated_at": now})
            self._audit.append("verify.adjudicate", officer_id=adjudicator.id, entity="entry", entity_id=entry.id,
                               detail={"column": col.key, "choice": choice, "chosen_raw": chosen_raw,
                                       "chosen": chosen, "first_raw": case.first_raw, "second_raw": case.second_raw,
                                       "before": before, "reason": reason, "request": req,
                                       "differences": case.comparison.descriptions(),
                                       "next": "reverify" if choice == "other" else "settle"})
            if choice == "other":
                # A value neither officer typed has been keyed by one person only: it needs its own
                # blind second entry before it may leave the station.
                new_req = self._repo.open_request(entry.id, adjudicator.id, now)
                self._rows.update(entry.id, {"status": Status.AWAITING.value, "verified_by": None,
                                             "verified_at": None})
                self._audit.append("verify.reverify", officer_id=adjudicator.id, entity="entry",
                                   entity_id=entry.id, detail={"column": col.key, "request": new_req})
            else:
                self._settle(self._entries.get(entry.id), adjudicator, now)
        log.info("adjudicated %s %s: %s", entry.id, col.key, choice)
        return self._entries.get(entry.id)

    # ---- figures --------------------------------------------------------------------------
    def _label(self, officer_id: int | None) -> str:
        if officer_id is None:
            return ""
        o = self._officers.get(officer_id)
        return o.label if o else f"職員#{officer_id}"

    def officer_stats(self) -> list[OfficerStats]:
        """Per officer, as CSPro reports keyer and verifier errors: where training should go."""
        entered_by = {r["id"]: r["entered_by"] for r in self._rows.all()}
        counts = count_officer_figures(self._repo.all_attempts(), self._repo.all_adjudications(), entered_by)
        out = []
        for o in self._officers.list(include_inactive=True):
            c = counts.get(o.id, Counter())
            out.append(OfficerStats(o.id, o.label, **{k: c[k] for k in (
                "fields_entered", "first_entry_errors", "fields_verified", "verification_mismatches",
                "verification_errors", "adjudications")}))
        return out

    # ---- export gate ----------------------------------------------------------------------
    def hold_reason(self, entry: Entry, has_errors: Callable[[Entry], bool] | None = None) -> str | None:
        """None when the row may be exported, else why not (下書き, 確認待ち, 判定待ち, エラーあり, 差戻し).

        ``has_errors`` lets a caller that has already validated the row (the entry screen) say so."""
        if entry.status == Status.EXPORTED:
            return None
        if (has_errors or self._entries.has_errors)(entry):
            return HELD_ERRORS
        return {Status.VERIFIED: None, Status.DRAFT: HELD_DRAFT, Status.AWAITING: HELD_AWAITING,
                Status.CONFLICT: HELD_CONFLICT, Status.RETURNED: HELD_RETURNED}[entry.status]

    def exportable(self) -> list[Entry]:
        """Verified, unexported rows without errors: the only rows an export may take."""
        return [e for e in self._entries.list(statuses=(Status.VERIFIED,))
                if e.exported_at is None and self.hold_reason(e) is None]

    def export_readiness(self, entries: list[Entry] | None = None,
                         has_errors: Callable[[Entry], bool] | None = None) -> ExportReadiness:
        held: Counter = Counter()
        ready, exported = [], 0
        for e in self._entries.list() if entries is None else entries:
            if e.status == Status.EXPORTED:
                exported += 1
                continue
            reason = self.hold_reason(e, has_errors)
            if reason is None:
                ready.append(e.id)
            else:
                held[reason] += 1
        return ExportReadiness(len(ready), exported, {k: held[k] for k in HELD_ORDER if held[k]}, tuple(ready))
