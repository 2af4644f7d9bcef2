"""Signed files HQ (or a station) writes in the HQ pipeline: daily aggregate, return, mistaken-request
report, receipt log. A thin layer over ``exchange.writer.write_exchange_file`` that takes the next
export sequence number and records the export in the same transaction as the caller's state change
would be too late for, so the number is reserved first (a gap is only a warning at the receiver)."""
from __future__ import annotations

import contextlib
import datetime as dt
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from desktop_app import resources
from desktop_app.exchange.workbook_writer import ColumnSpec
from desktop_app.exchange.writer import OutgoingDocument, write_exchange_file
from desktop_app.services.errors import ServiceError
from desktop_app.storage.database import Database
from desktop_app.storage.keys_repo import KeysRepo

log = logging.getLogger(__name__)

# Extra cells a row carries into the sheet for some kinds (the metadata keeps everything anyway).
KIND_COLUMNS: dict[str, list[ColumnSpec]] = {
    "return": [ColumnSpec("reason", "差戻し理由", "text", 30)],
    "mistaken_request": [ColumnSpec("reason", "誤依頼の理由", "text", 30)],
}


@dataclass(frozen=True)
class WrittenFile:
    path: Path
    file_hash: str
    sequence: int
    batch_id: str
    rows: int
    kind: str
    target_unit: str | None = None


def _default_secret_key(ctx):
    """This unit's signing key from the exchange key store (``services.trust.KeyService``): a context
    manager that wipes the decrypted key after use."""
    keys = ctx.key_service()
    keys.ensure(ctx.setup.identity())
    return keys.store.secret_key()


def _as_context(key_or_cm):
    """Tests hand a bare key; the key store hands a context manager that wipes it afterwards."""
    if hasattr(key_or_cm, "__enter__"):
        return key_or_cm
    return contextlib.nullcontext(key_or_cm)


class OutgoingWriter:
    def __init__(self, ctx, database: Database, *, secret_key: Callable[[], Any] | None = None):
        self._ctx = ctx
        self._db = database
        self._keys = KeysRepo(database)
        self._secret_key = secret_key or (lambda: _default_secret_key(ctx))

    def _identity(self) -> dict[str, Any]:
        s = self._ctx.settings
        code = s.get("prefecture_code")
        pref = resources.prefecture(code) if code else None
        return {"unit_id": s.get("unit_id"), "unit_name": s.get("unit_name") or "", "tier": s.get("tier"),
                "prefecture_code": code, "prefecture_name": pref.name if pref else None}

    def _reserve(self, kind: str, rows: int, path: Path) -> tuple[int, str]:
        import uuid

        batch_id = str(uuid.uuid4())
        with self._db.transaction():
            seq = self._keys.next_sequence()
            self._keys.add_export({"id": batch_id, "kind": kind, "sequence": seq, "batch_id": batch_id,
                                   "file_name": path.name, "rows": rows, "test": 0, "key_id": self._keys.active_key_id(),
                                   "created_at": dt.datetime.now().astimezone().isoformat(timespec="seconds")})
        return seq, batch_id

    def write(self, path: Path, *, kind: str, rows: Sequence[Mapping[str, Any]], metadata: dict[str, Any] | None = None,
              target_unit: str | None = None, extra_columns: Sequence[ColumnSpec] | None = None,
              title: str | None = None) -> WrittenFile:
        """One signed 別添-form file. ``extra_columns`` None: the kind's own (``KIND_COLUMNS``)."""
        ident = self._identity()
        if not ident["unit_id"]:
            raise ServiceError("この端末の所属が設定されていません")
        out_rows = []
        for r in rows:
            d = dict(r)
            d["id"] = d.pop("row_id", None) or d.get("id")
            out_rows.append(d)
        extra = dict(metadata or {})
        if target_unit:
            extra["target_unit"] = target_unit
        if extra_columns is None:
            extra_columns = KIND_COLUMNS.get(kind, ())
        # The key is asked for before a sequence number is taken, so a refused passphrase leaves no gap,
        # and it is wiped as soon as the file is signed.
        with _as_context(self._secret_key()) as key:
            seq, batch_id = self._reserve(kind, len(rows), path)
            doc = OutgoingDocument(kind=kind, unit_id=ident["unit_id"], unit_name=ident["unit_name"],
                                   tier=ident["tier"], rows=out_rows, sequence=seq,
                                   prefecture_code=ident["prefecture_code"], prefecture_name=ident["prefecture_name"],
                                   batch_id=batch_id, extra_columns=extra_columns, title=title, extra=extra)
            w = write_exchange_file(path, doc, key)
        self._record_hash(batch_id, w.sha256)
        return WrittenFile(w.path, w.sha256, w.sequence, w.batch_id, w.rows, kind, target_unit)

    def write_table(self, path: Path, *, kind: str, title: str, rows: Sequence[Mapping[str, Any]],
                    columns: Sequence[tuple[str, str]], metadata: dict[str, Any] | None = None) -> WrittenFile:
        """A non-別添 table (the receipt log) signed the same way."""
        ident = self._identity()
        doc_kind = kind if kind in ("trust_list", "test") else "outcomes"
        seq, batch_id = self._reserve(kind, len(rows), path)
        doc = OutgoingDocument(kind=doc_kind, unit_id=ident["unit_id"], unit_name=ident["unit_name"],
                               tier=ident["tier"], rows=list(rows), sequence=seq,
                               prefecture_code=ident["prefecture_code"], prefecture_name=ident["prefecture_name"],
                               batch_id=batch_id, columns=[ColumnSpec(k, label, "number" if k == "number" else "text", 8 if k == "number" else 18)
                                        for k, label in columns],
                               title=title, extra={"table": kind, **(metadata or {})})
        with _as_context(self._secret_key()) as key:
            w = write_exchange_file(path, doc, key)
        self._record_hash(batch_id, w.sha256)
        return WrittenFile(w.path, w.sha256, w.sequence, w.batch_id, w.rows, kind)

    def _record_hash(self, batch_id: str, digest: str) -> None:
        with self._db.transaction():
            self._keys.set_export_hash(batch_id, digest)
