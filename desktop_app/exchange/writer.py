"""Writing a signed exchange file of any document kind: the 別添 sheet plus the signed metadata.

``write_exchange_file(path, doc, secret_key)`` takes an ``OutgoingDocument`` (kind, issuing unit,
sequence, batch id, prefecture, rows as dicts) and writes the workbook atomically, signed with the
unit's key. Row dicts use the form's column keys plus ``id`` (the row's stable id across tiers),
``account_id_raw``, ``refinement``, ``recognized_on_text``, ``entered_by``/``verified_by`` (staff
numbers) and any kind-specific keys (``reason``, ``prefecture_code`` …); all of it travels in
``teishi/exchange.json``, covered by the signature. The cells show what a person reads.

Document kinds: station_export, hq_daily, mistaken_request, return, npa_provider, outcomes,
trust_list, test.
"""
from __future__ import annotations

import datetime as dt
import json
import logging
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import minisign

from desktop_app import case_types
from desktop_app.exchange.signing import FORMAT_VERSION, SignInfo, write_signed
from desktop_app.exchange.workbook_writer import ColumnSpec, SheetSpec, build_package, form_columns
from desktop_app.forms import LINE_WORKS, FormDefinition

log = logging.getLogger(__name__)

KINDS = ("station_export", "hq_daily", "mistaken_request", "return", "npa_provider", "outcomes",
         "trust_list", "test")
KIND_TITLES = {
    "station_export": "", "hq_daily": "(本部集約)", "mistaken_request": "(誤依頼報告)", "return": "(差戻し)",
    "npa_provider": "(事業者送付)", "outcomes": "(措置結果)", "trust_list": "", "test": "",
}
FORMAT_NAME = "teishi-exchange"


@dataclass
class OutgoingDocument:
    kind: str
    unit_id: str
    unit_name: str
    tier: str
    rows: Sequence[Mapping[str, Any]]
    sequence: int
    prefecture_code: str | None = None
    prefecture_name: str | None = None
    batch_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    created_at: dt.datetime = field(default_factory=lambda: dt.datetime.now().astimezone())
    form: FormDefinition = LINE_WORKS
    extra_columns: Sequence[ColumnSpec] = ()  # e.g. 都道府県 for aggregates, placed after 番号
    columns: Sequence[ColumnSpec] | None = None  # a wholly different table (trust_list)
    title: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)  # kind-specific metadata (target_unit, sources…)

    @property
    def is_test(self) -> bool:
        return self.kind == "test"


@dataclass(frozen=True)
class WrittenFile:
    path: Path
    sha256: str
    sequence: int
    batch_id: str
    rows: int
    kind: str


def _cell_values(row: Mapping[str, Any]) -> dict[str, Any]:
    """What the sheet shows: the 類型 label with its 手口, the ISO date as a real date."""
    out = dict(row)
    if row.get("case_type"):
        out["case_type"] = case_types.label(row["case_type"], row.get("refinement"))
    if not row.get("recognized_on") and row.get("recognized_on_text"):
        out["recognized_on"] = row["recognized_on_text"]
    return out


def sheet_spec(doc: OutgoingDocument) -> SheetSpec:
    columns = list(doc.columns) if doc.columns else form_columns(doc.form, extra_first=doc.extra_columns)
    title = doc.title or (doc.form.title + KIND_TITLES.get(doc.kind, ""))
    header = [("都道府県", doc.prefecture_name or "")] if doc.columns is None else [("作成", doc.unit_name)]
    note = "【試験送付】このファイルは試験用です。記載の行は取り込まれません" if doc.is_test else ""
    return SheetSpec(title=title, columns=columns, rows=[_cell_values(r) for r in doc.rows],
                     header_fields=header, sheet_name=doc.form.sheet_name, note=note,
                     min_rows=doc.form.template_rows if doc.columns is None else 0)


def sheet_cell_rows(rows: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    return [_cell_values(r) for r in rows]


def metadata(doc: OutgoingDocument, spec: SheetSpec) -> dict[str, Any]:
    return {
        "format": FORMAT_NAME, "format_version": FORMAT_VERSION, "kind": doc.kind, "test": doc.is_test,
        "form": doc.form.key, "form_version": doc.form.version,
        "unit": {"id": doc.unit_id, "name": doc.unit_name, "tier": doc.tier, "prefecture_code": doc.prefecture_code},
        "sequence": doc.sequence, "batch_id": doc.batch_id,
        "created_at": doc.created_at.isoformat(timespec="seconds"),
        "prefecture": {"code": doc.prefecture_code, "name": doc.prefecture_name} if doc.prefecture_name else None,
        "sheet": {"name": spec.sheet_name, "header_row": spec.header_row, "first_data_row": spec.first_data_row,
                  "columns": [c.key for c in spec.columns],
                  # enough to re-render the sheet exactly: the reader's fast path compares bytes
                  "layout": {"title": spec.title, "header_fields": [list(h) for h in spec.header_fields],
                             "columns": [[c.key, c.label, c.kind, c.width] for c in spec.columns],
                             "note": spec.note, "min_rows": spec.min_rows, "corner_label": spec.corner_label}},
        "rows": [_json_row(n, r) for n, r in enumerate(doc.rows, start=1)],
        "extra": doc.extra,
    }


def _json_row(n: int, row: Mapping[str, Any]) -> dict[str, Any]:
    out = {k: (v.isoformat() if isinstance(v, (dt.date, dt.datetime)) else v) for k, v in row.items()}
    out["number"] = n
    return out


def write_exchange_file(path: str | Path, doc: OutgoingDocument, secret_key: minisign.SecretKey) -> WrittenFile:
    if doc.kind not in KINDS:
        raise ValueError(f"unknown document kind {doc.kind}")
    spec = sheet_spec(doc)
    meta = json.dumps(metadata(doc, spec), ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    package = build_package([spec], meta, creator=doc.unit_name, created=doc.created_at)
    info = SignInfo(kind=doc.kind, unit_id=doc.unit_id, sequence=doc.sequence, rows=len(doc.rows),
                    batch_id=doc.batch_id, signed_at=doc.created_at)
    digest = write_signed(Path(path), package, secret_key, info)
    log.info("exchange file %s: %s seq %s, %d rows", doc.kind, doc.unit_id, doc.sequence, len(doc.rows))
    return WrittenFile(Path(path), digest, doc.sequence, doc.batch_id, len(doc.rows), doc.kind)
