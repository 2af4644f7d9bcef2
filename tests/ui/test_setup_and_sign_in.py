"""First run: the setup dialog, signing in, the first officer, and the composition root's start-up."""
from __future__ import annotations

import pytest

from PySide6.QtCore import QTimer, Qt
from PySide6.QtWidgets import QApplication

from desktop_app.context import AppContext
from tests.ui.helpers import focused, on_modal, show, type_text
from ui import app as app_module
from ui.main_window import MainWindow
from ui.officers_dialog import AddOfficerDialog
from ui.setup_dialog import SetupDialog
from ui.sign_in_dialog import SignInDialog


def choose_prefecture(qtbot, dialog, code: str) -> None:
    dialog.prefecture.setFocus()
    qtbot.keyClicks(dialog.prefecture, code)  # the labels start with the JIS code


def set_up_as(qtbot, prefecture: str, station: str):
    """A driver for the first-run SetupDialog: prefecture by its JIS code, station name, OK."""
    def drive(d):
        choose_prefecture(qtbot, d, prefecture)
        type_text(qtbot, d.station, station)
        qtbot.mouseClick(d.ok_button, Qt.MouseButton.LeftButton)
    return drive


def register_as(qtbot, staff_no: str, name: str, pin: str):
    """A driver for AddOfficerDialog: every field typed, Enter in the second PIN field."""
    def drive(d):
        for edit, text in ((d.staff_no, staff_no), (d.name, name), (d.pin, pin), (d.pin_again, pin)):
            type_text(qtbot, edit, text)
        qtbot.keyClick(d.pin_again, Qt.Key.Key_Return)
    return drive


def test_setup_as_a_station_through_the_dialog(qtbot, blank_ctx):
    dialog = show(qtbot, SetupDialog(blank_ctx), 560, 320)
    assert dialog.tier_buttons["station"].isChecked()
    choose_prefecture(qtbot, dialog, "27")
    assert dialog.prefecture.currentText() == "27 大阪府(大阪府警察本部)"
    assert not dialog.regional_hq.isEnabled()  # only Hokkaido has 方面本部
    dialog.station.setFocus()
    type_text(qtbot, dialog.station, "中央警察署")
    assert "大阪府警察本部 中央警察署" in dialog.preview.text()
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)

    ident = blank_ctx.setup.identity()
    assert (ident.tier, ident.prefecture_code, ident.station_name) == ("station", "27", "中央警察署")
    assert ident.unit_name == "大阪府警察本部 中央警察署"
    assert "中央警察署" in blank_ctx.stations.names("27")


def test_prefectures_show_their_police_hq_and_hokkaido_its_regional_hqs(qtbot, blank_ctx):
    dialog = show(qtbot, SetupDialog(blank_ctx), 560, 320)
    labels = [dialog.prefecture.itemText(i) for i in range(dialog.prefecture.count())]
    assert len(labels) == 47
    assert "13 東京都(警視庁)" in labels and "01 北海道(北海道警察本部)" in labels
    assert "26 京都府(京都府警察本部)" in labels
    dialog.tier_buttons["hq"].click()
    choose_prefecture(qtbot, dialog, "01")
    assert dialog.regional_hq.isEnabled() and not dialog.station.isEnabled()
    regional = [dialog.regional_hq.itemText(i) for i in range(dialog.regional_hq.count())]
    assert regional[1:] == ["函館方面本部", "旭川方面本部", "釧路方面本部", "北見方面本部"]
    dialog.regional_hq.setCurrentIndex(2)
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    ident = blank_ctx.setup.identity()
    assert (ident.tier, ident.regional_hq, ident.unit_name) == ("hq", "旭川方面本部", "北海道警察本部 旭川方面本部")


def test_setup_without_a_station_name_says_so_and_stores_nothing(qtbot, blank_ctx):
    dialog = show(qtbot, SetupDialog(blank_ctx), 560, 320)
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible()
    assert dialog.error.text() == "警察署名を入力してください"
    assert not blank_ctx.settings.is_set_up


def test_sign_in_refuses_a_wrong_pin_then_accepts_the_right_one(qtbot, station_ctx):
    dialog = show(qtbot, SignInDialog(station_ctx), 400, 220)
    type_text(qtbot, dialog.staff_no, "1001")
    qtbot.keyClick(dialog.staff_no, Qt.Key.Key_Return)  # Enter moves on to the PIN
    assert focused() is dialog.pin
    type_text(qtbot, dialog.pin, "9999")
    qtbot.keyClick(dialog.pin, Qt.Key.Key_Return)
    assert dialog.isVisible() and dialog.error.text() == "職員番号または暗証番号が違います"
    assert dialog.pin.text() == ""
    type_text(qtbot, dialog.pin, "1111")
    qtbot.keyClick(dialog.pin, Qt.Key.Key_Return)
    assert not dialog.isVisible()
    assert dialog.officer.staff_no == "1001"
    failed = [r for r in station_ctx.database.db["audit_log"].rows if r["action"] == "officer.login_failed"]
    assert len(failed) == 1


def test_sign_in_for_a_second_officer_refuses_the_first(qtbot, station_ctx, officer):
    dialog = show(qtbot, SignInDialog(station_ctx, exclude_officer_id=officer.id), 400, 220)
    type_text(qtbot, dialog.staff_no, "1001")
    type_text(qtbot, dialog.pin, "1111")
    qtbot.keyClick(dialog.pin, Qt.Key.Key_Return)
    assert dialog.isVisible() and "別の職員" in dialog.error.text()
    dialog.staff_no.clear()
    type_text(qtbot, dialog.staff_no, "1002")
    type_text(qtbot, dialog.pin, "2222")
    qtbot.keyClick(dialog.pin, Qt.Key.Key_Return)
    assert dialog.officer.staff_no == "1002"


def test_empty_roster_offers_to_register_the_first_officer(qtbot, blank_ctx, messages):
    blank_ctx.setup.initialise("station", "27", "中央警察署")

    driver = on_modal(AddOfficerDialog, register_as(qtbot, "2001", "田中一郎", "4321"))
    officer = SignInDialog.ask(None, blank_ctx)
    assert driver.dialog is not None
    assert "まだ誰も登録されていません" in messages.texts("question")[0]
    assert officer is not None and officer.name == "田中一郎"
    assert blank_ctx.officers.authenticate("2001", "4321").id == officer.id


def test_first_run_goes_through_setup_and_sign_in_to_the_entry_screen(qtbot, blank_ctx, messages):
    set_up = set_up_as(qtbot, "13", "丸の内警察署")
    register = register_as(qtbot, "3001", "警視太郎", "5555")

    drivers = [on_modal(SetupDialog, set_up), on_modal(AddOfficerDialog, register)]
    window = app_module.open_main_window(blank_ctx)
    assert all(d.dialog is not None for d in drivers)
    assert isinstance(window, MainWindow)
    qtbot.addWidget(window)
    assert window.entry_screen is not None
    assert window.entry_screen.prefecture_label.text() == "都道府県　東京都"
    assert window.officer.staff_no == "3001"
    assert "警視庁 丸の内警察署" in window.windowTitle()

    # A later start skips setup: only the sign-in dialog appears.
    def sign_in(d):
        type_text(qtbot, d.staff_no, "3001")
        type_text(qtbot, d.pin, "5555")
        qtbot.keyClick(d.pin, Qt.Key.Key_Return)

    unexpected = on_modal(SetupDialog, lambda d: d.reject(), timeout_ms=1500)
    driver = on_modal(SignInDialog, sign_in)
    again = app_module.open_main_window(blank_ctx)
    qtbot.addWidget(again)
    assert driver.dialog is not None and unexpected.dialog is None
    assert again.officer.staff_no == "3001"


@pytest.mark.parametrize("tier, expected", [
    ("station", ["別添(入力)", "措置結果"]),
    ("hq", ["受付・集約", "警察署と鍵", "措置結果", "統計"]),
    ("npa", ["受付・集約", "都道府県と鍵", "全国集約", "措置結果", "統計"]),
])
def test_each_tier_opens_with_its_own_screens(qtbot, blank_ctx, tier, expected):
    blank_ctx.setup.initialise(tier, None if tier == "npa" else "27", "中央警察署" if tier == "station" else None)
    officer = blank_ctx.officers.add("9001", "職員", "9999")
    window = MainWindow(blank_ctx, officer)
    app_module.install_tier_screens(window, blank_ctx, officer)
    window = show(qtbot, window)
    titles = [window.tabs.tabText(i) for i in range(window.tabs.count())]
    assert titles == expected
    assert (window.entry_screen is not None) == (tier == "station")
    if tier == "station":
        toolbar_texts = [a.text() for a in window.entry_screen.toolbar.actions()]
        assert "送付ファイル作成…" in toolbar_texts


def test_change_of_officer_makes_the_next_officer_the_entered_by(qtbot, station_ctx, officer):
    window = show(qtbot, MainWindow(station_ctx, officer))

    def sign_in(d):
        type_text(qtbot, d.staff_no, "1002")
        type_text(qtbot, d.pin, "2222")
        qtbot.keyClick(d.pin, Qt.Key.Key_Return)

    driver = on_modal(SignInDialog, sign_in)
    qtbot.mouseClick(window.toolbar.widgetForAction(window.change_officer_action), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.officer.staff_no == "1002")
    assert driver.dialog is not None
    assert "佐藤花子" in window.officer_label.text()
    model = window.entry_screen.model
    model.setData(model.index(0, 1), "after-change@example.co.jp")
    assert station_ctx.entries.list()[0].entered_by == window.officer.id


def test_parse_args_takes_data_dir_and_leaves_qt_options():
    args, rest = app_module.parse_args(["--data-dir", "/tmp/x", "-platform", "offscreen"])
    assert args.data_dir == "/tmp/x" and rest == ["-platform", "offscreen"]


def test_main_starts_on_a_data_dir_and_the_next_start_finds_it_set_up(qtbot, tmp_path, messages, monkeypatch):
    data = tmp_path / "teishi-data"

    set_up = set_up_as(qtbot, "27", "中央警察署")
    register = register_as(qtbot, "1001", "山田太郎", "1111")

    def close_main_window_when_shown():
        windows = [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()]
        if windows:
            windows[0].close()
        else:
            QTimer.singleShot(50, close_main_window_when_shown)

    drivers = [on_modal(SetupDialog, set_up), on_modal(AddOfficerDialog, register)]
    QTimer.singleShot(50, close_main_window_when_shown)
    assert app_module.main(["--data-dir", str(data)]) == 0
    assert all(d.dialog is not None for d in drivers)
    ctx = AppContext.open(data, log_to_file=False)
    try:
        assert ctx.setup.identity().unit_name == "大阪府警察本部 中央警察署"
        assert [o.staff_no for o in ctx.officers.list()] == ["1001"]
    finally:
        ctx.close()


def test_station_secondary_tabs_arrive_after_the_entry_screen_is_shown(qtbot, station_ctx):
    officer = station_ctx.officers.list()[0]
    window = MainWindow(station_ctx, officer)
    app_module.install_tier_screens(window, station_ctx, officer, defer=True)
    assert window.tabs.count() == 1  # the 別添 screen alone: nothing else delays the first paint
    show(qtbot, window)
    qtbot.waitUntil(lambda: window.tabs.count() == 2, timeout=3000)
    assert window.tabs.tabText(1) == "措置結果"


def test_a_wrong_pin_first_still_opens_the_right_officers_window(qtbot, blank_ctx, messages):
    blank_ctx.setup.initialise("station", "27", "中央警察署")
    blank_ctx.officers.add("1001", "山田太郎", "1111")
    blank_ctx.officers.add("1002", "鈴木花子", "2222")

    def sign_in(d):
        type_text(qtbot, d.staff_no, "1001")
        type_text(qtbot, d.pin, "2222")  # the colleague's PIN
        qtbot.keyClick(d.pin, Qt.Key.Key_Return)
        assert d.isVisible() and d.error.text()  # refused, the dialog stays
        d.staff_no.clear()
        type_text(qtbot, d.staff_no, "1002")
        type_text(qtbot, d.pin, "2222")
        qtbot.keyClick(d.pin, Qt.Key.Key_Return)

    driver = on_modal(SignInDialog, sign_in)
    window = app_module.open_main_window(blank_ctx)
    qtbot.addWidget(window)
    assert driver.dialog is not None
    assert window.officer.staff_no == "1002" and "鈴木花子" in window.officer_label.text()
    assert not window.isVisible()  # the composition root shows it
