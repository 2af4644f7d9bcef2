"""Reading any received exchange file, signed or hand-filled: the public entry point for imports.

    doc = read_exchange_file(path, trust, expect_prefecture="27")

returns an ``ExchangeDocument`` or raises ``ExchangeRefused`` (all-or-nothing: a refused file yields
no rows at all). ``doc.signed`` tells a Teishi-signed file (signature verified, metadata from the
signed ``teishi/exchange.json``, cells cross-checked against it) from an unsigned hand-filled 別添
(read tolerantly by ``handfilled``; rows have no stable id and need a person's confirmation).
``doc.is_test`` marks a 試験送付: verify and report, never import its rows.

Each ``ExchangeRow`` has ``number`` (番号), ``row_id`` (stable id across tiers, None when
hand-filled), ``values`` (form column keys: account_id normalised, account_id_raw as typed,
user_name, organization, case_type, refinement, station, recognized_on ISO or None,
recognized_on_text), ``entered_by`` / ``verified_by`` (staff numbers), ``sheet`` / ``sheet_row``
(for messages) and ``extra`` (kind-specific fields such as ``reason`` or ``prefecture_code``).

Order for a signed file: zip structure checks, then every entry inflated once, hashed and (except
the worksheets) content-scanned (``zipcheck``); the signature and manifest (``verify``); the signed
metadata; then the sheet: re-rendered from the metadata and compared byte-for-byte (column by column
in ``sheet_match``; through ``workbook_writer.sheet_xml`` when that declines). Equal bytes prove
every shown cell without parsing the sheet (our rendering holds no DOCTYPE and no formula element,
so the sheet's content scan is not needed). Only when the bytes differ is the sheet content-scanned
(DOCTYPE/ENTITY and NUL refused, formula elements refused) and parsed for a cell-by-cell comparison.
Any other worksheet of a signed file is scanned, and refused if it holds a formula. A hand-filled
file has every part scanned before openpyxl sees it. ``assert_safe_xml_parsing()`` is the start-up
check (GUI and CLI call it) that openpyxl parses through defusedxml.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from desktop_app import case_types, resources
from desktop_app.exchange.errors import ExchangeRefused, FileProblem, column_letter
from desktop_app.exchange.verify import ABSENT, TrustStore, verify_package
import xml.etree.ElementTree as ET

from desktop_app.exchange.workbook_writer import METADATA_PART, SHEET_PART, excel_escape, excel_serial
from desktop_app.exchange.sheet_match import signed_sheet_matches
from desktop_app.exchange.writer import FORMAT_NAME, KINDS
from desktop_app.exchange.zipcheck import DEFAULT_LIMITS, ZipLimits, not_xlsx_message, open_package, read_capped
from desktop_app.forms import FORMS, LINE_WORKS
from desktop_app.normalize import normalize_account_id

log = logging.getLogger(__name__)

MAX_METADATA_BYTES = 64 << 20
_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
SUPPORTED_FORMAT_VERSIONS = (1,)
FORMULA_MESSAGE = "数式を含むセルがあります(Teishiの送付ファイルには数式は含まれません)"


def assert_safe_xml_parsing() -> None:
    """Refuse to run if openpyxl would parse XML without defusedxml (e.g. a frozen build that lost
    the hidden import): hostile workbooks must never meet a plain parser."""
    import openpyxl

    if not getattr(openpyxl, "DEFUSEDXML", False):
        raise RuntimeError("openpyxl is not using defusedxml: refusing to read workbooks (install defusedxml)")


@dataclass
class ExchangeRow:
    number: int
    values: dict[str, Any]
    row_id: str | None = None
    entered_by: str | None = None
    verified_by: str | None = None
    sheet: str | None = None
    sheet_row: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        v = self.values
        label = case_types.label(v["case_type"], v.get("refinement")) if v.get("case_type") else None
        return {"number": self.number, "account_id": v.get("account_id"), "user_name": v.get("user_name"),
                "organization": v.get("organization"), "case_type": label, "station": v.get("station"),
                "recognized_on": v.get("recognized_on")}


@dataclass
class ExchangeDocument:
    path: Path
    file_sha256: str
    signed: bool
    signature: str  # "valid" for signed files, "absent" for hand-filled ones
    kind: str  # a document kind, or "handfilled"
    rows: list[ExchangeRow]
    prefecture_code: str | None = None
    prefecture: str | None = None
    unit_id: str | None = None
    unit_name: str | None = None
    tier: str | None = None
    key_id: str | None = None
    sequence: int | None = None
    batch_id: str | None = None
    format_version: int | None = None
    created_at: str | None = None
    is_test: bool = False
    warnings: list[str] = field(default_factory=list)
    metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def file_name(self) -> str:
        return self.path.name

    def to_inspect_json(self) -> dict[str, Any]:
        return {"signed": self.signed, "signature": self.signature, "unit": self.unit_id,
                "unit_name": self.unit_name, "sequence": self.sequence, "kind": self.kind, "test": self.is_test,
                "prefecture": self.prefecture, "rows": [r.to_json() for r in self.rows],
                "warnings": list(self.warnings), "errors": []}


def read_exchange_file(path: str | Path, trust: TrustStore, *, expect_prefecture: str | None = None,
                       check_replay: bool = True, limits: ZipLimits = DEFAULT_LIMITS) -> ExchangeDocument:
    if not isinstance(path, Path):
        path = Path(path)  # a Path is taken as it is (building a copy is a measurable share of a small read)
    name = path.name
    try:
        data = read_capped(path, limits.max_file_bytes)
    except OSError as exc:
        raise ExchangeRefused(name, [FileProblem(name, f"ファイルを開けません({exc.strerror or exc})")]) from None
    if data is None:
        raise ExchangeRefused(name, [FileProblem(name, f"ファイルが大きすぎます(上限 {limits.max_file_bytes >> 20} MiB)")])
    return read_exchange_bytes(data, path, trust, expect_prefecture=expect_prefecture,
                               check_replay=check_replay, limits=limits)


def read_exchange_bytes(data: bytes, path: Path, trust: TrustStore, *, expect_prefecture: str | None = None,
                        check_replay: bool = True, limits: ZipLimits = DEFAULT_LIMITS) -> ExchangeDocument:
    name = path.name
    if not data.startswith(b"PK") and path.suffix.lower() == ".xls":
        raise ExchangeRefused(name, [FileProblem(name, not_xlsx_message(data))], signature=ABSENT)
    # Worksheets are hashed now but content-scanned only before something parses them: a signed
    # sheet that is byte-identical to our own rendering is never parsed (see _cells_agree).
    pkg = open_package(data, name, limits=limits, allow_hyperlinks=True, defer_worksheets=True)
    v = verify_package(pkg, name, trust, check_replay=check_replay)
    file_hash = hashlib.sha256(data).hexdigest()
    if v.status == ABSENT:
        from desktop_app.exchange.handfilled import read_handfilled

        pkg.scan_deferred()  # openpyxl parses every sheet of a hand-filled file (pkg.data also does this)
        doc = read_handfilled(pkg, path, file_hash)
    elif not v.ok:
        raise v.refusal()
    else:
        doc = _read_signed(pkg, path, file_hash, v)
    _check_prefecture(doc, expect_prefecture)
    return doc


def _check_prefecture(doc: ExchangeDocument, expect: str | None) -> None:
    if not expect:
        return
    want = resources.prefecture(expect)
    if doc.prefecture_code and doc.prefecture_code != want.code:
        raise ExchangeRefused(doc.file_name, [FileProblem(
            doc.file_name, f"{doc.prefecture or doc.prefecture_code}のファイルです({want.name}宛てではありません)")],
            signature=doc.signature, signed=doc.signed)


# ---- signed files ----------------------------------------------------------------------------
def _read_signed(pkg, path: Path, file_hash: str, v) -> ExchangeDocument:
    name = path.name

    def refuse(message: str, **where: Any) -> ExchangeRefused:
        return ExchangeRefused(name, [FileProblem(name, message, **where)], signature=v.status, signed=True)

    info = v.info
    if METADATA_PART not in pkg.names:
        raise refuse("署名済みですが、Teishiの管理情報(teishi/exchange.json)がありません")
    raw = pkg.read(METADATA_PART)
    if len(raw) > MAX_METADATA_BYTES:
        raise refuse("管理情報が大きすぎます")
    try:
        meta = json.loads(raw.decode("utf-8"))
        kind, unit, sheet = meta["kind"], meta["unit"], meta["sheet"]
        rows_meta = meta["rows"]
        if meta.get("format") != FORMAT_NAME or not isinstance(rows_meta, list):
            raise ValueError
    except (ValueError, KeyError, TypeError, UnicodeDecodeError):
        raise refuse("管理情報(teishi/exchange.json)が読めません") from None
    if meta.get("format_version") not in SUPPORTED_FORMAT_VERSIONS:
        raise refuse(f"形式の版 {meta.get('format_version')} には対応していません。Teishiを更新してください")
    if kind not in KINDS:
        raise refuse(f"文書の種類「{kind}」には対応していません")
    # The trusted comment and the metadata must tell the same story (both are signed, but a
    # buggy or hostile signer could make them disagree).
    if (kind, unit.get("id"), meta.get("sequence"), len(rows_meta), meta.get("batch_id"), meta["format_version"]) != \
            (info.kind, info.unit_id, info.sequence, info.rows, info.batch_id, info.format_version):
        raise refuse("署名の記載(種類・送付元・番号・行数)と管理情報が一致しません")
    if v.key and v.key.prefecture_code and unit.get("prefecture_code") not in (None, v.key.prefecture_code):
        raise refuse("送付元の都道府県が鍵の登録内容と一致しません")
    sheet_name = sheet.get("name")
    # Any worksheet besides the one compared below is scanned now (a signed file has no other).
    for part in sorted(pkg.unscanned - {SHEET_PART}):
        pkg.read(part)
    if pkg.formula_parts:
        raise refuse(FORMULA_MESSAGE, sheet=sheet_name)
    rows = _cells_agree(pkg, name, meta, refuse)
    pref = meta.get("prefecture") or {}
    warnings = list(pkg.warnings) + list(v.warnings)
    is_test = kind == "test" or bool(meta.get("test"))
    if is_test:
        warnings.append("試験送付のファイルです。署名を確認しました(行は取り込みません)")
    return ExchangeDocument(
        path=path, file_sha256=file_hash, signed=True, signature=v.status, kind=kind, rows=rows,
        prefecture_code=pref.get("code") or unit.get("prefecture_code"), prefecture=pref.get("name"),
        unit_id=unit.get("id"), unit_name=unit.get("name") or (v.key.unit_name if v.key else None),
        tier=unit.get("tier"), key_id=v.key_id, sequence=meta.get("sequence"), batch_id=meta.get("batch_id"),
        format_version=meta["format_version"], created_at=meta.get("created_at"), is_test=is_test,
        warnings=warnings, metadata={k: val for k, val in meta.items() if k != "rows"},
    )


_CORE = ("account_id", "account_id_raw", "user_name", "organization", "case_type", "refinement", "station",
         "recognized_on", "recognized_on_text")
_NOT_EXTRA = frozenset(_CORE) | {"id", "number", "entered_by", "verified_by"}


def _sheet_cells(xml: bytes) -> dict[str, str]:
    """Cell reference → the text a spreadsheet stores (inline string text or the <v> value).

    Safe with the standard (C-accelerated) parser: ``zipcheck`` has refused any part holding a
    DOCTYPE or ENTITY declaration or a NUL byte (so no UTF-16 spelling of one either), and without a
    DTD expat knows only the five predefined entities. The part is also signed. defusedxml's
    pure-Python tree builder made this step several times slower than the whole calamine read.
    """
    root = ET.fromstring(xml)
    out: dict[str, str] = {}
    for c in root.iter(f"{{{_NS}}}c"):
        ref = c.get("r")
        if not ref:
            continue
        if c.get("t") == "inlineStr":
            out[ref] = "".join(t.text or "" for t in c.iter(f"{{{_NS}}}t"))
        else:
            v = c.find(f"{{{_NS}}}v")
            if v is not None and v.text is not None:
                out[ref] = v.text
    return out


def _cells_agree(pkg, name: str, meta: dict, refuse) -> list[ExchangeRow]:
    """Read the verified sheet and require every shown cell to equal the signed metadata."""
    sheet = meta["sheet"]
    sheet_name, first = sheet["name"], int(sheet["first_data_row"])
    columns: list[str] = list(sheet["columns"])
    if SHEET_PART not in pkg.names or "xl/workbook.xml" not in pkg.names:
        raise refuse("シートの構成が署名時の管理情報と一致しません")
    if any(not isinstance(r, dict) for r in meta["rows"]):
        raise refuse("管理情報の行が読めません")
    workbook = pkg.read("xl/workbook.xml")
    values = _row_values(meta["rows"])
    # Fast path: sheet and workbook.xml exactly as the metadata renders them, column by column (the
    # columns taken from the row values the result is built from anyway).
    if signed_sheet_matches(pkg.read_unscanned(SHEET_PART), workbook, meta, values):
        return _rows(meta, sheet_name, first, values)
    spec = _signed_spec(meta)
    # Our own workbook.xml for this sheet proves "one visible sheet of that name" without a parse.
    if not (_workbook_identical(workbook, spec) or _only_sheet(workbook, sheet_name)):
        raise refuse("シートの構成が署名時の管理情報と一致しません")
    if not _renders_identically(pkg.read_unscanned(SHEET_PART), spec):
        form = FORMS.get(meta.get("form") or "", LINE_WORKS)
        labels = {c.key: c.label for c in form.columns}
        letters = [column_letter(i + 1) for i in range(len(columns))]
        # Not byte-identical to what this version would write (an older writer, say): compare cell by
        # cell. Only now is the sheet parsed, so only now must it pass the content scan (no DOCTYPE,
        # ENTITY or NUL; read() refuses those) and the formula check. A byte-identical sheet needs
        # neither: our rendering escapes every "<" of the data, so it holds no <!DOCTYPE and no <f>.
        sheet_bytes = pkg.read(SHEET_PART)
        if SHEET_PART in pkg.formula_parts:
            raise refuse(FORMULA_MESSAGE, sheet=sheet_name)
        try:
            cells = _sheet_cells(sheet_bytes)
        except ET.ParseError:
            raise refuse("シートを読み取れません(ファイルが壊れています)", sheet=sheet_name) from None
        for i, r in enumerate(meta["rows"]):
            sheet_row = first + i
            for letter, key in zip(letters, columns):
                if cells.get(f"{letter}{sheet_row}", "") != _expected(key, r, i + 1):
                    raise refuse("セルの内容が署名された管理情報と一致しません", sheet=sheet_name, row=sheet_row,
                                 column=letter, column_label=labels.get(key, key))
    return _rows(meta, sheet_name, first, values)


def _row_values(rows: list[dict]) -> list[dict[str, Any]]:
    """Each metadata row's ``values``: every core key, None where the row lacks it (rows are dicts)."""
    return [{k: r.get(k) for k in _CORE} for r in rows]


def _rows(meta: dict, sheet_name: str, first: int, values: list[dict[str, Any]]) -> list[ExchangeRow]:
    """The signed metadata's rows, once the sheet is proven to show them (``values`` from
    ``_row_values``, finished here: an account ID signed only as typed is normalised)."""
    rows = meta["rows"]
    for v in values:
        if v["account_id"] is None and v["account_id_raw"]:
            v["account_id"] = normalize_account_id(v["account_id_raw"])
    not_extra = _NOT_EXTRA
    # Extra fields are rare (only some document kinds carry them): look at every key once.
    if set().union(*rows) <= not_extra:
        return [ExchangeRow(n, v, r.get("id"), r.get("entered_by"), r.get("verified_by"), sheet_name, row, {})
                for n, row, v, r in zip(range(1, len(rows) + 1), range(first, first + len(rows)), values, rows)]
    out: list[ExchangeRow] = []
    for i, (v, r) in enumerate(zip(values, rows)):
        extra = {k: val for k, val in r.items() if k not in not_extra}
        out.append(ExchangeRow(i + 1, v, r.get("id"), r.get("entered_by"), r.get("verified_by"), sheet_name, first + i,
                               extra))
    return out


def _signed_spec(meta: dict):
    """The ``SheetSpec`` the signer rendered, rebuilt from the signed metadata (None if it cannot be)."""
    from desktop_app.exchange.workbook_writer import ColumnSpec, SheetSpec
    from desktop_app.exchange.writer import sheet_cell_rows

    layout = meta["sheet"].get("layout")
    if not isinstance(layout, dict):
        return None
    try:
        spec = SheetSpec(title=layout["title"], columns=[ColumnSpec(*c) for c in layout["columns"]],
                         rows=sheet_cell_rows(meta["rows"]), header_fields=[tuple(h) for h in layout["header_fields"]],
                         sheet_name=meta["sheet"]["name"], corner_label=layout["corner_label"],
                         min_rows=int(layout["min_rows"]), note=layout["note"])
        if spec.first_data_row != int(meta["sheet"]["first_data_row"]):
            return None
    except (KeyError, TypeError, ValueError, AttributeError):  # hostile layout values
        return None
    return spec


def _workbook_identical(workbook: bytes, spec) -> bool:
    from desktop_app.exchange.workbook_writer import workbook_xml

    if spec is None:
        return False
    try:
        return workbook_xml([spec]) == workbook
    except (TypeError, ValueError, AttributeError):
        return False


def _renders_identically(sheet_bytes: bytes, spec) -> bool:
    """Fast path: re-render the sheet from the signed metadata and compare bytes.

    Equal bytes prove every cell (and every style, width, print setting) is what the metadata says,
    without parsing the sheet at all.
    """
    from desktop_app.exchange.workbook_writer import sheet_xml

    if spec is None:
        return False
    if max(len(spec.rows), spec.min_rows) > len(sheet_bytes) // 16:
        return False  # every rendered row takes more than 16 bytes: cannot match (and no huge render)
    try:
        return sheet_xml(spec) == sheet_bytes
    except (KeyError, TypeError, ValueError, AttributeError):  # hostile layout values: just not identical
        return False


def _only_sheet(workbook_xml: bytes, sheet_name: str) -> bool:
    root = ET.fromstring(workbook_xml)  # scanned like the sheet: no DTD, no NUL
    sheets = [s for s in root.iter(f"{{{_NS}}}sheet")]
    return len(sheets) == 1 and sheets[0].get("name") == sheet_name and sheets[0].get("state") in (None, "visible")


def _expected(key: str, row: dict, number: int) -> str:
    """What the writer put in the cell for this metadata row."""
    if key == "number":
        return str(row.get("number") or number)
    value = row.get(key)
    if key == "case_type" and value:
        value = case_types.label(value, row.get("refinement"))
    if key == "recognized_on":
        if value:
            try:
                return str(excel_serial(dt.date.fromisoformat(str(value)[:10])))
            except ValueError:
                return "\0invalid"
        value = row.get("recognized_on_text")
    if value is None or value == "":
        return ""
    return excel_escape(str(value))
