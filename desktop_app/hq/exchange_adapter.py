"""Binds the exchange package's reader to the HQ pipeline: the unit's trust list (the exchange
helper's ``trust_keys`` / ``seen_sequences`` tables), its prefecture, and the conversion of an
``ExchangeDocument`` into the pipeline's ``IncomingFile``.

Kept as a separate module so the pipeline itself never depends on the reader's internals.
"""
from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

from desktop_app.exchange.errors import ExchangeRefused, FileProblem
from desktop_app.exchange.reader import ExchangeDocument, read_exchange_bytes
from desktop_app.hq.incoming import IncomingFile, IncomingRow
from desktop_app.exchange.verify import TrustedKey
from desktop_app.services.trust import TrustService, _trusted

log = logging.getLogger(__name__)


class DbTrust(TrustService):
    """The exchange helper's trust list (``TrustService``), with the two lookups the import makes
    for every file done in raw SQL (sqlite-utils introspects the table on each call), and the
    sequence recorded inside the import's own transaction."""

    def __init__(self, database):
        super().__init__(database)
        self._conn = database.db.conn

    def lookup(self, key_id: str) -> TrustedKey | None:
        cur = self._conn.execute("SELECT * FROM trust_keys WHERE key_id = ?", [key_id])
        row = cur.fetchone()
        return _trusted(dict(zip([d[0] for d in cur.description], row))) if row else None

    def sequence_seen(self, unit_id: str, sequence: int) -> bool:
        return self._conn.execute("SELECT 1 FROM seen_sequences WHERE unit_id = ? AND sequence = ?",
                                  [unit_id, sequence]).fetchone() is not None

    def last_sequence(self, unit_id: str) -> int | None:
        return self._conn.execute("SELECT max(sequence) FROM seen_sequences WHERE unit_id = ?", [unit_id]).fetchone()[0]

    def record_seen(self, doc: IncomingFile) -> None:
        """Inside the import's transaction: the sequence counts as seen only if the import lands."""
        if doc.signed and doc.unit_id and doc.sequence is not None and not self.sequence_seen(doc.unit_id, doc.sequence):
            self._conn.execute(
                "INSERT INTO seen_sequences (unit_id, sequence, file_sha256, batch_id, kind, seen_at) VALUES (?,?,?,?,?,?)",
                [doc.unit_id, doc.sequence, doc.file_hash, doc.batch_id, doc.kind,
                 dt.datetime.now().astimezone().isoformat(timespec="seconds")])


def trust_store(ctx, database) -> DbTrust:
    return DbTrust(database)


def to_incoming(doc: ExchangeDocument) -> IncomingFile:
    extra = (doc.metadata or {}).get("extra") or {}
    rows = [IncomingRow(position=r.number, values=dict(r.values), row_id=r.row_id,
                        reason=(r.extra or {}).get("reason"), sheet_row=r.sheet_row) for r in doc.rows]
    return IncomingFile(path=doc.path, file_hash=doc.file_sha256, signed=doc.signed,
                        kind=doc.kind if doc.signed else "handfilled", rows=rows, unit_id=doc.unit_id,
                        unit_name=doc.unit_name, key_id=doc.key_id, sequence=doc.sequence, batch_id=doc.batch_id,
                        prefecture_code=doc.prefecture_code, target_unit=extra.get("target_unit"),
                        warnings=list(doc.warnings), metadata=extra)


def make_reader(ctx, database):
    trust = trust_store(ctx, database)
    tier = ctx.settings.get("tier")
    prefecture = ctx.settings.get("prefecture_code") if tier != "npa" else None

    def read(path: Path, data: bytes, file_hash: str) -> IncomingFile:
        doc = read_exchange_bytes(data, Path(path), trust, expect_prefecture=prefecture)
        if doc.is_test:
            raise ExchangeRefused(doc.file_name, [FileProblem(
                doc.file_name, "試験送付のファイルです。署名は正しいことを確認しました(行は取り込みません)")],
                signature=doc.signature, signed=doc.signed)
        return to_incoming(doc)

    read.record_seen = trust.record_seen  # type: ignore[attr-defined]
    return read
