"""Tolerant reading of unsigned, hand-filled 別添 workbooks (stations that do not have Teishi yet).

Called by ``reader.read_exchange_file`` after the zip checks, when the file carries no Teishi
signature. What it tolerates: the table on any sheet and starting on any row; header words that
vary (the ``Column.aliases`` of the form, compared after NFKC with spaces removed); 都道府県 in the
same cell as its label (「都道府県:大阪府」) or the cell beside it; extra columns; blank rows; more
than 20 rows; full-width letters and invisible characters in IDs (normalised, the typed text kept);
dates as Excel dates, as serial numbers, or as text (令和8年3月2日, R8.3.2, 2026/3/2).

What it refuses (naming sheet, row and column): formula cells, a workbook with no recognisable
header, a workbook with no rows. The result is always marked unsigned: HQ must have a person
confirm it.
"""
from __future__ import annotations

import datetime as dt
import io
import logging
import re
import unicodedata
from pathlib import Path
from typing import Any

from desktop_app import case_types, resources
from desktop_app.exchange.errors import ExchangeRefused, FileProblem, column_letter
from desktop_app.exchange.reader import ExchangeDocument, ExchangeRow, assert_safe_xml_parsing
from desktop_app.forms import LINE_WORKS, FormDefinition
from desktop_app.normalize import normalize_account_id, normalize_display_text, strip_invisible
from desktop_app.wareki import WarekiError, parse_date

log = logging.getLogger(__name__)

MAX_ROWS = 20_000
MAX_COLS = 60
HEADER_SCAN_ROWS = 60
_EXCEL_EPOCH = dt.date(1899, 12, 30)


def _key(text: Any) -> str:
    s = unicodedata.normalize("NFKC", strip_invisible(str(text or ""))).casefold()
    return re.sub(r"[\s・/／_\-:：()（）]", "", s)


def _aliases(form: FormDefinition) -> dict[str, str]:
    out: dict[str, str] = {}
    for col in form.columns:
        for word in (col.label, *col.aliases):
            out.setdefault(_key(word), col.key)
    return out


def _header_map(cells: list[Any], aliases: dict[str, str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for idx, value in enumerate(cells):
        if not isinstance(value, str):
            continue
        key = aliases.get(_key(value))
        if key and key not in found:
            found[key] = idx
    return found


def _prefecture_in(rows: list[list[Any]]) -> str | None:
    for cells in rows:
        for idx, value in enumerate(cells):
            if not isinstance(value, str):
                continue
            text = unicodedata.normalize("NFKC", value).strip()
            if not text.startswith("都道府県"):
                continue
            rest = re.sub(r"^都道府県(名)?\s*[:：]?\s*", "", text)
            if rest:
                return rest
            for nxt in cells[idx + 1:]:
                if isinstance(nxt, str) and nxt.strip():
                    return unicodedata.normalize("NFKC", nxt).strip()
    return None


def _date(value: Any) -> tuple[str | None, str | None]:
    """(ISO date or None, the text as written)."""
    if isinstance(value, dt.datetime):
        return value.date().isoformat(), None
    if isinstance(value, dt.date):
        return value.isoformat(), None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if 20000 < value < 80000:  # an Excel serial in a cell without a date format
            return (_EXCEL_EPOCH + dt.timedelta(days=int(value))).isoformat(), str(value)
        return None, str(value)
    text = str(value).strip()
    try:
        return parse_date(text).isoformat(), text
    except WarekiError:
        return None, text


def read_handfilled(pkg, path: Path, file_hash: str, *, form: FormDefinition = LINE_WORKS) -> ExchangeDocument:
    import openpyxl

    assert_safe_xml_parsing()
    name = path.name

    def refuse(message: str, **where: Any) -> ExchangeRefused:
        return ExchangeRefused(name, [FileProblem(name, message, **where)], signature="absent")

    try:
        wb = openpyxl.load_workbook(io.BytesIO(pkg.data), read_only=True, data_only=False, keep_links=False,
                                    keep_vba=False, rich_text=False)
    except Exception:  # openpyxl raises many types on malformed parts; all refuse the file
        raise refuse("Excelブックとして読み取れません(ファイルが壊れているか、別添様式ではありません)") from None
    aliases = _aliases(form)
    labels = {c.key: c.label for c in form.columns}
    warnings = list(pkg.warnings)
    try:
        for ws in wb.worksheets:
            found = _read_sheet(ws, aliases, labels, refuse, warnings)
            if found is not None:
                pref_text, rows = found
                break
        else:
            raise refuse("別添様式の見出し行(アカウントID・ユーザー名・認知日など)が見つかりません。"
                         "別添様式のファイルか確認してください")
        hidden = [ws.title for ws in wb.worksheets if ws.sheet_state != "visible"]
        if hidden:
            warnings.append(f"非表示のシートがあります({'、'.join(hidden)})。内容は読み込んでいません")
    finally:
        wb.close()
    pref_code = pref_name = None
    if pref_text:
        try:
            p = resources.prefecture(pref_text.replace("警察本部", "").strip())
            pref_code, pref_name = p.code, p.name
        except KeyError:
            warnings.append(f"都道府県「{pref_text}」が読み取れません")
    else:
        warnings.append("都道府県が記入されていません")
    warnings.insert(0, "署名のない手作業のファイルです。内容を担当者が確認してから取り込んでください")
    return ExchangeDocument(path=path, file_sha256=file_hash, signed=False, signature="absent", kind="handfilled",
                            rows=rows, prefecture_code=pref_code, prefecture=pref_name or pref_text,
                            warnings=warnings)


def _read_sheet(ws, aliases, labels, refuse, warnings) -> tuple[str | None, list[ExchangeRow]] | None:
    above: list[list[Any]] = []
    header: dict[str, int] | None = None
    header_row = 0
    rows: list[ExchangeRow] = []
    blank_run = 0
    for r_idx, cells in enumerate(ws.iter_rows(max_col=MAX_COLS), start=1):
        if r_idx > MAX_ROWS + HEADER_SCAN_ROWS:
            raise refuse(f"行が多すぎます(上限 {MAX_ROWS} 行)", sheet=ws.title)
        values = []
        for c_idx, cell in enumerate(cells, start=1):
            if getattr(cell, "data_type", None) == "f":
                raise refuse("数式が入ったセルがあります。数式を値に置き換えて(コピーして「値の貼り付け」)保存し直してください",
                             sheet=ws.title, row=r_idx, column=column_letter(c_idx))
            values.append(getattr(cell, "value", None))
        if header is None:
            if r_idx > HEADER_SCAN_ROWS:
                return None
            found = _header_map(values, aliases)
            if "account_id" in found and len(found) >= 3:
                header, header_row = found, r_idx
            else:
                above.append(values)
            continue
        row = _data_row(values, header, ws.title, r_idx, labels, warnings)
        if row is None:
            blank_run += 1
            continue
        blank_run = 0
        row.number = len(rows) + 1
        rows.append(row)
    if header is None:
        return None
    if not rows:
        raise refuse("別添様式に記入された行がありません", sheet=ws.title, row=header_row)
    return _prefecture_in(above), rows


def _data_row(values: list[Any], header: dict[str, int], sheet: str, r_idx: int, labels,
              warnings: list[str]) -> ExchangeRow | None:
    def get(key: str) -> Any:
        i = header.get(key)
        v = values[i] if i is not None and i < len(values) else None
        return v.strip() if isinstance(v, str) else v

    data_keys = [k for k in header if k != "number"]
    if all(get(k) in (None, "") for k in data_keys):
        return None
    raw_id = get("account_id")
    raw_id = "" if raw_id is None else str(raw_id)
    out: dict[str, Any] = {"account_id_raw": raw_id or None, "account_id": normalize_account_id(raw_id) or None}
    for key in ("user_name", "organization", "station"):
        v = get(key)
        out[key] = (normalize_display_text(str(v)) or None) if v not in (None, "") else None
    ct = get("case_type")
    parsed = case_types.parse_label(str(ct)) if ct not in (None, "") else None
    out["case_type"], out["refinement"] = parsed if parsed else ((str(ct) if ct not in (None, "") else None), None)
    iso, text = _date(get("recognized_on")) if get("recognized_on") not in (None, "") else (None, None)
    out["recognized_on"], out["recognized_on_text"] = iso, text
    if text and iso is None:
        col = header.get("recognized_on", 0) + 1
        warnings.append(f"シート「{sheet}」{r_idx}行目 {column_letter(col)}列(認知日): 「{text}」が日付として読めません")
    if raw_id and raw_id != out["account_id"] and normalize_account_id(raw_id) != raw_id.strip().lower():
        col = header["account_id"] + 1
        warnings.append(f"シート「{sheet}」{r_idx}行目 {column_letter(col)}列(アカウントID): 全角文字や見えない文字を"
                        f"直して「{out['account_id']}」として読みました")
    return ExchangeRow(number=0, values=out, sheet=sheet, sheet_row=r_idx)

