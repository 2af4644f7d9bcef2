"""Signed files HQ (or a station) writes in the HQ pipeline: daily aggregate, return, mistaken-request
report, receipt log. A thin layer over ``exchange.writer.write_exchange_file`` that takes the next
export sequence number and records the export in the same transaction as the caller's state change
would be too late for, so the number is reserved first (a gap is only a warning at the receiver)."""
from __future__ import annotations

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
    """This unit's signing key, from the exchange helper's key store."""
    try:
        from desktop_app.services import keys as keys_service  # the exchange helper's module
    except ImportError:
        raise ServiceError("署名用の鍵がまだ作成されていません。先に keys init を実行してください") from None
    for name in ("load_secret_key", "secret_key"):
        fn = getattr(keys_service, name, None)
        if callable(fn):
            return fn(ctx)
    svc_cls = getattr(keys_service, "KeyService", None)
    if svc_cls is not None:
        svc = svc_cls(ctx) if _takes_ctx(svc_cls) else svc_cls(ctx.database, ctx.data_dir)
        for name in ("secret_key", "load_secret_key", "signing_key"):
            fn = getattr(svc, name, None)
            if callable(fn):
                return fn()
    raise ServiceError("署名用の鍵を読み込めません")


def _takes_ctx(cls) -> bool:
    import inspect

    params = list(inspect.signature(cls).parameters)
    return params[:1] == ["ctx"]


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
                                   "file_name": path.name, "rows": rows, "test": 0,
                                   "created_at": dt.datetime.now().astimezone().isoformat(timespec="seconds")})
        return seq, batch_id

    def write(self, path: Path, *, kind: str, rows: Sequence[Mapping[str, Any]], metadata: dict[str, Any] | None = None,
              target_unit: str | None = None) -> WrittenFile:
        key = self._secret_key()
        ident = self._identity()
        if not ident["unit_id"]:
            raise ServiceError("この端末の所属が設定されていません")
        seq, batch_id = self._reserve(kind, len(rows), path)
        out_rows = []
        for r in rows:
            d = dict(r)
            d["id"] = d.pop("row_id", None) or d.get("id")
            out_rows.append(d)
        extra = dict(metadata or {})
        if target_unit:
            extra["target_unit"] = target_unit
        doc = OutgoingDocument(kind=kind, unit_id=ident["unit_id"], unit_name=ident["unit_name"], tier=ident["tier"],
                               rows=out_rows, sequence=seq, prefecture_code=ident["prefecture_code"],
                               prefecture_name=ident["prefecture_name"], batch_id=batch_id,
                               extra_columns=KIND_COLUMNS.get(kind, ()), extra=extra)
        w = write_exchange_file(path, doc, key)
        self._record_hash(batch_id, w.sha256)
        return WrittenFile(w.path, w.sha256, w.sequence, w.batch_id, w.rows, kind, target_unit)

    def write_table(self, path: Path, *, kind: str, title: str, rows: Sequence[Mapping[str, Any]],
                    columns: Sequence[tuple[str, str]], metadata: dict[str, Any] | None = None) -> WrittenFile:
        """A non-別添 table (the receipt log) signed the same way."""
        key = self._secret_key()
        ident = self._identity()
        doc_kind = kind if kind in ("trust_list", "test") else "outcomes"
        seq, batch_id = self._reserve(kind, len(rows), path)
        doc = OutgoingDocument(kind=doc_kind, unit_id=ident["unit_id"], unit_name=ident["unit_name"],
                               tier=ident["tier"], rows=list(rows), sequence=seq,
                               prefecture_code=ident["prefecture_code"], prefecture_name=ident["prefecture_name"],
                               batch_id=batch_id, columns=[ColumnSpec(k, label, "text", 18) for k, label in columns],
                               title=title, extra={"table": kind, **(metadata or {})})
        w = write_exchange_file(path, doc, key)
        self._record_hash(batch_id, w.sha256)
        return WrittenFile(w.path, w.sha256, w.sequence, w.batch_id, w.rows, kind)

    def _record_hash(self, batch_id: str, digest: str) -> None:
        with self._db.transaction():
            self._db.db["exports"].update(batch_id, {"sha256": digest})
