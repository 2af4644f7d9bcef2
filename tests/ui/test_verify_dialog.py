"""確認入力 driven with the keyboard, as two officers at a station would."""
from __future__ import annotations

from PySide6.QtCore import Qt

from desktop_app.entry import Status
from ui.sign_in_dialog import SignInDialog
from ui.verify_dialog import MISMATCH_TEXT, VerifyDialog

from tests.ui.helpers import type_text

ROW = {"account_id": "tanaka.hiroshi01@example.co.jp", "user_name": "田中 ひろし", "organization": "株式会社サンプル",
       "case_type": "SNS型投資詐欺", "station": "中央警察署", "recognized_on": "令和8年11月2日"}


def ready(ctx, officer, **over):
    e = ctx.entries.create(officer.id, {**ROW, **over})
    return ctx.entries.mark_ready(officer.id, e.id)


def sign_in(qtbot, ctx, staff_no, pin, exclude=None):
    dlg = SignInDialog(ctx, exclude_officer_id=exclude)
    qtbot.addWidget(dlg)
    dlg.show()
    qtbot.keyClicks(dlg.staff_no, staff_no)
    qtbot.keyClick(dlg.staff_no, Qt.Key.Key_Return)
    qtbot.keyClicks(dlg.pin, pin)
    qtbot.keyClick(dlg.pin, Qt.Key.Key_Return)
    return dlg


def open_verify(qtbot, ctx, officer, entry_id=None):
    dlg = VerifyDialog(ctx, officer, entry_id)
    qtbot.addWidget(dlg)
    dlg.show()
    return dlg


def type_id(qtbot, dlg, text):
    type_text(qtbot, dlg.id_edit, text)
    qtbot.keyClick(dlg.id_edit, Qt.Key.Key_Return)


def test_second_officer_signs_in_and_a_match_verifies(qtbot, station_ctx, officers):
    a = officers["1001"]
    e = ready(station_ctx, a)
    signin = sign_in(qtbot, station_ctx, "1002", "2222", exclude=a.id)
    assert signin.result() == SignInDialog.DialogCode.Accepted and signin.officer.staff_no == "1002"
    dlg = open_verify(qtbot, station_ctx, signin.officer)
    # the other fields are shown, the first ID is nowhere in the dialog
    assert dlg.findChild(type(dlg.message), "shown_ユーザー名").text() == "田中 ひろし"
    texts = [w.text() for w in dlg.findChildren(type(dlg.message))] + [dlg.id_edit.text()]
    assert not any("tanaka" in t for t in texts)
    assert not dlg.id_edit.testAttribute(Qt.WidgetAttribute.WA_InputMethodEnabled)  # IME off
    type_id(qtbot, dlg, "tanaka.hiroshi01@example.co.jp")
    assert "一致しました" in dlg.message.text()
    after = station_ctx.entries.get(e.id)
    assert after.status == Status.VERIFIED and after.verified_by == officers["1002"].id
    assert not dlg.id_edit.isEnabled() and dlg.column_label.text() == "確認待ちの行はありません"


def test_wrong_pin_is_refused(qtbot, station_ctx, officers):
    ready(station_ctx, officers["1001"])
    signin = sign_in(qtbot, station_ctx, "1002", "9999", exclude=officers["1001"].id)
    assert signin.officer is None and signin.isVisible()
    assert "暗証番号が違います" in signin.error.text()
    failed = [r for r in station_ctx.audit.rows(action_prefix="officer.login_failed")]
    assert failed and failed[-1]["detail"]["staff_no"] == "1002"


def test_same_officer_is_refused(qtbot, station_ctx, officers):
    a = officers["1001"]
    e = ready(station_ctx, a)
    # the sign-in step refuses the 入力者 ...
    signin = sign_in(qtbot, station_ctx, "1001", "1111", exclude=a.id)
    assert signin.officer is None and "入力者です" in signin.error.text()
    # ... and so does the service behind the dialog, whatever the way in
    dlg = open_verify(qtbot, station_ctx, a, e.id)
    assert "入力者は確認者になれません" in dlg.message.text()
    assert not dlg.id_edit.isEnabled()
    assert station_ctx.entries.get(e.id).status == Status.AWAITING


def test_slip_corrected_on_the_rekey_then_next_row(qtbot, station_ctx, officers):
    a, b = officers["1001"], officers["1002"]
    first = ready(station_ctx, a)
    second = ready(station_ctx, a, account_id="sato.k@sakura-trust.com")
    dlg = open_verify(qtbot, station_ctx, b)
    assert dlg.findChild(type(dlg.message), "shown_番号").text() == str(first.position)
    type_id(qtbot, dlg, "tanaka.hiroshiO1@example.co.jp")
    assert dlg.message.text() == MISMATCH_TEXT  # nothing more: not where, not how
    assert dlg.id_edit.text() == ""
    type_id(qtbot, dlg, "tanaka.hiroshi01@example.co.jp")
    assert station_ctx.entries.get(first.id).status == Status.VERIFIED
    # moved on to the next awaiting row by itself
    assert dlg.findChild(type(dlg.message), "shown_番号").text() == str(second.position)
    type_id(qtbot, dlg, "ｓａｔｏ.k@sakura-trust.com")  # pasted full-width: same after normalisation
    assert station_ctx.entries.get(second.id).status == Status.VERIFIED
    assert [r["action"] for r in station_ctx.audit.rows(entity_id=first.id)] == [
        "entry.create", "entry.ready", "verify.start", "verify.attempt", "verify.attempt",
        "verify.slip_corrected", "verify.verified"]


def test_persisting_mismatch_goes_to_adjudication(qtbot, station_ctx, officers):
    e = ready(station_ctx, officers["1001"])
    dlg = open_verify(qtbot, station_ctx, officers["1002"])
    type_id(qtbot, dlg, "tanaka.hiroshiO1@example.co.jp")
    type_id(qtbot, dlg, "tanaka.hiroshiO1@example.co.jp")
    assert "判定待ち" in dlg.message.text()
    assert station_ctx.entries.get(e.id).status == Status.CONFLICT


def test_verified_id_edited_is_unverified(qtbot, station_ctx, officers):
    a = officers["1001"]
    e = ready(station_ctx, a)
    dlg = open_verify(qtbot, station_ctx, officers["1002"])
    type_id(qtbot, dlg, "tanaka.hiroshi01@example.co.jp")
    assert station_ctx.entries.get(e.id).status == Status.VERIFIED
    after = station_ctx.entries.update(a.id, e.id, {"account_id": "tanaka.hiroshi02@example.co.jp"})
    assert after.status == Status.DRAFT and after.verified_by is None
    update = [r for r in station_ctx.audit.rows(entity_id=e.id) if r["action"] == "entry.update"][-1]
    assert update["detail"]["status_before"] == "verified" and update["detail"]["verification"] == "reset"
