"""The exported 別添 workbook: looks like the form, keeps data inert, carries signed metadata."""
from __future__ import annotations

import datetime as dt
import json
import re
import zipfile

import openpyxl
import pytest

from desktop_app.entry import Status
from desktop_app.exchange.reader import read_exchange_file
from desktop_app.services.errors import NotAllowed
from desktop_app.services.export import ExportService
from tests.fixtures.exchange_files import SAMPLE_VALUES, export_station_file, key_service, trust_for, verified_rows


@pytest.fixture
def exported(station_ctx, officers, tmp_path):
    res = export_station_file(station_ctx, officers, tmp_path / "out.xlsx")
    return station_ctx, res


def test_injection_strings_read_back_as_text_and_no_formula_anywhere(exported):
    ctx, res = exported
    with zipfile.ZipFile(res.written.path) as zf:
        for name in zf.namelist():
            data = zf.read(name)
            assert not re.search(rb"<(\w+:)?f[\s>/]", data), name
            assert b"<hyperlink" not in data and b"TargetMode" not in data, name
    ws = openpyxl.load_workbook(res.written.path).active
    cells = {c.value: c for row in ws.iter_rows() for c in row if isinstance(c.value, str)}
    for text in ('=HYPERLINK("http://evil.example","click")', "+cmd|' /C calc'!A0", "@SUM(1)", "-2+3"):
        assert cells[text].data_type == "s"
        assert cells[text].quotePrefix, text  # stays text when someone re-edits the cell in Excel
    assert not ws._hyperlinks


def test_sheet_looks_like_the_form(exported):
    ctx, res = exported
    wb = openpyxl.load_workbook(res.written.path)
    ws = wb["別添"]
    assert ws["A2"].value == "LINE WORKSの犯行利用アカウント情報"
    assert (ws["A4"].value, ws["B4"].value) == ("都道府県", "大阪府")
    assert [c.value for c in ws[6]] == ["番号", "アカウントID", "ユーザー名", "企業/団体名", "類型", "警察署", "認知日"]
    numbers = [ws.cell(row=r, column=1).value for r in range(7, 27)]
    assert numbers == list(range(1, 21))  # the template's 20 numbered rows even with 4 filled
    assert ws["G7"].value == dt.datetime(2026, 3, 2) and "ggge" in ws["G7"].number_format
    assert ws["B8"].value == "tanaka.invest@d-lighted"  # normalised ID shown; what was typed travels in metadata
    assert ws["E8"].value == "特殊詐欺(オレオレ詐欺)"
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == 9
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToHeight == 0
    assert ws.print_title_rows == "$6:$6"  # the header row repeats on every printed page
    assert ws.column_dimensions["B"].width > 30


def test_more_rows_than_the_template(station_ctx, officers, tmp_path):
    values = [dict(SAMPLE_VALUES[0], account_id=f"bulk{n:03d}@example.jp") for n in range(25)]
    res = export_station_file(station_ctx, officers, tmp_path / "many.xlsx", values)
    doc = read_exchange_file(res.written.path, trust_for(station_ctx))
    assert [r.number for r in doc.rows] == list(range(1, 26))


def test_export_marks_rows_and_carries_stable_ids_and_officers(exported):
    ctx, res = exported
    entries = ctx.entries.list()
    assert {e.status for e in entries} == {Status.EXPORTED}
    assert {e.export_id for e in entries} == {res.export_id}
    meta = json.loads(zipfile.ZipFile(res.written.path).read("teishi/exchange.json"))
    assert [r["id"] for r in meta["rows"]] == [e.id for e in entries]
    assert {(r["entered_by"], r["verified_by"]) for r in meta["rows"]} == {("1001", "1002")}
    assert meta["rows"][1]["account_id_raw"] == "ＴＡＮＡＫＡ.invest@d-lighted"
    assert (meta["kind"], meta["sequence"], meta["format_version"]) == ("station_export", 1, 1)


def test_second_export_takes_only_new_rows_and_the_next_number(exported, officers, tmp_path):
    ctx, first = exported
    with pytest.raises(NotAllowed):
        ExportService(ctx, key_service(ctx)).export(tmp_path / "none.xlsx")
    assert not (tmp_path / "none.xlsx").exists()
    res = export_station_file(ctx, officers, tmp_path / "second.xlsx", SAMPLE_VALUES[:1])
    assert (res.exported, res.written.sequence) == (1, 2)


def test_unverified_rows_are_held_back(station_ctx, officers, tmp_path):
    verified_rows(station_ctx, officers, SAMPLE_VALUES[:2])
    station_ctx.entries.create(officers["1001"].id, SAMPLE_VALUES[2])  # still a draft
    svc = ExportService(station_ctx, key_service(station_ctx))
    preview = svc.preview()
    assert (len(preview.ready), len(preview.held_back)) == (2, 1)
    res = svc.export(tmp_path / "x.xlsx")
    assert (res.exported, res.held_back) == (2, 1)
    assert [e.status for e in station_ctx.entries.list()] == [Status.EXPORTED, Status.EXPORTED, Status.DRAFT]


def test_failed_write_marks_nothing_and_leaves_no_file(station_ctx, officers, tmp_path, monkeypatch):
    verified_rows(station_ctx, officers, SAMPLE_VALUES[:2])
    import desktop_app.services.export as export_mod

    def broken(*a, **k):
        raise OSError("disk full")

    monkeypatch.setattr(export_mod, "write_exchange_file", broken)
    with pytest.raises(OSError):
        ExportService(station_ctx, key_service(station_ctx)).export(tmp_path / "x.xlsx")
    assert {e.status for e in station_ctx.entries.list()} == {Status.VERIFIED}
    assert list(tmp_path.glob("*.xlsx")) == [] and list(tmp_path.glob(".*tmp")) == []


def test_test_export_is_marked_and_changes_no_row(station_ctx, officers, tmp_path):
    verified_rows(station_ctx, officers, SAMPLE_VALUES[:1])
    res = export_station_file(station_ctx, officers, tmp_path / "test.xlsx", test=True)
    assert res.test and res.written.kind == "test"
    assert {e.status for e in station_ctx.entries.list()} == {Status.VERIFIED}
    ws = openpyxl.load_workbook(res.written.path).active
    assert "試験" in ws["A3"].value
    doc = read_exchange_file(res.written.path, trust_for(station_ctx))
    assert doc.is_test and all("試験" in r.values["user_name"] for r in doc.rows)
    assert any("試験送付" in w for w in doc.warnings)
