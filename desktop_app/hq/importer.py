"""The import pipeline: files, many files or folders → checked rows at HQ (or, at a station, HQ's
return files). The GUI, the CLI and the NPA tier call the same ``Importer.import_paths``.

Per file, in this order, stopping at the first refusal:
  1. same bytes already received            → already_imported (nothing imported)
  2. the exchange reader: zip checks, signature, trust list, prefecture, form reading
                                            → refused with the reader's problems
  3. signed: document kind expected at this tier; sequence not replayed (a gap is a warning)
  4. every row re-checked and duplicates found (shown, never dropped)
  5. one savepoint: file, rows, back-references on earlier duplicates, receipt log, audit
Every outcome, refusals included, is written to the hash-chained receipt log. Several files share
one transaction (see ``import_paths``): each is still all-or-nothing, and none is reported until
its batch has committed.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from desktop_app.exchange.errors import ExchangeRefused, FileProblem
from desktop_app.hq import checks
from desktop_app.hq.import_batch import FileBatch
from desktop_app.hq.import_run import CancelToken, FileResult, Progress, expand_paths
from desktop_app.hq.incoming import MISTAKEN_REQUEST, RETURN, STATION_EXPORT, IncomingFile, file_sha256
from desktop_app.hq.statuses import ALREADY_IMPORTED, CANCELLED, IMPORTED, NEEDS_CONFIRMATION, REFUSED, RowStatus
from desktop_app.os_errors import describe_os_error
from desktop_app.storage.audit_repo import AuditRepo
from desktop_app.storage.database import Database
from desktop_app.storage.receipt_repo import ReceiptRepo
from desktop_app.storage.received_repo import ReceivedRepo

log = logging.getLogger(__name__)

Reader = Callable[[Path, bytes, str], IncomingFile]  # (path, file bytes, sha256) → file, or ExchangeRefused
MAX_FILE_BYTES = 50 << 20


def _problem(path: Path, message: str, **where: Any) -> dict[str, Any]:
    return FileProblem(path.name, message, **where).to_dict()


class Importer:
    def __init__(self, database: Database, *, reader: Reader, tier: str, prefecture_code: str | None,
                 unit_id: str | None, stations: Callable[[], set[str] | None],
                 today: Callable[[], dt.date] = dt.date.today,
                 station_apply: Callable[[IncomingFile, int | None], int] | None = None,
                 on_mistaken: Callable[[IncomingFile, list[int], int | None], None] | None = None):
        self._db = database
        self._repo = ReceivedRepo(database)
        self._receipts = ReceiptRepo(database)
        self._audit = AuditRepo(database)
        self._reader = reader
        self.tier = tier
        self._prefecture = prefecture_code
        self._unit_id = unit_id
        self._stations = stations
        self._today = today
        self._station_apply = station_apply
        self._on_mistaken = on_mistaken
        self._dups = checks.DuplicateFinder(self._repo)
        self._after_commit: list[Callable[[], None]] = []
        # With a million received rows the indexes no longer fit SQLite's default 2 MiB page cache;
        # every insert then re-reads index pages. 64 MiB keeps them resident for this connection.
        database.set_page_cache(65536)
        # Each file's commit writes ~100 pages (20 random inserts into each of the account_id,
        # skeleton and row_id indexes); at the default of 1000 a checkpoint (with its fsyncs) ran
        # every ten files and cost more than the commits. 16,384 pages (64 MiB of WAL) checkpoints
        # every ~160 files and writes a page touched by several files once.
        database.set_wal_autocheckpoint(16384)

    # ---- the run ------------------------------------------------------------------------
    def import_paths(self, paths: Sequence[str | os.PathLike], *, officer_id: int | None = None,
                     progress: Progress | None = None, cancel: CancelToken | None = None) -> list[FileResult]:
        """Import every file; each one all-or-nothing (a savepoint), several per transaction.

        Committing once per file cost more than checking it, so files are grouped into one
        transaction (``import_batch.FileBatch``) that commits every few files or a quarter second, on cancel and at
        the end. A file that fails rolls back only its own savepoint. Results are returned only
        after their batch has committed; a crash before that loses no data, because the files it
        held are not recorded as received and simply import again next time.
        """
        files = expand_paths(paths)
        results: list[FileResult] = []
        station_names = self._stations()
        batch = FileBatch(self._db)
        pending_before_file = 0
        try:
            for n, path in enumerate(files):
                if cancel is not None and cancel.cancelled:
                    results += [FileResult(str(p), CANCELLED, warnings=["取り込みを中止しました(このファイルは未処理です)"])
                                for p in files[n:]]
                    break
                if progress:
                    progress(n, len(files), str(path))
                batch.begin()
                pending_before_file = len(self._after_commit)
                with self._db.transaction():  # the file's savepoint
                    results.append(self.import_file(path, officer_id=officer_id, station_names=station_names))
                if batch.due():
                    self._commit(batch)
            self._commit(batch)
        except BaseException:
            # The failing file's savepoint is already rolled back; the files before it are complete.
            del self._after_commit[pending_before_file:]  # the failing file's own follow-up work
            landed = batch.close_after_error()
            pending, self._after_commit = self._after_commit, []
            if landed:  # a station's 誤依頼 report that did land still goes on to the NPA at once
                for action in pending:
                    action()
            raise
        if progress:
            progress(len(files), len(files), "")
        return results

    def _commit(self, batch: "FileBatch") -> None:
        batch.commit()
        pending, self._after_commit = self._after_commit, []
        for action in pending:  # work that must only follow data that has landed (reports to the NPA)
            action()

    def import_file(self, path: Path, *, officer_id: int | None = None,
                    station_names: set[str] | None = None) -> FileResult:
        path = Path(path)
        res = FileResult(str(path), REFUSED)
        try:
            if not path.is_file():
                res.errors.append(_problem(path, "ファイルが見つかりません" if not path.exists() else
                                           "通常のファイルではありません(フォルダや特殊なファイルは取り込めません)"))
                return res
            if path.stat().st_size > MAX_FILE_BYTES:
                res.errors.append(_problem(path, f"ファイルが大きすぎます(上限 {MAX_FILE_BYTES >> 20} MiB)"))
                res.file_hash = file_sha256(path)
                self._log_receipt(res, path)
                return res
            data = path.read_bytes()  # read once: what is hashed is exactly what is verified and parsed
            file_hash = hashlib.sha256(data).hexdigest()
        except OSError as exc:
            res.errors.append(_problem(path, describe_os_error(exc)))
            return res
        res.file_hash = file_hash
        earlier = self._repo.file_by_hash(file_hash)
        if earlier is not None:
            res.status = ALREADY_IMPORTED
            res.signed, res.unit, res.sequence, res.kind = bool(earlier["signed"]), earlier["unit_id"], earlier["sequence"], earlier["kind"]
            res.file_id = earlier["id"]
            res.warnings.append(f"同じ内容のファイルを{earlier['received_at'][:16].replace('T', ' ')}に取り込み済みです"
                                f"(「{earlier['file_name']}」)。何も取り込みませんでした")
            self._log_receipt(res, path, detail={"earlier_file_id": earlier["id"]})
            return res
        try:
            doc = self._reader(path, data, file_hash)
        except ExchangeRefused as exc:
            res.signed = exc.signed
            res.errors += [p.to_dict() for p in exc.problems] or [_problem(path, str(exc))]
            self._log_receipt(res, path, detail={"signature": exc.signature})
            return res
        except Exception as exc:  # a hostile file must never stop the run
            log.exception("reader failed on %s", path)
            res.errors.append(_problem(path, f"ファイルを読めません({type(exc).__name__})。Excelで開けるか確認してください"))
            self._log_receipt(res, path)
            return res
        res.signed, res.unit, res.sequence, res.kind = doc.signed, doc.unit_id, doc.sequence, doc.kind
        res.unit_name = doc.unit_name
        res.warnings += doc.warnings
        refusal = self._refusal(doc)
        if refusal:
            res.errors.append(_problem(path, refusal))
            self._log_receipt(res, path, doc)
            return res
        try:
            if self.tier == "station":
                self._import_at_station(doc, res, officer_id)
            else:
                self._import_at_hq(doc, res, officer_id, station_names if station_names is not None else self._stations())
        except ExchangeRefused as exc:
            res.status = REFUSED
            res.rows_imported = 0
            res.errors += [p.to_dict() for p in exc.problems]
            self._log_receipt(res, path, doc)
        return res

    def _refusal(self, doc: IncomingFile) -> str | None:
        expected = {"station": (RETURN,), "hq": (STATION_EXPORT, MISTAKEN_REQUEST),
                    "npa": ("hq_daily", MISTAKEN_REQUEST)}.get(self.tier, ())
        if doc.signed and doc.kind not in expected:
            return f"このファイル(種類: {doc.kind})はこの端末で取り込む種類ではありません"
        if not doc.signed and self.tier != "hq":
            return "署名のないファイルは本部でのみ取り込めます"
        if doc.signed and self._prefecture and doc.prefecture_code and doc.prefecture_code != self._prefecture:
            return f"他の都道府県(コード{doc.prefecture_code})のファイルです。取り込めません"
        if doc.signed and doc.target_unit and self._unit_id and doc.target_unit != self._unit_id:
            return "このファイルは別の所属あてです。取り込めません"
        return None

    # ---- HQ: station exports and mistaken-request reports --------------------------------
    def _import_at_hq(self, doc: IncomingFile, res: FileResult, officer_id: int | None,
                      station_names: set[str] | None) -> None:
        now = dt.datetime.now().astimezone()
        received_at, received_on = now.isoformat(timespec="seconds"), self._today().isoformat()
        today = self._today()
        with self._db.transaction():
            file_id = self._repo.insert_file({
                "file_hash": doc.file_hash, "file_name": doc.path.name, "kind": doc.kind if doc.signed else "handfilled",
                "unit_id": doc.unit_id, "unit_name": doc.unit_name, "key_id": doc.key_id, "sequence": doc.sequence,
                "batch_id": doc.batch_id, "prefecture_code": doc.prefecture_code, "signed": int(doc.signed),
                "status": IMPORTED if doc.signed else NEEDS_CONFIRMATION, "rows": len(doc.rows),
                "received_at": received_at, "received_on": received_on,
            })
            res.file_id = file_id
            if doc.kind == MISTAKEN_REQUEST and doc.signed:
                rids = self._apply_mistaken(doc, res, officer_id, received_at)
            else:
                self._insert_rows(doc, res, file_id, station_names, today, received_at, received_on)
                rids = []
            res.status = IMPORTED if doc.signed else NEEDS_CONFIRMATION
            self._record_seen(doc)
            self._log_receipt(res, doc.path, doc, detail={"file_id": file_id})
            self._audit.append("hq.import", officer_id=officer_id, entity="hq_file", entity_id=str(file_id),
                               detail={"file": doc.path.name, "hash": doc.file_hash, "unit": doc.unit_id,
                                       "sequence": doc.sequence, "rows": res.rows_imported, "signed": doc.signed})
        if rids and self._on_mistaken:
            on_mistaken = self._on_mistaken
            self._after_commit.append(lambda: on_mistaken(doc, rids, officer_id))

    def _insert_rows(self, doc: IncomingFile, res: FileResult, file_id: int, station_names: set[str] | None,
                     today: dt.date, received_at: str, received_on: str) -> None:
        prepared: list[dict[str, Any]] = []
        issues_per_row = []
        for row in doc.rows:
            values, issues = checks.prepare({**row.values, "row_id": row.row_id, "position": row.position},
                                            stations=station_names, today=today)
            prepared.append(values)
            issues_per_row.append(issues)
        # A corrected row comes back with the id of the row HQ returned: it replaces that row.
        row_ids = [v["row_id"] for v in prepared if v["row_id"]]
        # One query for the whole file: earlier versions of these rows and duplicate candidates.
        candidates = self._dups.candidates(prepared, row_ids=row_ids)
        wanted = set(row_ids)
        earlier = {r["row_id"]: r for r in candidates if r["row_id"] in wanted}
        replaced = {rid for rid, r in earlier.items() if r["status"] == RowStatus.RETURNED}
        dups_per_row = self._dups.find(prepared, unit_id=doc.unit_id, exclude_row_ids=replaced, candidates=candidates)
        status = (RowStatus.RECEIVED if doc.signed else RowStatus.UNCONFIRMED).value
        to_insert = []
        for values, issues, dups in zip(prepared, issues_per_row, dups_per_row):
            rid_old = earlier.get(values["row_id"]) if values["row_id"] else None
            if rid_old is not None and values["row_id"] not in replaced:
                issues = issues + [checks.Issue("account_id", "warning",
                                                f"この行(ID {values['row_id'][:8]}…)は{rid_old['received_at'][:10]}に受理済みです")]
            values.update(file_id=file_id, unit_id=doc.unit_id, status=status, received_at=received_at,
                          received_on=received_on, errors=sum(1 for i in issues if i.is_error),
                          warnings=sum(1 for i in issues if not i.is_error), issues=checks.issues_json(issues),
                          dups=checks.to_json([d.to_dict() for d in dups]) if dups else None,
                          problem=len(issues) + len(dups))
            to_insert.append(values)
            res.duplicates += 1 if dups else 0
            res.row_problems += 1 if any(i.is_error for i in issues) else 0
        if replaced:
            self._repo.update_rows([earlier[r]["rid"] for r in replaced], {"status": RowStatus.SUPERSEDED.value})
        # rids given here (what SQLite would pick: max + 1 …, the write lock is ours) so the
        # back-references below need not read the new rows back
        first = self._repo.next_rid()
        for i, values in enumerate(to_insert):
            values["rid"] = first + i
        self._repo.insert_rows(to_insert)
        res.rows_imported = len(to_insert)
        if res.duplicates:
            self._back_reference(to_insert, dups_per_row, candidates)
        if res.row_problems:
            res.warnings.append(f"{res.row_problems}行に誤りがあります。確認画面で内容を確認し、必要なら差し戻してください")
        if res.duplicates:
            res.warnings.append(f"{res.duplicates}行に重複(または重複の可能性)があります")

    def _back_reference(self, inserted: list[dict[str, Any]], dups_per_row: list[list[checks.Dup]],
                        candidates: list[dict[str, Any]]) -> None:
        """Earlier rows learn about the later duplicate too, so the review screen shows both.

        The earlier rows are the duplicate candidates already read for this file (this connection
        holds the write lock, so they are current); one batched write. An earlier row named by
        several new rows collects all of them, in row order."""
        others = {r["rid"]: r for r in candidates}
        updated: dict[int, tuple[list[dict[str, Any]], int]] = {}
        for new, dups in zip(inserted, dups_per_row):
            for d in dups:
                other = others.get(d.other_rid) if d.other_rid is not None else None
                if other is None:
                    continue
                lst, problem = updated.get(d.other_rid) or (json.loads(other["dups"] or "[]"), other["problem"] or 0)
                kind = d.kind
                if kind == "sent":
                    kind = "same_station" if other.get("unit_id") == new.get("unit_id") else "other_station"
                lst.append(checks.Dup(kind, new["account_id"], new["rid"], station=new.get("station"),
                                      unit_id=new.get("unit_id"), received_at=new.get("received_at"),
                                      status=new.get("status")).to_dict())
                updated[d.other_rid] = (lst, problem + 1)
        self._repo.set_dups_many([(rid, lst, problem) for rid, (lst, problem) in updated.items()])

    def _apply_mistaken(self, doc: IncomingFile, res: FileResult, officer_id: int | None, received_at: str) -> list[int]:
        """A station reports rows it sent as 誤依頼: mark them at HQ (the NPA report follows at once)."""
        ids = [r.row_id for r in doc.rows if r.row_id]
        found = {r["row_id"]: r for r in self._repo.rows_with("row_id", ids, exclude_statuses=("superseded",))}
        missing = [r for r in doc.rows if r.row_id not in found]
        if missing:
            raise ExchangeRefused(doc.path.name, [FileProblem(doc.path.name, "誤依頼の対象の行が本部に見つかりません"
                                                              f"(番号{m.position})", row=m.sheet_row) for m in missing])
        rids = []
        for r in doc.rows:
            row = found[r.row_id]
            self._repo.update_rows([row["rid"]], {"status": RowStatus.MISTAKEN.value,
                                                  "reason": r.reason or "警察署からの誤依頼報告",
                                                  "decided_at": received_at, "decided_by": officer_id})
            rids.append(row["rid"])
        res.rows_imported = len(rids)
        res.warnings.append(f"{len(rids)}行を誤依頼にしました")
        return rids

    # ---- station: HQ's return files -------------------------------------------------------
    def _import_at_station(self, doc: IncomingFile, res: FileResult, officer_id: int | None) -> None:
        if self._station_apply is None:
            raise ExchangeRefused(doc.path.name, [FileProblem(doc.path.name, "この端末では取り込めない種類のファイルです")])
        with self._db.transaction():
            file_id = self._repo.insert_file({
                "file_hash": doc.file_hash, "file_name": doc.path.name, "kind": doc.kind, "unit_id": doc.unit_id,
                "unit_name": doc.unit_name, "key_id": doc.key_id, "sequence": doc.sequence, "batch_id": doc.batch_id,
                "prefecture_code": doc.prefecture_code, "signed": 1, "status": IMPORTED, "rows": len(doc.rows),
                "received_at": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
                "received_on": self._today().isoformat(),
            })
            res.file_id = file_id
            res.rows_imported = self._station_apply(doc, officer_id)
            res.status = IMPORTED
            self._record_seen(doc)
            self._log_receipt(res, doc.path, doc, detail={"file_id": file_id})

    def _record_seen(self, doc: IncomingFile) -> None:
        record = getattr(self._reader, "record_seen", None)
        if record is not None:
            record(doc)

    # ---- receipt log ------------------------------------------------------------------------
    def _log_receipt(self, res: FileResult, path: Path, doc: IncomingFile | None = None,
                     detail: dict[str, Any] | None = None) -> None:
        info = dict(detail or {})
        info["rows"] = res.rows_imported
        if res.errors:
            info["errors"] = [e["message"] for e in res.errors[:5]]
        if res.warnings:
            info["warnings"] = res.warnings[:5]
        kwargs = dict(file_hash=res.file_hash or "", file_name=path.name, result=res.status,
                      unit_id=res.unit, key_id=doc.key_id if doc else None, sequence=res.sequence,
                      kind=res.kind, detail=info)
        if self._db.db.conn.in_transaction:
            self._receipts.append(**kwargs)
        else:
            with self._db.transaction():
                self._receipts.append(**kwargs)
