"""Station export: the verified, not yet exported rows → one signed 別添 workbook for HQ.

``ExportService.preview()`` tells what would go and what is held back (and why);
``export(path, officer_id)`` writes the file and marks the rows 送付済み (status exported, with the
export id and time) in the same transaction that takes the sequence number: if writing fails
nothing is marked, if marking fails the written file is removed. ``export(..., test=True)`` writes a
試験送付 (document kind ``test``) with sample rows clearly marked 試験 and changes no row; a receiver
verifies it and reports the result without importing anything.

Test shortcut (until dual entry lands): tests make rows verified with
``EntriesRepo.update(id, {"status": "verified", "verified_by": …, "verified_at": …})`` — see
``tests/exchange_helpers.py``.
"""
from __future__ import annotations

import datetime as dt
import logging
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from desktop_app.entry import STATUS_LABELS, Entry, Status
from desktop_app.exchange.writer import OutgoingDocument, WrittenFile, write_exchange_file
from desktop_app.services.errors import NotAllowed, ServiceError
from desktop_app.services.trust import KeyService
from desktop_app.storage.audit_repo import AuditRepo
from desktop_app.storage.entries_repo import EntriesRepo
from desktop_app.storage.keys_repo import KeysRepo

log = logging.getLogger(__name__)

TEST_ROWS = 3


@dataclass
class ExportPreview:
    ready: list[Entry]
    held_back: list[tuple[Entry, str]] = field(default_factory=list)  # (row, reason)


@dataclass
class ExportResult:
    written: WrittenFile
    exported: int
    held_back: int
    export_id: str
    test: bool = False


def test_rows(unit_station: str | None, today: dt.date) -> list[dict]:
    """Sample rows for a 試験送付: obviously fake and marked 試験 in every text column."""
    return [{"id": f"test-{n}", "account_id": f"shiken-{n:02d}@teishi-test", "account_id_raw": f"shiken-{n:02d}@teishi-test",
             "user_name": f"試験 {n}", "organization": "試験(実在しません)", "case_type": "特殊詐欺",
             "refinement": None, "station": unit_station or "試験", "recognized_on": today.isoformat()}
            for n in range(1, TEST_ROWS + 1)]


class ExportService:
    def __init__(self, ctx, keys: KeyService):
        self._ctx = ctx
        self._db = ctx.database
        self._entries = EntriesRepo(ctx.database)
        self._keys_repo = KeysRepo(ctx.database)
        self._audit = AuditRepo(ctx.database)
        self.keys = keys

    def preview(self) -> ExportPreview:
        """What an export takes and holds back: the rule is the verification service's export gate
        (one rule for the screen's count and for the file); here it is told with its detail."""
        preview = ExportPreview(ready=[])
        for entry in self._ctx.entries.list():
            if entry.status == Status.EXPORTED or entry.export_id:
                continue
            issues = self._ctx.entries.issues(entry)
            errors = [i for i in issues if i.is_error]
            reason = self._ctx.verification.hold_reason(entry, lambda _e: bool(errors))
            if reason is None:
                preview.ready.append(entry)
            elif errors:
                preview.held_back.append((entry, errors[0].message))
            else:
                preview.held_back.append((entry, f"{STATUS_LABELS[entry.status]}(確認済みの行だけを送付します)"))
        return preview

    def _identity(self):
        ident = self._ctx.setup.identity()
        if ident is None:
            raise ServiceError("先に初期設定(区分・都道府県・警察署)を行ってください")
        return ident

    def _staff_no(self, officer_id: int | None) -> str | None:
        if officer_id is None:
            return None
        officer = self._ctx.officers.get(officer_id)
        return officer.staff_no if officer else str(officer_id)

    def export(self, path: str | Path, officer_id: int | None = None, *, test: bool = False) -> ExportResult:
        ident = self._identity()
        path = Path(path)
        pref = ident.prefecture
        self.keys.ensure(ident)
        preview = self.preview()
        now = dt.datetime.now().astimezone()
        export_id = str(uuid.uuid4())
        if test:
            rows, entries = test_rows(ident.station_name, self._ctx.today()), []
        else:
            entries = preview.ready
            if not entries:
                raise NotAllowed("送付できる行(確認済みで未送付の行)がありません")
            rows = [self._row(e) for e in entries]
        written: WrittenFile | None = None
        try:
            with self.keys.store.secret_key() as sk, self._db.transaction():
                sequence = 0 if test else self._keys_repo.next_sequence()
                doc = OutgoingDocument(kind="test" if test else "station_export", unit_id=ident.unit_id,
                                       unit_name=ident.unit_name, tier=ident.tier, rows=rows, sequence=sequence,
                                       prefecture_code=ident.prefecture_code,
                                       prefecture_name=pref.name if pref else None, batch_id=export_id, created_at=now)
                written = write_exchange_file(path, doc, sk)
                stamp = now.isoformat(timespec="seconds")
                for e in entries:
                    self._entries.update(e.id, {"status": Status.EXPORTED.value, "exported_at": stamp,
                                                "export_id": export_id, "updated_at": stamp})
                self._keys_repo.add_export({"id": export_id, "kind": doc.kind, "sequence": sequence,
                                            "batch_id": export_id, "file_name": path.name, "sha256": written.sha256,
                                            "rows": len(rows), "test": int(test), "key_id": self.keys.info().key_id,
                                            "created_at": stamp, "created_by": officer_id})
                self._audit.append("export.test" if test else "export.write", officer_id=officer_id,
                                   entity="export", entity_id=export_id,
                                   detail={"file": path.name, "sha256": written.sha256, "sequence": sequence,
                                           "rows": [e.id for e in entries]})
        except BaseException:
            # The rows were not marked: a file claiming them must not be left behind to be sent.
            if written is not None:
                path.unlink(missing_ok=True)
            raise
        log.info("exported %d rows as %s (seq %s)", len(rows), path.name, sequence)
        return ExportResult(written, len(entries), len(preview.held_back), export_id, test)

    def _row(self, e: Entry) -> dict:
        return {"id": e.id, "account_id": e.account_id, "account_id_raw": e.account_id_raw, "user_name": e.user_name,
                "organization": e.organization, "case_type": e.case_type, "refinement": e.refinement,
                "station": e.station, "recognized_on": e.recognized_on, "recognized_on_text": e.recognized_on_text,
                "entered_by": self._staff_no(e.entered_by), "verified_by": self._staff_no(e.verified_by),
                "verified_at": e.verified_at}
