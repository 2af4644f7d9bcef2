"""判定 by a third officer: both values shown and named, a choice each way, a reason required."""
from __future__ import annotations

from PySide6.QtCore import Qt

from desktop_app.entry import Status
from ui.adjudication_dialog import AdjudicationDialog, aligned_html
from desktop_app import dual_entry
from tests.ui.helpers import type_text

ROW = {"account_id": "tanaka.hiroshi01@example.co.jp", "user_name": "田中 ひろし", "organization": "株式会社サンプル",
       "case_type": "SNS型投資詐欺", "station": "中央警察署", "recognized_on": "令和8年11月2日"}


def conflict(ctx, a, b):
    e = ctx.entries.create(a.id, ROW)
    ctx.entries.mark_ready(a.id, e.id)
    for _ in range(2):
        ctx.verification.submit(e.id, b, "account_id", "tanaka.hiroshiO1@example.co.jp")
    assert ctx.entries.get(e.id).status == Status.CONFLICT
    return e


def open_dialog(qtbot, ctx, officer):
    dlg = AdjudicationDialog(ctx, officer)
    qtbot.addWidget(dlg)
    dlg.show()
    return dlg


def test_both_values_shown_with_the_confusion_named(qtbot, station_ctx, officers):
    conflict(station_ctx, officers["1001"], officers["1002"])
    dlg = open_dialog(qtbot, station_ctx, officers["1003"])
    text = dlg.view.toPlainText()
    assert "tanaka.hiroshi01@example.co.jp" in text and "tanaka.hiroshio1@example.co.jp" in text
    assert "「0(ゼロ)とo(オー小文字)」" in text
    assert "英大文字を含む" in text  # the raw value's capital O is named too
    html = dlg.view.toHtml()
    assert "#ffd54f" in html  # the differing character is highlighted


def test_aligned_lines_mark_only_the_differing_characters():
    one, two = aligned_html(dual_entry.diff("ab0d", "abod"))
    assert one.startswith("ab<span") and "0</span>" in one and "o</span>" in two


def decide_by_keyboard(qtbot, dlg, shortcut_radio, reason):
    shortcut_radio.setFocus()
    qtbot.keyClick(shortcut_radio, Qt.Key.Key_Space)
    type_text(qtbot, dlg.reason_edit, reason)
    qtbot.keyClick(dlg.reason_edit, Qt.Key.Key_Return)


def test_first_value_chosen(qtbot, station_ctx, officers):
    e = conflict(station_ctx, officers["1001"], officers["1002"])
    dlg = open_dialog(qtbot, station_ctx, officers["1003"])
    decide_by_keyboard(qtbot, dlg, dlg.first_radio, "スクリーンショットで数字の0と確認")
    after = station_ctx.entries.get(e.id)
    assert after.status == Status.VERIFIED and after.account_id == "tanaka.hiroshi01@example.co.jp"
    assert "判定しました" in dlg.message.text()
    decision = [r for r in station_ctx.audit.rows(entity_id=e.id) if r["action"] == "verify.adjudicate"][0]
    assert decision["officer_id"] == officers["1003"].id
    assert (decision["detail"]["choice"], decision["detail"]["reason"]) == ("first", "スクリーンショットで数字の0と確認")
    assert [r["action"] for r in station_ctx.audit.rows(entity_id=e.id)] == [
        "entry.create", "entry.ready", "verify.attempt", "verify.attempt", "verify.conflict",
        "verify.adjudication_opened", "verify.adjudicate", "verify.verified"]


def test_second_value_chosen(qtbot, station_ctx, officers):
    e = conflict(station_ctx, officers["1001"], officers["1002"])
    dlg = open_dialog(qtbot, station_ctx, officers["1003"])
    decide_by_keyboard(qtbot, dlg, dlg.second_radio, "被害者の端末で英字のOと確認")
    after = station_ctx.entries.get(e.id)
    assert after.status == Status.VERIFIED and after.account_id == "tanaka.hiroshio1@example.co.jp"
    assert after.account_id_raw == "tanaka.hiroshiO1@example.co.jp"


def test_reason_is_required(qtbot, station_ctx, officers):
    e = conflict(station_ctx, officers["1001"], officers["1002"])
    dlg = open_dialog(qtbot, station_ctx, officers["1003"])
    dlg.first_radio.setFocus()
    qtbot.keyClick(dlg.first_radio, Qt.Key.Key_Space)
    qtbot.mouseClick(dlg.decide_button, Qt.MouseButton.LeftButton)
    assert "理由を入力してください" in dlg.message.text()
    assert station_ctx.entries.get(e.id).status == Status.CONFLICT


def test_parties_cannot_adjudicate(qtbot, station_ctx, officers):
    e = conflict(station_ctx, officers["1001"], officers["1002"])
    dlg = open_dialog(qtbot, station_ctx, officers["1002"])
    assert "第三者" in dlg.message.text() and not dlg.decide_button.isEnabled()
    assert station_ctx.entries.get(e.id).status == Status.CONFLICT


def test_typed_value_goes_back_to_blind_verification(qtbot, station_ctx, officers):
    e = conflict(station_ctx, officers["1001"], officers["1002"])
    dlg = open_dialog(qtbot, station_ctx, officers["1003"])
    qtbot.keyClicks(dlg.other_edit, "tanaka.hiroshi07@example.co.jp")
    assert dlg.other_radio.isChecked()
    type_text(qtbot, dlg.reason_edit, "原本はどちらとも違う")
    qtbot.keyClick(dlg.reason_edit, Qt.Key.Key_Return)
    after = station_ctx.entries.get(e.id)
    assert after.status == Status.AWAITING and after.account_id == "tanaka.hiroshi07@example.co.jp"
    assert "別の職員が確認入力します" in dlg.message.text()


def test_statistics_model_shows_who_made_the_error(qtbot, station_ctx, officers):
    from ui.verification_stats_dialog import (COL_ENTRY_ERRORS, COL_ENTRY_RATE, COL_MISMATCHES, COL_OFFICER,
                                              OfficerStatsModel, VerificationStatsDialog)
    e = conflict(station_ctx, officers["1001"], officers["1002"])
    station_ctx.verification.adjudicate(e.id, officers["1003"], "account_id", "tanaka.hiroshiO1@example.co.jp",
                                        "原本は英字のO")
    model = OfficerStatsModel(station_ctx.verification.officer_stats())
    rows = {model.data(model.index(r, COL_OFFICER)): r for r in range(model.rowCount())}
    a_row, b_row = rows["山田太郎(1001)"], rows["佐藤花子(1002)"]
    assert model.data(model.index(a_row, COL_ENTRY_ERRORS)) == "1"
    assert model.data(model.index(a_row, COL_ENTRY_RATE)) == "100.0%"
    assert model.data(model.index(b_row, COL_MISMATCHES)) == "2"
    dlg = VerificationStatsDialog(station_ctx)
    qtbot.addWidget(dlg)
    assert dlg.summary.text().startswith("送付できる行: 1件")
