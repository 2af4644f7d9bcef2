"""Outcomes flowing back down: NPA → HQ → stations, as signed files of document kind ``outcomes``.

The NPA writes what the provider did with each requested row (one file for everyone, or one per
HQ unit); HQ imports it through its ordinary import pipeline (signature, trust list, same-file and
replay checks, receipt log) and writes the same kind of file for its stations. A receiver keeps only
the rows that are its own (row ids it holds: ``hq_rows`` at HQ, ``entries`` at a station), so a
national file can be passed down safely. The sheet shows people the outcome beside the 別添 columns;
the exact values travel in the signed metadata (``extra.outcomes``).
"""
from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from desktop_app.exchange.errors import ExchangeRefused, FileProblem
from desktop_app.exchange.workbook_writer import ColumnSpec
from desktop_app.hq.import_run import FileResult
from desktop_app.hq.importer import Importer
from desktop_app.hq.incoming import IncomingFile
from desktop_app.hq.outgoing import WrittenFile
from desktop_app.hq.statuses import IMPORTED
from desktop_app.npa.outcome_kinds import Outcome, label
from desktop_app.npa.provider_file import NpaWriter
from desktop_app.services.errors import ServiceError
from desktop_app.storage.audit_repo import AuditRepo
from desktop_app.storage.database import Database
from desktop_app.storage.outcomes_repo import OutcomesRepo
from desktop_app.wareki import format_wareki

log = logging.getLogger(__name__)

OUTCOMES_KIND = "outcomes"
# Dates beside the form's own are shown as 和暦 text (the exact ISO values travel in the metadata).
OUTCOME_COLUMNS = [ColumnSpec("outcome_label", "措置結果", "text", 12), ColumnSpec("outcome_on_text", "結果日", "text", 16),
                   ColumnSpec("requested_on_text", "依頼日", "text", 16), ColumnSpec("prefecture", "都道府県", "text", 10)]
CARRIED = ("row_id", "account_id", "account_id_raw", "user_name", "organization", "case_type", "refinement",
           "prefecture_code", "prefecture", "station", "recognized_on", "requested_on", "mistaken_on",
           "withdrawn_on", "outcome", "outcome_on")
MAX_ROWS = 500_000


@dataclass
class OutcomeExport:
    written: WrittenFile
    rows: int
    target_unit: str | None

    def to_json(self) -> dict[str, Any]:
        return {"path": str(self.written.path), "rows": self.rows, "target_unit": self.target_unit,
                "sequence": self.written.sequence, "file_hash": self.written.file_hash}


class OutcomeFileService:
    def __init__(self, database: Database, writer: NpaWriter, *, tier: str | None,
                 today: Callable[[], dt.date] = dt.date.today):
        self._db = database
        self._writer = writer
        self._tier = tier
        self._today = today
        self.repo = OutcomesRepo(database)
        self._audit = AuditRepo(database)

    def recipients(self) -> dict[str, str]:
        """Units that sent us the requested rows: unit id → name (HQs at the NPA, stations at HQ)."""
        return {u: n or u for u, n in self.repo.requesting_units()}

    def _rows_for(self, target_unit: str | None) -> list[dict[str, Any]]:
        if target_unit is None:
            return self.repo.requests_with_outcomes()
        return self.repo.requests_with_outcomes(
            where="r.row_id IN (SELECT hr.row_id FROM hq_rows hr JOIN hq_files hf ON hf.id = hr.file_id "
                  "WHERE hf.unit_id = ?)", args=[target_unit])

    def export(self, out: str | Path, *, officer_id: int | None, target_unit: str | None = None) -> OutcomeExport:
        rows = self._rows_for(target_unit)
        if not rows:
            raise ServiceError("送る措置結果がありません(事業者への依頼がまだありません)")
        sheet_rows, carried = [], []
        for n, r in enumerate(rows, start=1):
            data = {k: r.get(k) for k in CARRIED}
            carried.append(data)
            sheet_rows.append({
                "row_id": r["row_id"], "number": n, "account_id": r["account_id"], "account_id_raw": r["account_id_raw"],
                "user_name": r["user_name"], "organization": r["organization"], "case_type": r["case_type"],
                "refinement": r["refinement"], "station": r["station"], "recognized_on": r["recognized_on"],
                "prefecture": r["prefecture"], "requested_on": r["requested_on"],
                "requested_on_text": format_wareki(r["requested_on"]),
                "outcome_label": label(r.get("outcome")) if not r.get("mistaken_on") else "取下げ(誤依頼)",
                "outcome_on": r.get("outcome_on"), "outcome_on_text": format_wareki(r.get("outcome_on")),
            })
        written = self._writer.write_document(
            Path(out), kind=OUTCOMES_KIND, rows=sheet_rows, extra_columns=OUTCOME_COLUMNS,
            title="LINE WORKSの犯行利用アカウント情報(措置結果)", target_unit=target_unit,
            metadata={"outcomes": carried, "as_of": self._today().isoformat()})
        with self._db.transaction():
            self.repo.add_file(written.batch_id, OUTCOMES_KIND, created_at=dt.datetime.now().astimezone().isoformat(timespec="seconds"),
                               file_name=Path(out).name, sha256=written.file_hash, rows=len(rows),
                               detail={"target_unit": target_unit})
            self._audit.append("outcomes.export", officer_id=officer_id, entity="provider_file", entity_id=written.batch_id,
                               detail={"rows": len(rows), "target_unit": target_unit, "file": Path(out).name})
        return OutcomeExport(written, len(rows), target_unit)

    def export_per_recipient(self, out_dir: str | Path, *, officer_id: int | None) -> list[OutcomeExport]:
        out_dir = Path(out_dir)
        out_dir.mkdir(parents=True, exist_ok=True)
        stamp = self._today().strftime("%Y%m%d")
        done = []
        for unit, name in self.recipients().items():
            safe = "".join(ch for ch in name if ch.isalnum() or ch in "-_") or unit
            done.append(self.export(out_dir / f"措置結果_{stamp}_{safe}.xlsx", officer_id=officer_id, target_unit=unit))
        if not done:
            raise ServiceError("措置結果を送る先がありません")
        return done


def own_row_ids(database: Database, tier: str, row_ids: Sequence[str]) -> set[str]:
    """Which of ``row_ids`` this unit holds (it keeps only outcomes of its own requests)."""
    return OutcomesRepo(database).held_row_ids("entries" if tier == "station" else "hq_rows", row_ids)


def apply_outcomes_file(database: Database, doc: IncomingFile, tier: str, officer_id: int | None) -> int:
    """Store the outcomes of this unit's own rows; call inside the import's transaction."""
    name = doc.path.name
    items = (doc.metadata or {}).get("outcomes")
    if not isinstance(items, list) or len(items) > MAX_ROWS or not all(isinstance(i, dict) for i in items):
        raise ExchangeRefused(name, [FileProblem(name, "措置結果の管理情報が読めません")], signed=True)
    valid = {o.value for o in Outcome}
    for n, item in enumerate(items, start=1):
        if not item.get("row_id") or not item.get("account_id") or not item.get("requested_on") \
                or (item.get("outcome") not in (None, *valid)):
            raise ExchangeRefused(name, [FileProblem(name, f"措置結果の{n}件目が不正です", row=n)], signed=True)
    mine = own_row_ids(database, tier, [i["row_id"] for i in items])
    repo = OutcomesRepo(database)
    kept = [i for i in items if i["row_id"] in mine]
    repo.upsert_requests([{**{k: i.get(k) for k in CARRIED if k not in ("outcome", "outcome_on")},
                           "received_from": doc.file_hash} for i in kept])
    recorded_at = dt.datetime.now().astimezone().isoformat(timespec="seconds")
    for acc in {i["account_id"]: i for i in kept}.values():
        if acc.get("outcome"):
            repo.set_outcome(acc["account_id"], acc["outcome"], acc.get("outcome_on"), recorded_at=recorded_at,
                             recorded_by=officer_id, source=f"file:{doc.file_hash[:16]}")
    AuditRepo(database).append("outcomes.import", officer_id=officer_id, entity="file", entity_id=doc.file_hash,
                               detail={"file": name, "rows": len(items), "own_rows": len(kept), "from": doc.unit_id})
    return len(kept)


class OutcomesAwareImporter(Importer):
    """HQ's importer that also accepts signed ``outcomes`` files (at HQ from the NPA, at a station from HQ).

    Everything else — same-file check, reader, signature and trust, replay, receipt log — is the
    base pipeline's; only the kind check and the row handling differ for this kind.
    """

    @classmethod
    def from_importer(cls, base: Importer) -> "OutcomesAwareImporter":
        # Adopt a fully built importer (HqServices.importer()) instead of repeating its wiring here.
        imp = cls.__new__(cls)
        imp.__dict__.update(base.__dict__)
        return imp

    def _refusal(self, doc: IncomingFile) -> str | None:
        if doc.kind != OUTCOMES_KIND:
            return super()._refusal(doc)
        if not doc.signed:
            return "署名のない措置結果ファイルは取り込めません"
        if self.tier not in ("hq", "station"):
            return "措置結果ファイルは本部と警察署で取り込むファイルです"
        if doc.target_unit and self._unit_id and doc.target_unit != self._unit_id:
            return "このファイルは別の所属あてです。取り込めません"
        if doc.sequence is not None and doc.unit_id:
            last = self._repo.last_file(doc.unit_id)
            if last and last["sequence"] is not None and doc.sequence <= last["sequence"]:
                return f"通し番号{doc.sequence}は受信済みの番号({last['sequence']})以下です。取り込みません"
        return None

    def _import_outcomes(self, doc: IncomingFile, res: FileResult, officer_id: int | None) -> None:
        now = dt.datetime.now().astimezone().isoformat(timespec="seconds")
        with self._db.transaction():
            file_id = self._repo.insert_file({
                "file_hash": doc.file_hash, "file_name": doc.path.name, "kind": doc.kind, "unit_id": doc.unit_id,
                "unit_name": doc.unit_name, "key_id": doc.key_id, "sequence": doc.sequence, "batch_id": doc.batch_id,
                "prefecture_code": doc.prefecture_code, "signed": 1, "status": IMPORTED, "rows": len(doc.rows),
                "received_at": now, "received_on": self._today().isoformat(),
            })
            res.file_id = file_id
            res.rows_imported = apply_outcomes_file(self._db, doc, self.tier, officer_id)
            if not res.rows_imported:
                res.warnings.append("この所属からの依頼にあたる行はありませんでした")
            res.status = IMPORTED
            self._log_receipt(res, doc.path, doc, detail={"file_id": file_id})

    def _import_at_hq(self, doc, res, officer_id, station_names) -> None:
        if doc.kind == OUTCOMES_KIND:
            return self._import_outcomes(doc, res, officer_id)
        return super()._import_at_hq(doc, res, officer_id, station_names)

    def _import_at_station(self, doc, res, officer_id) -> None:
        if doc.kind == OUTCOMES_KIND:
            return self._import_outcomes(doc, res, officer_id)
        return super()._import_at_station(doc, res, officer_id)
