"""The roster (職員名簿) and the station list (警察署一覧) dialogs, as HQ and station staff use them."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QInputDialog

from desktop_app.services.errors import AuthError
from tests.ui.helpers import on_modal, show, type_text
from ui.officers_dialog import AddOfficerDialog, ChangePinDialog, OfficersDialog
from ui.stations_dialog import DatedChangeDialog, StationsDialog


def row_of(model, column: int, text: str) -> int:
    return next(r for r in range(model.rowCount()) if model.index(r, column).data() == text)


def select_row(qtbot, view, row: int) -> None:
    rect = view.visualRect(view.model().index(row, 0))
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


# ---- roster ---------------------------------------------------------------------------------

def test_add_an_officer_with_the_pin_typed_twice(qtbot, station_ctx, officer):
    dialog = show(qtbot, OfficersDialog(station_ctx, officer), 560, 400)
    assert dialog.model.rowCount() == 3

    def fill(d):
        type_text(qtbot, d.staff_no, "1004")
        type_text(qtbot, d.name, "高橋四郎")
        type_text(qtbot, d.pin, "4444")
        type_text(qtbot, d.pin_again, "4445")  # a slip: refused, nothing stored
        qtbot.keyClick(d.pin_again, Qt.Key.Key_Return)
        assert d.isVisible() and "一致しません" in d.error.text()
        type_text(qtbot, d.pin_again, "4444")
        qtbot.keyClick(d.pin_again, Qt.Key.Key_Return)

    driver = on_modal(AddOfficerDialog, fill)
    qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)
    assert driver.dialog is not None
    assert dialog.model.rowCount() == 4
    r = row_of(dialog.model, 0, "1004")
    assert dialog.model.index(r, 1).data() == "高橋四郎" and dialog.model.index(r, 2).data() == "有効"
    assert station_ctx.officers.authenticate("1004", "4444").name == "高橋四郎"


def test_deactivate_an_officer_who_then_cannot_sign_in(qtbot, station_ctx, officer, messages):
    dialog = show(qtbot, OfficersDialog(station_ctx, officer), 560, 400)
    r = row_of(dialog.model, 0, "1002")
    select_row(qtbot, dialog.view, r)
    assert dialog.toggle_button.text() == "無効にする"
    qtbot.mouseClick(dialog.toggle_button, Qt.MouseButton.LeftButton)
    assert "佐藤花子(1002)を無効にします" in messages.texts("question")[0]
    assert dialog.model.index(r, 2).data() == "無効"
    assert dialog.toggle_button.text() == "有効に戻す"
    with pytest.raises(AuthError):
        station_ctx.officers.authenticate("1002", "2222")


def test_the_signed_in_officer_cannot_deactivate_themself(qtbot, station_ctx, officer, messages):
    dialog = show(qtbot, OfficersDialog(station_ctx, officer), 560, 400)
    select_row(qtbot, dialog.view, row_of(dialog.model, 0, "1001"))
    qtbot.mouseClick(dialog.toggle_button, Qt.MouseButton.LeftButton)
    assert "入力中の職員自身は無効にできません" in messages.texts("warning")[0]
    assert station_ctx.officers.authenticate("1001", "1111").active


def test_change_a_pin(qtbot, station_ctx, officer):
    dialog = show(qtbot, OfficersDialog(station_ctx, officer), 560, 400)
    select_row(qtbot, dialog.view, row_of(dialog.model, 0, "1003"))

    def fill(d):
        type_text(qtbot, d.pin, "8765")
        type_text(qtbot, d.pin_again, "8765")
        qtbot.keyClick(d.pin_again, Qt.Key.Key_Return)

    driver = on_modal(ChangePinDialog, fill)
    qtbot.mouseClick(dialog.pin_button, Qt.MouseButton.LeftButton)
    assert driver.dialog is not None
    assert station_ctx.officers.authenticate("1003", "8765").staff_no == "1003"
    with pytest.raises(AuthError):
        station_ctx.officers.authenticate("1003", "3333")


# ---- stations -------------------------------------------------------------------------------

def names(ctx) -> list[str]:
    return sorted(s.name for s in ctx.stations.all("27"))


def pick_file(monkeypatch, path) -> None:
    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(lambda *a, **k: (str(path), "")))


def test_import_a_good_station_csv(qtbot, station_ctx, officer, messages, monkeypatch, tmp_path):
    csv_path = tmp_path / "stations.csv"
    csv_path.write_bytes("警察署名,コード,備考\n南警察署,27-003,\n西警察署,27-004,\n東警察署,27-005,新設\n"
                         .encode("cp932"))  # Excel on Windows saves Shift_JIS
    dialog = show(qtbot, StationsDialog(station_ctx, officer), 820, 480)
    assert dialog.model.rowCount() == 2 and not dialog.prefecture.isEnabled()
    pick_file(monkeypatch, csv_path)
    qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    assert messages.texts("information") == ["3件の警察署を取り込みました。"]
    assert dialog.model.rowCount() == 5
    assert names(station_ctx) == sorted(["中央警察署", "北警察署", "南警察署", "西警察署", "東警察署"])


def test_a_bad_station_csv_changes_nothing_and_names_the_line(qtbot, station_ctx, officer, messages, monkeypatch,
                                                               tmp_path):
    csv_path = tmp_path / "bad.csv"
    csv_path.write_text("警察署名,有効開始日\n南警察署,令和8年4月1日\n西警察署,令和8年2月30日\n", encoding="utf-8")
    dialog = show(qtbot, StationsDialog(station_ctx, officer), 820, 480)
    before = names(station_ctx)
    pick_file(monkeypatch, csv_path)
    qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    [warning] = messages.texts("warning")
    assert "bad.csv 3行目" in warning and "存在しない日付" in warning
    assert "取り込みは行っていません" in warning
    assert dialog.error.text() == warning
    assert names(station_ctx) == before and dialog.model.rowCount() == 2


def test_add_rename_with_a_date_and_merge(qtbot, station_ctx, officer, messages, monkeypatch):
    dialog = show(qtbot, StationsDialog(station_ctx, officer), 820, 480)
    monkeypatch.setattr(QInputDialog, "getText", staticmethod(lambda *a, **k: ("南警察署", True)))
    qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)
    assert "南警察署" in names(station_ctx)

    select_row(qtbot, dialog.view, row_of(dialog.model, 0, "北警察署"))

    def rename(d):
        type_text(qtbot, d.name, "大阪北警察署")
        d.date.clear()
        type_text(qtbot, d.date, "R8.4.1")
        qtbot.keyClick(d.date, Qt.Key.Key_Return)

    driver = on_modal(DatedChangeDialog, rename)
    qtbot.mouseClick(dialog.rename_button, Qt.MouseButton.LeftButton)
    assert driver.dialog is not None
    old = next(s for s in station_ctx.stations.all("27") if s.name == "北警察署")
    assert (old.valid_to, old.successor) == ("2026-03-31", "大阪北警察署")
    r = row_of(dialog.model, 0, "大阪北警察署")
    assert dialog.model.index(r, 2).data() == "令和8年4月1日"

    select_row(qtbot, dialog.view, row_of(dialog.model, 0, "南警察署"))

    def merge(d):
        d.name.setCurrentIndex(d.name.findText("中央警察署"))
        d.date.clear()
        type_text(qtbot, d.date, "2026-10-01")
        qtbot.keyClick(d.date, Qt.Key.Key_Return)

    driver = on_modal(DatedChangeDialog, merge)
    qtbot.mouseClick(dialog.close_button, Qt.MouseButton.LeftButton)
    assert driver.dialog is not None
    south = next(s for s in station_ctx.stations.all("27") if s.name == "南警察署")
    assert (south.valid_to, south.successor) == ("2026-09-30", "中央警察署")
    assert "南警察署" not in station_ctx.stations.names("27", on=station_ctx.today())
    assert messages.texts("warning") == []
