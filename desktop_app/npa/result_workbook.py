"""Reading the provider's result workbook (account ID + outcome + date), tolerantly and safely.

The provider's sheet is not ours: the header may sit on any of the first rows, the words vary
(アカウントID / トークID, 結果 / 措置 / 対応状況, 日付 / 措置日 …), there may be extra columns and blank
rows, IDs may be full-width, dates may be Excel dates or text (令和8年5月1日, R8.5.1, 2026/5/1). It is
still hostile: the bytes go through the exchange package's zip checks before openpyxl (with
defusedxml) sees them, formula cells are refused, and every finding names file, sheet, row, column.
Reading never writes anything; the caller imports all rows or none.
"""
from __future__ import annotations

import datetime as dt
import io
import logging
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from desktop_app.exchange.errors import ExchangeRefused, FileProblem, column_letter
from desktop_app.exchange.zipcheck import open_package
from desktop_app.normalize import normalize_account_id
from desktop_app.npa.outcome_kinds import Outcome, choices_text, parse_outcome
from desktop_app.wareki import WarekiError, parse_date

log = logging.getLogger(__name__)

MAX_ROWS = 200_000
MAX_PROBLEMS = 200
HEADER_SCAN_ROWS = 30
ACCOUNT_WORDS = ("アカウントid", "アカウント", "トークid", "accountid", "account", "id")
OUTCOME_WORDS = ("措置結果", "対応結果", "処理結果", "結果", "措置", "対応状況", "対応", "outcome", "result", "status")
DATE_WORDS = ("措置日", "対応日", "実施日", "結果日", "処理日", "年月日", "日付", "date")


class _TooMany(Exception):
    """Stop reading: enough problems (or rows) to report."""


@dataclass(frozen=True)
class ResultRow:
    account_id: str  # normalised
    account_id_raw: str
    outcome: Outcome
    outcome_on: dt.date | None
    sheet: str
    row: int


def _key(text: object) -> str:
    s = unicodedata.normalize("NFKC", str(text or "")).lower()
    return "".join(ch for ch in s if not ch.isspace() and ch not in "・/_-:：()（）")


def _find_column(header: list[str], words: tuple[str, ...], taken: set[int]) -> int | None:
    for word in words:  # most specific word first
        for i, cell in enumerate(header):
            if i not in taken and cell and (cell == word or (len(word) > 2 and word in cell)):
                return i
    return None


def _find_header(rows: list[tuple]) -> tuple[int, dict[str, int]] | None:
    for n, row in enumerate(rows):
        header = [_key(v) for v in row]
        taken: set[int] = set()
        acc = _find_column(header, ACCOUNT_WORDS, taken)
        if acc is None:
            continue
        taken.add(acc)
        out = _find_column(header, OUTCOME_WORDS, taken)
        if out is None:
            continue
        taken.add(out)
        day = _find_column(header, DATE_WORDS, taken)
        cols = {"account_id": acc, "outcome": out}
        if day is not None:
            cols["date"] = day
        return n, cols
    return None


def read_result_workbook(path: str | Path, *, today: dt.date) -> tuple[list[ResultRow], list[str]]:
    """Rows of the result workbook and warnings; raises ``ExchangeRefused`` listing every problem."""
    path = Path(path)
    name = path.name
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ExchangeRefused(name, [FileProblem(name, f"ファイルを読めません({exc.strerror or exc})")]) from None
    pkg = open_package(data, name, allow_hyperlinks=True)
    import openpyxl

    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False, keep_links=False,
                                    keep_vba=False)
    except Exception as exc:  # a file that passed the zip checks but is not a workbook openpyxl understands
        log.info("openpyxl refused %s: %s", name, exc)
        raise ExchangeRefused(name, [FileProblem(name, "Excelブックとして読めません。Excelで開いて保存し直してください")]) from None
    problems: list[FileProblem] = []
    warnings = list(pkg.warnings)
    out: list[ResultRow] = []
    seen: dict[str, ResultRow] = {}
    found_any = False
    try:
        for ws in wb.worksheets:
            cells_iter = ws.iter_rows()
            head_rows: list[tuple] = []
            for cells in cells_iter:
                head_rows.append(cells)
                if len(head_rows) >= HEADER_SCAN_ROWS:
                    break
            found = _find_header([tuple(c.value for c in r) for r in head_rows])
            if found is None:
                continue
            found_any = True
            header_index, cols = found
            if "date" not in cols:
                warnings.append(f"シート「{ws.title}」に日付の列がありません。措置の日付は空として扱います")

            def rows():
                yield from head_rows[header_index + 1:]
                yield from cells_iter

            for cells in rows():
                if not cells:
                    continue
                sheet_row = getattr(cells[0], "row", None)
                values = {k: (cells[i] if i < len(cells) else None) for k, i in cols.items()}
                raw_vals = {k: (c.value if c is not None else None) for k, c in values.items()}
                if all(v is None or str(v).strip() == "" for v in raw_vals.values()):
                    continue
                if len(out) >= MAX_ROWS:
                    problems.append(FileProblem(name, f"行が多すぎます(上限 {MAX_ROWS:,} 行)", sheet=ws.title))
                    raise _TooMany

                def where(key: str, label: str) -> dict:
                    return {"sheet": ws.title, "row": sheet_row, "column": column_letter(cols[key] + 1),
                            "column_label": label}

                bad = False
                for key, label in (("account_id", "アカウントID"), ("outcome", "結果"), ("date", "日付")):
                    c = values.get(key)
                    if c is not None and getattr(c, "data_type", None) == "f":
                        problems.append(FileProblem(name, "数式のセルは読み込めません。値として貼り付け直してください",
                                                    **where(key, label)))
                        bad = True
                if bad:
                    continue
                raw = str(raw_vals["account_id"] or "").strip()
                account = normalize_account_id(raw)
                if not account:
                    problems.append(FileProblem(name, "アカウントIDが空です", **where("account_id", "アカウントID")))
                    continue
                outcome = parse_outcome(raw_vals["outcome"])
                if outcome is None:
                    problems.append(FileProblem(
                        name, f"結果「{str(raw_vals['outcome'] or '')[:20]}」が読めません({choices_text()}のいずれか)",
                        **where("outcome", "結果")))
                    continue
                day = None
                if raw_vals.get("date") not in (None, ""):
                    try:
                        day = parse_date(raw_vals["date"], today=today)
                    except WarekiError as exc:
                        problems.append(FileProblem(name, str(exc), **where("date", "日付")))
                        continue
                    if day > today:
                        problems.append(FileProblem(name, "未来の日付です", **where("date", "日付")))
                        continue
                row = ResultRow(account, raw, outcome, day, ws.title, sheet_row or 0)
                earlier = seen.get(account)
                if earlier and (earlier.outcome, earlier.outcome_on) != (outcome, day):
                    problems.append(FileProblem(
                        name, f"同じアカウントIDが{earlier.row}行目と異なる結果で記載されています",
                        **where("account_id", "アカウントID")))
                    continue
                if earlier is None:
                    seen[account] = row
                    out.append(row)
                if len(problems) >= MAX_PROBLEMS:
                    raise _TooMany
    except _TooMany:
        pass
    finally:
        wb.close()
    if not found_any:
        problems.append(FileProblem(name, "「アカウントID」と「結果」(措置・対応)の見出しがあるシートが見つかりません"))
    if problems:
        raise ExchangeRefused(name, problems)
    return out, warnings
