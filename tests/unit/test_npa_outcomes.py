"""Outcomes: by hand, and from the provider's result workbook (good, bad, hostile; all-or-nothing)."""
from __future__ import annotations

import datetime as dt
import io
import zipfile

import openpyxl
import pytest

from desktop_app.npa.outcomes import OutcomeService
from desktop_app.services.errors import ServiceError

TODAY = dt.date(2026, 11, 20)


@pytest.fixture
def svc(blank_ctx):
    blank_ctx.setup.initialise("npa")
    s = OutcomeService(blank_ctx.database, today=lambda: TODAY)
    with blank_ctx.database.transaction():
        s.repo.upsert_requests([
            {"row_id": f"r{i}", "account_id": f"user{i}@example.co.jp", "prefecture": "大阪府",
             "prefecture_code": "27", "station": "中央警察署", "case_type": "特殊詐欺",
             "recognized_on": "2026-10-01", "requested_on": "2026-10-05"}
            for i in range(1, 4)
        ])
    return s


def outcome_of(svc, account):
    o = svc.repo.outcome(account)
    return (o["outcome"], o["outcome_on"]) if o else None


def test_set_by_hand_normalises_the_id_and_audits(svc, blank_ctx):
    svc.set_outcome("ＵＳＥＲ１@example.co.jp", "利用停止", "令和8年10月9日", officer_id=None, note="電話で確認")
    assert outcome_of(svc, "user1@example.co.jp") == ("suspended", "2026-10-09")
    svc.set_outcome("user1@example.co.jp", "削除", "2026-10-12", officer_id=None)
    assert outcome_of(svc, "user1@example.co.jp") == ("deleted", "2026-10-12")
    audit = list(blank_ctx.audit.rows(action_prefix="npa.outcome"))
    assert [a["detail"]["outcome"] for a in audit] == ["suspended", "deleted"]
    assert audit[1]["detail"]["before"] == {"outcome": "suspended", "outcome_on": "2026-10-09"}


@pytest.mark.parametrize("account, outcome, day, message", [
    ("nobody@example.co.jp", "削除", "2026-10-09", "依頼していません"),
    ("user1@example.co.jp", "凍結", "2026-10-09", "いずれか"),
    ("user1@example.co.jp", "削除", "2026-12-01", "未来"),
    ("user1@example.co.jp", "削除", "2026-10-01", "依頼日"),
    ("user1@example.co.jp", "削除", "10月9日ごろ", "日付"),
])
def test_set_by_hand_refuses_with_a_japanese_reason(svc, account, outcome, day, message):
    with pytest.raises(ServiceError, match=message):
        svc.set_outcome(account, outcome, day, officer_id=None)
    assert svc.repo.outcomes() == {}


def test_pending_needs_no_date_and_acted_defaults_to_today(svc):
    svc.set_outcome("user2@example.co.jp", "確認中", None, officer_id=None)
    assert outcome_of(svc, "user2@example.co.jp") == ("pending", None)
    svc.set_outcome("user2@example.co.jp", "措置なし", None, officer_id=None)
    assert outcome_of(svc, "user2@example.co.jp") == ("no_action", TODAY.isoformat())


def result_book(path, rows, *, header_row=3, header=("No.", "アカウント ID", "対応結果", "対応日", "備考")):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "結果"
    ws.cell(1, 1, "LINE WORKS 利用停止依頼 対応結果")
    for c, h in enumerate(header, start=1):
        ws.cell(header_row, c, h)
    for r, values in enumerate(rows, start=header_row + 1):
        for c, v in enumerate(values, start=1):
            ws.cell(r, c, v)
    wb.save(path)
    return path


def test_import_tolerant_result_workbook(svc, tmp_path):
    path = result_book(tmp_path / "結果.xlsx", [
        (1, "ｕｓｅｒ１＠example.co.jp", "利用停止済み", dt.datetime(2026, 10, 8), "x"),
        (None, None, None, None, None),  # a blank row in the middle
        (2, "user2@example.co.jp", "削除", "令和8年10月10日", None),
        (3, " user3@example.co.jp\u200b", "確認中", None, None),
    ])
    res = svc.import_result_workbook(path, officer_id=None)
    assert res.status == "imported", res.errors
    assert (res.rows, res.changed) == (3, 3)
    assert outcome_of(svc, "user1@example.co.jp") == ("suspended", "2026-10-08")
    assert outcome_of(svc, "user2@example.co.jp") == ("deleted", "2026-10-10")
    assert outcome_of(svc, "user3@example.co.jp") == ("pending", None)
    again = svc.import_result_workbook(path, officer_id=None)
    assert again.status == "already_imported" and "取り込み済み" in again.warnings[0]


def test_bad_rows_refuse_the_whole_file_naming_sheet_row_and_column(svc, tmp_path):
    path = result_book(tmp_path / "bad.xlsx", [
        (1, "user1@example.co.jp", "利用停止", "2026/10/8", None),  # fine on its own
        (2, "user2@example.co.jp", "凍結", "2026/10/8", None),  # unknown outcome
        (3, "stranger@example.co.jp", "削除", "2026/10/8", None),  # never requested
        (4, "user3@example.co.jp", "削除", "2027/1/8", None),  # future
    ])
    res = svc.import_result_workbook(path, officer_id=None)
    assert res.status == "refused"
    by_row = {e["row"]: e for e in res.errors}
    assert by_row[5]["sheet"] == "結果" and by_row[5]["column"] == "C" and "凍結" in by_row[5]["message"]
    assert by_row[7]["column"] == "D" and "未来" in by_row[7]["message"]
    assert svc.repo.outcomes() == {}  # nothing, not even the good first row
    # the unknown account is reported once the readable rows are checked against the requests
    fixed = result_book(tmp_path / "bad2.xlsx", [(1, "user1@example.co.jp", "利用停止", "2026/10/8", None),
                                                 (2, "stranger@example.co.jp", "削除", "2026/10/8", None)])
    res = svc.import_result_workbook(fixed, officer_id=None)
    assert res.status == "refused" and res.errors[0]["row"] == 5 and "stranger" in res.errors[0]["message"]
    assert svc.repo.outcomes() == {}


def test_formula_cells_and_conflicting_duplicates_are_refused(svc, tmp_path):
    path = result_book(tmp_path / "f.xlsx", [(1, "user1@example.co.jp", '=IF(1,"削除")', "2026/10/8", None)])
    res = svc.import_result_workbook(path, officer_id=None)
    assert res.status == "refused" and "数式" in res.errors[0]["message"]
    path = result_book(tmp_path / "d.xlsx", [(1, "user1@example.co.jp", "削除", "2026/10/8", None),
                                             (2, "USER1@example.co.jp", "措置なし", "2026/10/9", None)])
    res = svc.import_result_workbook(path, officer_id=None)
    assert res.status == "refused" and "異なる結果" in res.errors[0]["message"]


def test_a_sheet_without_the_headings_is_refused(svc, tmp_path):
    path = result_book(tmp_path / "h.xlsx", [(1, "user1@example.co.jp")], header=("番号", "メモ"))
    res = svc.import_result_workbook(path, officer_id=None)
    assert res.status == "refused" and "見出し" in res.errors[0]["message"]


def _zip(entries):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in entries:
            z.writestr(name, data)
    return buf.getvalue()


@pytest.mark.parametrize("name, data, message", [
    ("text.xlsx", b"account,outcome\nuser1@example.co.jp,deleted\n", "Excelブック"),
    ("old.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512, ".xls"),
    ("truncated.xlsx", None, "壊れて"),
    ("slip.xlsx", _zip([("../../evil.xml", b"x")]), "不正な名前"),
    ("bomb.xlsx", _zip([("xl/worksheets/sheet1.xml", b"<a>" + b" " * (40 << 20) + b"</a>")]), "圧縮"),
    ("xxe.xlsx", _zip([("[Content_Types].xml", b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>')]), ""),
    ("macro.xlsx", _zip([("xl/vbaProject.bin", b"x")]), "マクロ"),
])
def test_hostile_files_are_refused_and_change_nothing(svc, tmp_path, name, data, message):
    path = tmp_path / name
    if data is None:
        good = result_book(tmp_path / "good.xlsx", [(1, "user1@example.co.jp", "削除", "2026/10/8", None)])
        data = good.read_bytes()[:300]
    path.write_bytes(data)
    res = svc.import_result_workbook(path, officer_id=None)
    assert res.status == "refused"
    assert res.errors and message in res.errors[0]["message"]
    assert svc.repo.outcomes() == {} and svc.repo.files() == []
