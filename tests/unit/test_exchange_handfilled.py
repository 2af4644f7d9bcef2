"""Hand-filled 別添 workbooks (no Teishi at the station) are read tolerantly and marked unsigned."""
from __future__ import annotations

import datetime as dt

import openpyxl
import pytest

from desktop_app.exchange.errors import ExchangeRefused
from desktop_app.exchange.reader import read_exchange_file
from desktop_app.exchange.verify import StaticTrust


def _save(wb, path):
    wb.save(path)
    return path


def template(ws, *, start=1, pref_cells=("都道府県", "大阪府"), header=None):
    ws.cell(row=start, column=1, value="LINE WORKSの犯行利用アカウント情報")
    for i, v in enumerate(pref_cells):
        ws.cell(row=start + 2, column=1 + i, value=v)
    header = header or ["番号", "アカウントID", "ユーザー名", "企業/団体名", "類型", "警察署", "認知日"]
    for i, h in enumerate(header, start=1):
        ws.cell(row=start + 4, column=i, value=h)
    return start + 5


def test_the_plain_template_filled_in_excel(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    r = template(ws)
    ws.append([1, "fraud-01@example.co.jp", "山田", "株式会社A", "SNS型投資詐欺", "中央警察署", dt.datetime(2026, 3, 2)])
    ws.append([2, "other@example.co.jp", "鈴木", "", "特殊詐欺", "北警察署", "令和8年3月2日"])
    for n in range(3, 21):
        ws.append([n])  # the numbered, empty template rows
    doc = read_exchange_file(_save(wb, tmp_path / "plain.xlsx"), StaticTrust())
    assert (doc.signed, doc.signature, doc.kind) == (False, "absent", "handfilled")
    assert doc.prefecture == "大阪府" and doc.prefecture_code == "27"
    assert [r.values["recognized_on"] for r in doc.rows] == ["2026-03-02", "2026-03-02"]
    assert doc.rows[0].sheet_row == r and all(row.row_id is None for row in doc.rows)
    assert "署名のない" in doc.warnings[0]


def test_variant_headers_any_row_any_sheet_shared_prefecture_cell(tmp_path):
    wb = openpyxl.Workbook()
    wb.active.title = "表紙"
    wb.active["A1"] = "送付書"
    ws = wb.create_sheet("別添(記入用)")
    template(ws, start=7, pref_cells=("都道府県：兵庫県",),
             header=["No.", "備考", "アカウント ID", "ユーザ名", "企業・団体名", "類型", "警察署名", "認知年月日"])
    ws.append([1, "メモ", "ＦＲＡＵＤ－０１＠ｅｘａｍｐｌｅ．ｃｏ．ｊｐ", "ｻﾝﾌﾟﾙ", "", "オレオレ詐欺", "神戸", "R8.3.2"])
    ws.append([])
    ws.append([])
    ws.append([2, "", "a\u200bbc@example.jp", "b", "", "SNS型ロマンス詐欺", "神戸", "2026/3/2"])
    for n in range(3, 30):
        ws.append([n, "", f"bulk{n}@example.jp", "x", "", "特殊詐欺", "神戸", 46083])
    doc = read_exchange_file(_save(wb, tmp_path / "variant.xlsx"), StaticTrust())
    assert doc.prefecture_code == "28"
    assert len(doc.rows) == 29  # blank rows skipped, more than 20 rows kept
    first, second = doc.rows[0], doc.rows[1]
    assert first.values["account_id"] == "fraud-01@example.co.jp"
    assert first.values["account_id_raw"].startswith("ＦＲＡＵＤ")  # what was written stays as evidence
    assert (first.values["case_type"], first.values["refinement"]) == ("特殊詐欺", "オレオレ詐欺")
    assert first.values["user_name"] == "ｻﾝﾌﾟﾙ"
    assert second.values["account_id"] == "abc@example.jp"
    assert {r.values["recognized_on"] for r in doc.rows} == {"2026-03-02"}
    assert [r.number for r in doc.rows] == list(range(1, 30))
    assert any("全角" in w for w in doc.warnings)


def test_prefecture_in_the_next_cell_and_unreadable_date_is_a_warning(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    template(ws, pref_cells=("都道府県", "", "東京都"))
    ws.append([1, "x1@example.jp", "n", "", "特殊詐欺", "丸の内", "先週の火曜"])
    doc = read_exchange_file(_save(wb, tmp_path / "t.xlsx"), StaticTrust())
    assert doc.prefecture_code == "13"
    assert doc.rows[0].values["recognized_on"] is None
    assert doc.rows[0].values["recognized_on_text"] == "先週の火曜"
    assert any("G6" not in w and "6行目" in w and "認知日" in w for w in doc.warnings)


def test_no_header_is_refused_with_a_message(tmp_path):
    wb = openpyxl.Workbook()
    wb.active.append(["名簿", "氏名"])
    with pytest.raises(ExchangeRefused) as err:
        read_exchange_file(_save(wb, tmp_path / "other.xlsx"), StaticTrust())
    assert "見出し行" in str(err.value) and "other.xlsx" in str(err.value)


def test_template_with_no_rows_is_refused(tmp_path):
    wb = openpyxl.Workbook()
    template(wb.active)
    with pytest.raises(ExchangeRefused) as err:
        read_exchange_file(_save(wb, tmp_path / "empty.xlsx"), StaticTrust())
    assert "記入された行がありません" in str(err.value)


def test_formula_in_a_hand_filled_cell_is_refused_with_location(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    template(ws)
    ws.append(["=ROW()-5", "x1@example.jp", "n", "", "特殊詐欺", "中央", "R8.3.2"])
    with pytest.raises(ExchangeRefused) as err:
        read_exchange_file(_save(wb, tmp_path / "f.xlsx"), StaticTrust())
    p = err.value.problems[0]
    assert (p.sheet, p.row, p.column) == ("Sheet", 6, "A")


def test_typed_email_hyperlink_is_tolerated(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    template(ws)
    ws.append([1, "x1@example.jp", "n", "", "特殊詐欺", "中央", "R8.3.2"])
    ws["B6"].hyperlink = "mailto:x1@example.jp"  # Excel does this by itself when an ID is typed
    doc = read_exchange_file(_save(wb, tmp_path / "link.xlsx"), StaticTrust())
    assert doc.rows[0].values["account_id"] == "x1@example.jp"
    assert any("ハイパーリンク" in w for w in doc.warnings)


def test_xls_gets_resave_instructions(tmp_path):
    p = tmp_path / "old.xls"
    p.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    with pytest.raises(ExchangeRefused) as err:
        read_exchange_file(p, StaticTrust())
    assert ".xlsx" in str(err.value) and "名前を付けて保存" in str(err.value)


def test_other_prefecture_refused_when_expected(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    template(ws, pref_cells=("都道府県", "京都府"))
    ws.append([1, "x1@example.jp", "n", "", "特殊詐欺", "中央", "R8.3.2"])
    path = _save(wb, tmp_path / "kyoto.xlsx")
    with pytest.raises(ExchangeRefused) as err:
        read_exchange_file(path, StaticTrust(), expect_prefecture="27")
    assert "京都府" in str(err.value)


@pytest.mark.skipif(__import__("shutil").which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_a_template_saved_by_another_spreadsheet_program_reads_the_same(tmp_path):
    # LibreOffice writes its zip with data descriptors after each entry (openpyxl does not): the zip
    # checks must take a spreadsheet program's ordinary layout, not only ours.
    import subprocess

    wb = openpyxl.Workbook()
    template(wb.active)
    wb.active.append([1, "fraud-01@example.co.jp", "山田", "株式会社A", "SNS型投資詐欺", "中央警察署", dt.datetime(2026, 3, 2)])
    src = _save(wb, tmp_path / "hand.xlsx")
    out = tmp_path / "lo"
    subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp_path}/lo-profile", "--headless", "--convert-to", "xlsx",
                    "--outdir", str(out), str(src)], check=True, capture_output=True, timeout=180)
    resaved = out / "hand.xlsx"
    import zipfile

    assert any(i.flag_bits & 0x08 for i in zipfile.ZipFile(resaved).infolist())  # data descriptors present
    doc = read_exchange_file(resaved, StaticTrust())
    assert (doc.signed, doc.kind, doc.prefecture) == (False, "handfilled", "大阪府")
    assert [(r.values["account_id"], r.values["recognized_on"]) for r in doc.rows] == [("fraud-01@example.co.jp", "2026-03-02")]
