"""Entering, editing and deleting rows of the 別添 form; every change is written and audited at once."""
from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from desktop_app import case_types
from desktop_app.entry import DELETABLE, EDITABLE, STATUS_LABELS, Entry, Status
from desktop_app.forms import LINE_WORKS, FormDefinition
from desktop_app.normalize import normalize_account_id, normalize_display_text
from desktop_app.services.errors import NotAllowed, ServiceError
from desktop_app.services.settings_service import SettingsService
from desktop_app.services.stations import StationService
from desktop_app.storage.audit_repo import AuditRepo
from desktop_app.storage.database import Database
from desktop_app.storage.entries_repo import EntriesRepo
from desktop_app.storage.verification_repo import VerificationRepo
from desktop_app.validation import Issue, has_errors, validate_row
from desktop_app.wareki import WarekiError, parse_date

log = logging.getLogger(__name__)

MAX_PASTE_ROWS = 5000


def _now() -> str:
    return dt.datetime.now().astimezone().isoformat(timespec="seconds")


class EntryService:
    def __init__(self, database: Database, settings: SettingsService, stations: StationService,
                 form: FormDefinition = LINE_WORKS, today: Callable[[], dt.date] = dt.date.today):
        self._db = database
        self._repo = EntriesRepo(database)
        self._audit = AuditRepo(database)
        self._settings = settings
        self._stations = stations
        self.form = form
        self._today = today

    # ---- reading -------------------------------------------------------------------------
    def list(self, *, statuses: Sequence[Status] | None = None) -> list[Entry]:
        return [Entry.from_row(r) for r in self._repo.all(statuses=tuple(statuses) if statuses else None)]

    def get(self, entry_id: str) -> Entry:
        row = self._repo.get(entry_id)
        if row is None:
            raise ServiceError("行が見つかりません(削除された可能性があります)")
        return Entry.from_row(row)

    def station_names(self) -> set[str] | None:
        code = self._settings.get("prefecture_code")
        if not code:
            return None
        names = self._stations.known_names(code)
        return names or None

    def issues(self, entry: Entry) -> list[Issue]:
        return validate_row(entry.values(), stations=self.station_names(), today=self._today(), form=self.form)

    def default_station(self) -> str | None:
        return self._settings.get("station_name")

    # ---- writing -------------------------------------------------------------------------
    def create(self, officer_id: int, values: Mapping[str, Any] | None = None) -> Entry:
        with self._db.transaction():
            entry = self._create(officer_id, values or {})
        return entry

    def _create(self, officer_id: int, values: Mapping[str, Any]) -> Entry:
        now = _now()
        row: dict[str, Any] = {
            "id": str(uuid.uuid4()), "form": self.form.key, "position": self._repo.next_position(),
            "status": Status.DRAFT.value, "entered_by": officer_id, "created_at": now, "updated_at": now,
            "station": self.default_station(),
        }
        for key, value in values.items():
            row.update(self._field_values(key, value))
        self._repo.insert(row)
        self._audit.append("entry.create", officer_id=officer_id, entity="entry", entity_id=row["id"],
                           detail={k: v for k, v in row.items() if k not in ("id", "created_at", "updated_at")})
        return Entry.from_row(row)

    def update(self, officer_id: int, entry_id: str, values: Mapping[str, Any]) -> Entry:
        with self._db.transaction():
            entry = self._update(officer_id, entry_id, values)
        return entry

    def _update(self, officer_id: int, entry_id: str, values: Mapping[str, Any]) -> Entry:
        entry = self.get(entry_id)
        if entry.status not in EDITABLE:
            raise NotAllowed(f"{STATUS_LABELS[entry.status]}の行は変更できません")
        new: dict[str, Any] = {}
        for key, value in values.items():
            new.update(self._field_values(key, value))
        before = {k: getattr(entry, k) for k in new}
        changed = {k: v for k, v in new.items() if before[k] != v}
        if not changed:
            return entry
        changed["updated_at"] = _now()
        # The blind second entry checked the old value of every double-entered column (the ID,
        # and the names when that setting is on); a new value needs a new check. The raw ID alone
        # changing (same ID typed full-width) does not change what is exported.
        checked = {c.key for c in self.double_entry_columns()}
        value_changed = any(k in changed for k in checked)
        verification = None
        if entry.status in (Status.AWAITING, Status.CONFLICT, Status.VERIFIED):
            verification = "kept"
            if value_changed:
                verification = "reset"
                changed.update(status=Status.DRAFT.value, verified_by=None, verified_at=None)
        self._repo.update(entry_id, changed)
        detail = {"before": before, "after": {k: changed[k] for k in before if k in changed},
                  "status_before": entry.status.value, "status_after": changed.get("status", entry.status.value)}
        if verification:
            detail["verification"] = verification  # "kept": a verified row edited outside checked columns
        self._audit.append("entry.update", officer_id=officer_id, entity="entry", entity_id=entry_id, detail=detail)
        return self.get(entry_id)

    def delete(self, officer_id: int, entry_id: str) -> None:
        entry = self.get(entry_id)
        if entry.status not in DELETABLE:
            raise NotAllowed(f"{STATUS_LABELS[entry.status]}の行は削除できません")
        with self._db.transaction():
            self._repo.delete(entry_id)
            self._audit.append("entry.delete", officer_id=officer_id, entity="entry", entity_id=entry_id,
                               detail={k: v for k, v in vars(entry).items() if k != "id"})

    def mark_ready(self, officer_id: int, entry_id: str) -> Entry:
        """The first entry is complete: hand the row to a second officer for blind verification."""
        entry = self.get(entry_id)
        if entry.status not in (Status.DRAFT, Status.RETURNED):
            raise NotAllowed(f"{STATUS_LABELS[entry.status]}の行は確認依頼にできません")
        problems = [i for i in self.issues(entry) if i.is_error]
        if problems:
            raise NotAllowed("エラーのある行は確認依頼にできません: " + problems[0].message)
        with self._db.transaction():
            now = _now()
            # A fresh blind check: attempts made against earlier values no longer count.
            request = VerificationRepo(self._db).open_request(entry_id, officer_id, now)
            self._repo.update(entry_id, {"status": Status.AWAITING.value, "updated_at": now,
                                         "verified_by": None, "verified_at": None})
            self._audit.append("entry.ready", officer_id=officer_id, entity="entry", entity_id=entry_id,
                               detail={"request": request})
        return self.get(entry_id)

    def paste(self, officer_id: int, start_entry_id: str | None, start_column: str,
              rows: Sequence[Sequence[str]]) -> list[Entry]:
        """Fill cells from a block copied in Excel, starting at a row and column; new rows as needed.

        One transaction: a block that cannot be written at all leaves nothing behind.
        """
        if len(rows) > MAX_PASTE_ROWS:
            raise ServiceError(f"一度に貼り付けられるのは{MAX_PASTE_ROWS}行までです")
        keys = [c.key for c in self.form.data_columns]
        if start_column not in keys:
            raise ServiceError("この列には貼り付けられません")
        first = keys.index(start_column)
        existing = self.list()
        index = next((i for i, e in enumerate(existing) if e.id == start_entry_id), len(existing))
        touched: list[Entry] = []
        with self._db.transaction():
            for offset, cells in enumerate(rows):
                values = {keys[first + j]: cell for j, cell in enumerate(cells) if first + j < len(keys)}
                target = existing[index + offset] if index + offset < len(existing) else None
                if target is not None and target.status in EDITABLE:
                    touched.append(self._update(officer_id, target.id, values))
                else:
                    touched.append(self._create(officer_id, values))
        return touched

    def _field_values(self, key: str, value: Any) -> dict[str, Any]:
        text = "" if value is None else str(value)
        if key == "account_id":
            raw = text.strip()
            return {"account_id_raw": raw or None, "account_id": normalize_account_id(raw) or None}
        if key in ("user_name", "organization", "station"):
            return {key: normalize_display_text(text) or None}
        if key == "case_type":
            parsed = case_types.parse_label(text)
            if parsed is None:
                return {"case_type": text.strip() or None, "refinement": None}
            return {"case_type": parsed[0], "refinement": parsed[1]}
        if key == "recognized_on":
            raw = text.strip()
            if isinstance(value, (dt.date, dt.datetime)):
                raw = value.isoformat()[:10]
            try:
                iso = parse_date(raw, today=self._today()).isoformat() if raw else None
            except WarekiError:
                iso = None
            return {"recognized_on": iso, "recognized_on_text": raw or None}
        raise ServiceError(f"列「{key}」はありません")

    def double_entry_columns(self):
        """Columns a second officer re-types blind (the names too when ``double_entry_names`` is on)."""
        return self.form.double_entry_columns(optional_on=bool(self._settings.get("double_entry_names")))

    def has_errors(self, entry: Entry) -> bool:
        return has_errors(self.issues(entry))
