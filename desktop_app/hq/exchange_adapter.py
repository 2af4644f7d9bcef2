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
from desktop_app.exchange.verify import TrustedKey
from desktop_app.hq.incoming import IncomingFile, IncomingRow
from desktop_app.storage.trust_repo import TrustRepo

log = logging.getLogger(__name__)


def _dt(value: str | None) -> dt.datetime | None:
    if not value:
        return None
    try:
        return dt.datetime.fromisoformat(value)
    except ValueError:
        return None


class DbTrust:
    """The ``TrustStore`` protocol over the trust tables (the same rows the ``trust`` CLI edits)."""

    def __init__(self, database):
        self._repo = TrustRepo(database)

    def lookup(self, key_id: str) -> TrustedKey | None:
        r = self._repo.get(key_id)
        if r is None:
            return None
        return TrustedKey(key_id=r["key_id"], unit_id=r["unit_id"], unit_name=r.get("unit_name") or r["unit_id"],
                          tier=r.get("tier") or "station", prefecture_code=r.get("prefecture_code"),
                          public_key=r["public_key"], status=r.get("status") or "active",
                          not_before=_dt(r.get("not_before")), not_after=_dt(r.get("not_after")),
                          revoked_at=_dt(r.get("revoked_at")))

    def sequence_seen(self, unit_id: str, sequence: int) -> bool:
        return self._repo.seen(unit_id, sequence) is not None

    def last_sequence(self, unit_id: str) -> int | None:
        return self._repo.max_seen(unit_id)

    def record_seen(self, doc: IncomingFile) -> None:
        """Inside the import's transaction: the sequence counts as seen only if the import lands."""
        if doc.signed and doc.unit_id and doc.sequence is not None and not self.sequence_seen(doc.unit_id, doc.sequence):
            self._repo.record_seen({"unit_id": doc.unit_id, "sequence": doc.sequence, "file_sha256": doc.file_hash,
                                    "batch_id": doc.batch_id, "kind": doc.kind,
                                    "seen_at": dt.datetime.now().astimezone().isoformat(timespec="seconds")})


def trust_store(ctx, database):
    """The exchange helper's trust service when it offers the protocol, else ``DbTrust``."""
    try:
        from desktop_app.services.trust import TrustService  # noqa: F401
    except ImportError:
        pass
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
