"""The receipt log as evidence: list it, export it (CSV or signed workbook), verify its chain.

The stored log is append-only (triggers) and hash-chained; an export carries the head hash so a
later reader can tell whether the log it is compared with was cut short or rewritten.
"""
from __future__ import annotations

import csv
import io

import os
import tempfile
from pathlib import Path
from typing import Any

from desktop_app.hq.outgoing import OutgoingWriter, WrittenFile
from desktop_app.storage.receipt_repo import GENESIS, ReceiptRepo, record_hash

RESULT_LABELS = {"imported": "取込", "needs_confirmation": "取込(要確認)", "already_imported": "取込済み(重複)",
                 "refused": "拒否", "cancelled": "中止"}
CSV_COLUMNS = ("id", "at", "file_hash", "file_name", "unit_id", "key_id", "sequence", "kind", "result",
               "detail", "prev_hash", "hash")
_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")


def _csv_safe(value: Any) -> str:
    """OWASP: a cell a spreadsheet would run as a formula is prefixed with an apostrophe."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_TRIGGERS) else text


class ReceiptLog:
    def __init__(self, repo: ReceiptRepo, writer: OutgoingWriter | None = None):
        self._repo = repo
        self._writer = writer

    def rows(self) -> list[dict[str, Any]]:
        return list(self._repo.rows())

    def verify(self) -> int | None:
        return self._repo.verify_chain()

    def export_csv(self, out: Path | str) -> int:
        """Write the whole log as UTF-8 (BOM, for Excel) CSV, atomically; returns the record count."""
        rows = self.rows()
        buf = io.StringIO()
        w = csv.writer(buf, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
        w.writerow(CSV_COLUMNS)
        for r in rows:
            w.writerow([_csv_safe(r.get(c)) if c in ("file_name", "detail", "unit_id", "kind") else r.get(c)
                        for c in CSV_COLUMNS])
        _write_atomic(Path(out), ("\ufeff" + buf.getvalue()).encode("utf-8"))
        return len(rows)

    def export_signed(self, out: Path | str) -> WrittenFile:
        if self._writer is None:
            raise RuntimeError("no signing writer")
        rows = [{"receipt_id": r["id"], "at": r["at"], "file_name": r["file_name"], "file_hash": r["file_hash"],
                 "unit_id": r["unit_id"], "key_id": r["key_id"], "sequence": r["sequence"], "kind": r["kind"],
                 "result": RESULT_LABELS.get(r["result"], r["result"]), "hash": r["hash"]} for r in self.rows()]
        return self._writer.write_table(Path(out), kind="receipt_log", title="受信記録", rows=rows,
                                        columns=[("number", "番号"), ("receipt_id", "記録番号"), ("at", "受信日時"), ("file_name", "ファイル名"),
                                                 ("unit_id", "送信元"), ("key_id", "鍵ID"), ("sequence", "通し番号"),
                                                 ("kind", "種類"), ("result", "結果"), ("file_hash", "SHA-256"),
                                                 ("hash", "記録ハッシュ")],
                                        metadata={"head": self._repo.head(), "records": len(rows)})


def verify_csv(path: Path | str) -> int | None:
    """Check an exported CSV's chain on its own: the id of the first broken record, or None."""
    text = Path(path).read_text(encoding="utf-8-sig")
    prev = GENESIS
    for r in csv.DictReader(io.StringIO(text)):
        rec = {k: (v[1:] if isinstance(v, str) and v.startswith("'") and v[1:2] in _TRIGGERS else v)
               for k, v in r.items()}
        rec["sequence"] = int(rec["sequence"]) if rec.get("sequence") not in (None, "") else None
        for k in ("unit_id", "key_id", "kind"):
            rec[k] = rec[k] or None
        if rec["prev_hash"] != prev or rec["hash"] != record_hash(prev, rec):
            return int(rec["id"])
        prev = rec["hash"]
    return None


def _write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


__all__ = ["ReceiptLog", "verify_csv"]
