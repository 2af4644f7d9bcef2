"""The 別添 screen driven from the keyboard and mouse, as an officer at a station would."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QComboBox, QLineEdit

from desktop_app.context import AppContext
from desktop_app.entry import Status
from tests.conftest import TODAY
from ui import theme
from ui.entry_delegates import ACCOUNT_ID_EDITOR, CASE_TYPE_EDITOR, DATE_EDITOR, STATION_EDITOR
from ui.entry_screen import EntryScreen
from ui.entry_table_model import (COL_ACCOUNT_ID, COL_CASE_TYPE, COL_RECOGNIZED_ON, COL_STATION, COL_STATUS,
                                  COL_USER_NAME, SEVERITY_ROLE)
from ui.main_window import MainWindow

from tests.ui.helpers import click_cell, focused, show, type_text

GOOD_ROW = "good-row@example.co.jp\t山田花子\t\tSNS型投資詐欺\t中央警察署\t令和8年11月1日\n"


def make_screen(qtbot, ctx, officer) -> EntryScreen:
    return show(qtbot, EntryScreen(ctx, officer))


def start_editing(qtbot, screen, row: int, column: int):
    click_cell(qtbot, screen.view, row, column)
    qtbot.keyClick(screen.view, Qt.Key.Key_Return)  # Enter on a cell opens its editor
    qtbot.waitUntil(lambda: focused() is not None and focused() is not screen.view)
    return focused()


def test_type_a_whole_row_with_the_keyboard(qtbot, station_ctx, officer):
    screen = make_screen(qtbot, station_ctx, officer)
    editor = start_editing(qtbot, screen, 0, COL_ACCOUNT_ID)
    assert editor.objectName() == ACCOUNT_ID_EDITOR
    type_text(qtbot, editor, "ｙａｍａｄａ－ｔａｒｏ＠ｅｘａｍｐｌｅ．ｃｏ．ｊｐ")  # full-width characters
    qtbot.keyClick(editor, Qt.Key.Key_Tab)
    type_text(qtbot, focused(), "山田太郎")
    qtbot.keyClick(focused(), Qt.Key.Key_Tab)
    type_text(qtbot, focused(), "株式会社サンプル")
    qtbot.keyClick(focused(), Qt.Key.Key_Return)  # Enter moves right just like Tab
    combo = focused()
    assert isinstance(combo, QComboBox) and combo.objectName() == CASE_TYPE_EDITOR
    qtbot.keyClick(combo, Qt.Key.Key_Down)  # first choice: SNS型投資詐欺
    qtbot.keyClick(combo, Qt.Key.Key_Tab)
    station = focused()
    while not isinstance(station, QComboBox):  # an editable combo focuses its line edit
        station = station.parentWidget()
    assert station.objectName() == STATION_EDITOR and station.currentText() == "中央警察署"
    qtbot.keyClick(focused(), Qt.Key.Key_Tab)
    assert focused().objectName() == DATE_EDITOR
    type_text(qtbot, focused(), "8.3.23")
    qtbot.keyClick(focused(), Qt.Key.Key_Return)  # last column: on to the next row's first cell

    rows = station_ctx.entries.list()
    assert len(rows) == 1
    e = rows[0]
    assert e.account_id == "yamada-taro@example.co.jp"
    assert e.account_id_raw == "ｙａｍａｄａ－ｔａｒｏ＠ｅｘａｍｐｌｅ．ｃｏ．ｊｐ"
    assert (e.user_name, e.organization, e.case_type, e.station, e.recognized_on) == (
        "山田太郎", "株式会社サンプル", "SNS型投資詐欺", "中央警察署", "2026-03-23")
    assert e.entered_by == officer.id
    model = screen.model
    assert model.index(0, COL_ACCOUNT_ID).data() == "yamada-taro@example.co.jp"
    assert model.index(0, COL_RECOGNIZED_ON).data() == "令和8年3月23日"
    # A new row started below, with its ID editor open, but nothing stored for it yet.
    assert (screen.view.currentIndex().row(), screen.view.currentIndex().column()) == (1, COL_ACCOUNT_ID)
    assert focused().objectName() == ACCOUNT_ID_EDITOR
    qtbot.keyClick(focused(), Qt.Key.Key_Escape)
    assert len(station_ctx.entries.list()) == 1


def test_id_editor_has_the_ime_off_and_the_id_font(qtbot, station_ctx, officer):
    screen = make_screen(qtbot, station_ctx, officer)
    editor = start_editing(qtbot, screen, 0, COL_ACCOUNT_ID)
    assert isinstance(editor, QLineEdit)
    assert not editor.testAttribute(Qt.WidgetAttribute.WA_InputMethodEnabled)
    assert editor.font().family() == theme.id_font().family()
    qtbot.keyClick(editor, Qt.Key.Key_Escape)
    name_editor = start_editing(qtbot, screen, 0, COL_USER_NAME)
    assert name_editor.testAttribute(Qt.WidgetAttribute.WA_InputMethodEnabled)  # names are typed in Japanese


def test_paste_three_rows_copied_from_excel(qtbot, station_ctx, officer):
    screen = make_screen(qtbot, station_ctx, officer)
    QApplication.clipboard().setText(
        "Alpha.01@example.co.jp\t佐藤一郎\t合同会社A\t特殊詐欺(オレオレ詐欺)\t北警察署\tR8.10.1\r\n"
        "ｂｅｔａ＿０２＠ｄ－ｌｉｇｈｔｅｄ\t鈴木次郎\t\tSNS型ロマンス詐欺\t中央警察署\t2026/10/2\r\n"
        "gamma-03@example.jp\t高橋三郎\t株式会社C\tSNS型投資詐欺\t中央警察署\t令和8年10月3日\r\n")
    click_cell(qtbot, screen.view, 0, COL_ACCOUNT_ID)
    qtbot.keyClick(screen.view, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    rows = station_ctx.entries.list()
    assert [e.account_id for e in rows] == ["alpha.01@example.co.jp", "beta_02@d-lighted", "gamma-03@example.jp"]
    assert [(e.case_type, e.refinement) for e in rows][0] == ("特殊詐欺", "オレオレ詐欺")
    assert [e.recognized_on for e in rows] == ["2026-10-01", "2026-10-02", "2026-10-03"]
    assert screen.model.rowCount() == 4
    assert [screen.model.index(r, COL_STATUS).data() for r in range(3)] == ["下書き"] * 3


def test_bad_id_shows_the_error_and_mark_ready_refuses(qtbot, station_ctx, officer, messages):
    screen = make_screen(qtbot, station_ctx, officer)
    editor = start_editing(qtbot, screen, 0, COL_ACCOUNT_ID)
    type_text(qtbot, editor, "yamada..taro@example.co.jp")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.keyClick(focused(), Qt.Key.Key_Escape)
    cell = screen.model.index(0, COL_ACCOUNT_ID)
    assert cell.data(SEVERITY_ROLE) == "error"
    assert "ドットを2つ続けることはできません" in cell.data(Qt.ItemDataRole.ToolTipRole)
    click_cell(qtbot, screen.view, 0, COL_ACCOUNT_ID)
    assert "ドットを2つ続けることはできません" in screen.issue_panel.toPlainText()

    button = screen.toolbar.widgetForAction(screen.mark_ready_action)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert any("エラーのある行は確認依頼にできません" in t for t in messages.texts("warning"))
    assert station_ctx.entries.list()[0].status == Status.DRAFT


def test_old_date_warns_but_mark_ready_goes_through(qtbot, station_ctx, officer, messages):
    screen = make_screen(qtbot, station_ctx, officer)
    QApplication.clipboard().setText("old-case@example.co.jp\t山田花子\t\tSNS型投資詐欺\t中央警察署\tH31.4.1\n")
    click_cell(qtbot, screen.view, 0, COL_ACCOUNT_ID)
    qtbot.keyClick(screen.view, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    assert screen.model.index(0, COL_RECOGNIZED_ON).data(SEVERITY_ROLE) == "warning"
    click_cell(qtbot, screen.view, 0, COL_RECOGNIZED_ON)
    assert "1年以上前" in screen.issue_panel.toPlainText()
    qtbot.keyClick(screen.view, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)  # Ctrl+Enter: 確認依頼
    assert messages.texts("warning") == []
    assert station_ctx.entries.list()[0].status == Status.AWAITING
    assert screen.model.index(0, COL_STATUS).data() == "確認待ち"


def test_delete_key_deletes_a_draft_after_confirmation(qtbot, station_ctx, officer, messages):
    screen = make_screen(qtbot, station_ctx, officer)
    QApplication.clipboard().setText(GOOD_ROW + GOOD_ROW.replace("good-row", "second-row"))
    click_cell(qtbot, screen.view, 0, COL_ACCOUNT_ID)
    qtbot.keyClick(screen.view, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    assert len(station_ctx.entries.list()) == 2

    messages.answer = messages.answer.No
    click_cell(qtbot, screen.view, 0, COL_USER_NAME)
    qtbot.keyClick(screen.view, Qt.Key.Key_Delete)
    assert len(station_ctx.entries.list()) == 2  # "いいえ" keeps the row
    assert "1行目を削除します" in messages.texts("question")[0]

    messages.answer = messages.answer.Yes
    qtbot.keyClick(screen.view, Qt.Key.Key_Delete)
    assert [e.account_id for e in station_ctx.entries.list()] == ["second-row@example.co.jp"]
    assert screen.model.index(0, COL_ACCOUNT_ID).data() == "second-row@example.co.jp"  # renumbered to 1
    actions = [r["action"] for r in station_ctx.database.db["audit_log"].rows]
    assert "entry.delete" in actions


def test_add_row_button_opens_the_id_of_the_new_row(qtbot, station_ctx, officer):
    screen = make_screen(qtbot, station_ctx, officer)
    station_ctx.entries.create(officer.id, {"account_id": "first@example.co.jp"})
    screen.reload()
    qtbot.mouseClick(screen.toolbar.widgetForAction(screen.add_row_action), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: focused() is not None and focused().objectName() == ACCOUNT_ID_EDITOR)
    assert screen.view.currentIndex().row() == 1
    type_text(qtbot, focused(), "next@example.co.jp")
    qtbot.keyClick(focused(), Qt.Key.Key_Tab)
    assert [e.account_id for e in station_ctx.entries.list()] == ["first@example.co.jp", "next@example.co.jp"]


def test_station_cell_offers_the_prefecture_list(qtbot, station_ctx, officer):
    screen = make_screen(qtbot, station_ctx, officer)
    station_ctx.entries.create(officer.id, {"account_id": "s@example.co.jp"})
    screen.reload()
    start_editing(qtbot, screen, 0, COL_STATION)
    combo = focused()
    while not isinstance(combo, QComboBox):
        combo = combo.parentWidget()
    assert [combo.itemText(i) for i in range(combo.count())] == ["中央警察署", "北警察署"]
    combo.setCurrentIndex(1)  # chosen from the list with the mouse
    qtbot.keyClick(focused(), Qt.Key.Key_Return)
    assert station_ctx.entries.list()[0].station == "北警察署"


def test_rows_survive_a_restart(qtbot, station_ctx, officer, tmp_path):
    window = show(qtbot, MainWindow(station_ctx, officer))
    QApplication.clipboard().setText(GOOD_ROW + "ｒｅｓｔａｒｔ＠ｅｘａｍｐｌｅ．ｊｐ\t再起動\t\t特殊詐欺\t北警察署\t8.11.2\n")
    click_cell(qtbot, window.entry_screen.view, 0, COL_ACCOUNT_ID)
    qtbot.keyClick(window.entry_screen.view, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    root = station_ctx.data_dir.root
    window.close()
    station_ctx.close()

    ctx = AppContext.open(root, today=lambda: TODAY, log_to_file=False)
    try:
        again = show(qtbot, MainWindow(ctx, officer))
        model = again.entry_screen.model
        assert model.rowCount() == 3
        assert model.index(1, COL_ACCOUNT_ID).data() == "restart@example.jp"
        assert model.index(1, COL_RECOGNIZED_ON).data() == "令和8年11月2日"
        assert model.index(1, COL_STATION).data() == "北警察署"
        again.close()
    finally:
        ctx.close()


def test_tabbing_through_a_pasted_unknown_case_type_keeps_it_for_correction(qtbot, station_ctx, officer):
    screen = make_screen(qtbot, station_ctx, officer)
    station_ctx.entries.create(officer.id, {"account_id": "t@example.co.jp", "case_type": "架空請求"})
    screen.reload()
    assert screen.model.index(0, COL_CASE_TYPE).data(SEVERITY_ROLE) == "error"
    start_editing(qtbot, screen, 0, COL_CASE_TYPE)
    qtbot.keyClick(focused(), Qt.Key.Key_Tab)
    assert station_ctx.entries.list()[0].case_type == "架空請求"
    start_editing(qtbot, screen, 0, COL_CASE_TYPE)
    combo = focused()
    combo.setCurrentIndex(combo.findText("特殊詐欺(架空料金請求詐欺)"))
    qtbot.keyClick(combo, Qt.Key.Key_Return)
    e = station_ctx.entries.list()[0]
    assert (e.case_type, e.refinement) == ("特殊詐欺", "架空料金請求詐欺")
    assert screen.model.index(0, COL_CASE_TYPE).data(SEVERITY_ROLE) is None


def test_the_screen_always_says_what_an_export_would_take_and_hold_back(qtbot, station_ctx, officer):
    screen = make_screen(qtbot, station_ctx, officer)
    assert screen.readiness_label.text().startswith("送付できる行: 0件")
    QApplication.clipboard().setText(GOOD_ROW + "bad..id@example.jp\t名前\t\tSNS型投資詐欺\t中央警察署\tR8.11.2\n")
    click_cell(qtbot, screen.view, 0, COL_ACCOUNT_ID)
    qtbot.keyClick(screen.view, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: "エラーあり 1件" in screen.readiness_label.text())
    click_cell(qtbot, screen.view, 0, COL_USER_NAME)
    qtbot.keyClick(screen.view, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)  # 確認依頼
    qtbot.waitUntil(lambda: "確認待ち 1件" in screen.readiness_label.text())
    assert screen.readiness_label.text().startswith("送付できる行: 0件")
