"""The 別添 table model over EntryService, without a window: what each cell shows and what an edit stores."""
from __future__ import annotations

from PySide6.QtCore import Qt

from desktop_app.context import AppContext
from desktop_app.entry import Status
from desktop_app.storage.entries_repo import EntriesRepo
from ui.entry_table_model import (CELL_ISSUES_ROLE, COL_ACCOUNT_ID, COL_CASE_TYPE, COL_NUMBER, COL_RECOGNIZED_ON,
                                  COL_STATION, COL_STATUS, COL_USER_NAME, ENTRY_ROLE, SEVERITY_ROLE, EntryTableModel,
                                  parse_clipboard_block)

D, E, T = Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole, Qt.ItemDataRole.ToolTipRole


def model_for(ctx, officer):
    return EntryTableModel(ctx, officer.id)


def test_headers_follow_the_form_with_status_last(station_ctx, officer):
    m = model_for(station_ctx, officer)
    labels = [m.headerData(c, Qt.Orientation.Horizontal) for c in range(m.columnCount())]
    assert labels == ["番号", "アカウントID", "ユーザー名", "企業/団体名", "類型", "警察署", "認知日", "状態"]
    assert COL_NUMBER == 0 and COL_STATUS == len(labels) - 1


def test_empty_table_has_one_new_row_that_stores_nothing_until_typed(station_ctx, officer):
    m = model_for(station_ctx, officer)
    assert m.rowCount() == 1 and m.index(0, COL_NUMBER).data() == "1"
    assert not m.setData(m.index(0, COL_USER_NAME), "   ")
    assert station_ctx.entries.list() == []
    assert m.setData(m.index(0, COL_ACCOUNT_ID), "ｙａｍａｄａ－ｔａｒｏ＠ｅｘａｍｐｌｅ．ｃｏ．ｊｐ")
    stored = station_ctx.entries.list()
    assert len(stored) == 1 and stored[0].account_id == "yamada-taro@example.co.jp"
    assert stored[0].entered_by == officer.id
    assert m.rowCount() == 2  # the entry and a fresh new row below it
    assert m.index(0, COL_ACCOUNT_ID).data(D) == "yamada-taro@example.co.jp"
    assert "ｙａｍａｄａ" in m.index(0, COL_ACCOUNT_ID).data(T)  # what was typed stays visible as evidence
    assert m.index(0, COL_STATION).data(D) == "中央警察署"  # defaults to this station


def test_dates_typed_in_any_accepted_form_show_in_wareki(station_ctx, officer):
    m = model_for(station_ctx, officer)
    for i, typed in enumerate(["8.3.23", "R8.3.23", "令和8年3月23日", "2026-03-23"]):
        m.setData(m.index(i, COL_ACCOUNT_ID), f"user{i}@example.co.jp")
        m.setData(m.index(i, COL_RECOGNIZED_ON), typed)
        assert m.index(i, COL_RECOGNIZED_ON).data(D) == "令和8年3月23日", typed
        assert m.index(i, COL_RECOGNIZED_ON).data(E) == "令和8年3月23日"
    assert {e.recognized_on for e in station_ctx.entries.list()} == {"2026-03-23"}


def test_error_cell_is_tinted_with_message_and_status_counts_errors(station_ctx, officer):
    m = model_for(station_ctx, officer)
    m.setData(m.index(0, COL_ACCOUNT_ID), "ab..cd@example")
    cell = m.index(0, COL_ACCOUNT_ID)
    assert cell.data(SEVERITY_ROLE) == "error"
    assert cell.data(Qt.ItemDataRole.BackgroundRole).color().name() == "#f6c9c9"
    assert "ドットを2つ続けることはできません" in cell.data(T)
    assert "下書き・エラー" in m.index(0, COL_STATUS).data(D)


def test_old_date_is_an_amber_warning_not_an_error(station_ctx, officer):
    m = model_for(station_ctx, officer)
    station_ctx.entries.create(officer.id, {"account_id": "ok-user@example.co.jp", "user_name": "山田",
                                            "case_type": "SNS型投資詐欺", "recognized_on": "2024-01-05"})
    m.reload()
    cell = m.index(0, COL_RECOGNIZED_ON)
    assert cell.data(SEVERITY_ROLE) == "warning"
    assert cell.data(Qt.ItemDataRole.BackgroundRole).color().name() == "#fde3a7"
    assert "1年以上前" in cell.data(T)
    assert m.index(0, COL_STATUS).data(D) == "下書き"
    assert not any(i.is_error for i in cell.data(CELL_ISSUES_ROLE))


def test_case_type_refinement_round_trips_through_the_label(station_ctx, officer):
    m = model_for(station_ctx, officer)
    m.setData(m.index(0, COL_ACCOUNT_ID), "abc@example.co.jp")
    m.setData(m.index(0, COL_CASE_TYPE), "特殊詐欺(還付金詐欺)")
    e = m.index(0, 0).data(ENTRY_ROLE)
    assert (e.case_type, e.refinement) == ("特殊詐欺", "還付金詐欺")
    assert m.index(0, COL_CASE_TYPE).data(D) == "特殊詐欺(還付金詐欺)"


def test_unchanged_edit_writes_nothing_to_the_audit_log(station_ctx, officer):
    m = model_for(station_ctx, officer)
    m.setData(m.index(0, COL_ACCOUNT_ID), "abc@example.co.jp")
    before = station_ctx.database.db["audit_log"].count
    assert not m.setData(m.index(0, COL_ACCOUNT_ID), m.index(0, COL_ACCOUNT_ID).data(E))
    assert station_ctx.database.db["audit_log"].count == before


def test_edits_are_written_at_once_and_survive_a_new_context(station_ctx, officer, tmp_path):
    m = model_for(station_ctx, officer)
    m.setData(m.index(0, COL_ACCOUNT_ID), "persist@example.co.jp")
    m.setData(m.index(0, COL_USER_NAME), "保存テスト")
    root = station_ctx.data_dir.root
    other = AppContext.open(root, log_to_file=False)
    try:
        again = EntryTableModel(other, officer.id)
        assert again.index(0, COL_USER_NAME).data(D) == "保存テスト"
        assert again.rowCount() == 2
    finally:
        other.close()


def test_sent_rows_are_read_only(station_ctx, officer):
    e = station_ctx.entries.create(officer.id, {"account_id": "sent@example.co.jp"})
    EntriesRepo(station_ctx.database).update(e.id, {"status": Status.EXPORTED.value})
    m = model_for(station_ctx, officer)
    assert not (m.flags(m.index(0, COL_USER_NAME)) & Qt.ItemFlag.ItemIsEditable)
    assert m.flags(m.index(1, COL_USER_NAME)) & Qt.ItemFlag.ItemIsEditable  # the new row is
    assert not (m.flags(m.index(1, COL_NUMBER)) & Qt.ItemFlag.ItemIsEditable)


def test_refused_write_is_reported_not_swallowed(station_ctx, officer, qtbot):
    m = model_for(station_ctx, officer)
    m.setData(m.index(0, COL_ACCOUNT_ID), "gone@example.co.jp")
    station_ctx.entries.delete(officer.id, m.entry(0).id)  # deleted elsewhere meanwhile
    with qtbot.waitSignal(m.writeFailed) as sig:
        assert not m.setData(m.index(0, COL_USER_NAME), "山田")
    assert "行が見つかりません" in sig.args[0]


def test_officer_change_is_recorded_as_entered_by(station_ctx, officer):
    second = next(o for o in station_ctx.officers.list() if o.staff_no == "1002")
    m = model_for(station_ctx, officer)
    m.set_officer(second.id)
    m.setData(m.index(0, COL_ACCOUNT_ID), "who@example.co.jp")
    assert station_ctx.entries.list()[0].entered_by == second.id


def test_paste_block_from_excel_fills_rows_from_the_current_cell(station_ctx, officer):
    m = model_for(station_ctx, officer)
    block = "a1@example.co.jp\t山田\r\nb2@example.co.jp\t\"改行\nあり\"\r\n\r\nc3@example.co.jp\t鈴木\r\n"
    assert m.paste_text(0, COL_ACCOUNT_ID, block) == 3
    rows = station_ctx.entries.list()
    assert [e.account_id for e in rows] == ["a1@example.co.jp", "b2@example.co.jp", "c3@example.co.jp"]
    assert rows[1].user_name == "改行\nあり"
    assert m.rowCount() == 4


def test_parse_clipboard_block_shapes():
    assert parse_clipboard_block("") == []
    assert parse_clipboard_block("x\ty\n") == [["x", "y"]]
    assert parse_clipboard_block("x\r\ny\r\n") == [["x"], ["y"]]
    assert parse_clipboard_block("\t\n\t\n") == []


def test_id_awaiting_blind_verification_is_not_shown_and_cannot_be_blanked(station_ctx, officer):
    # The second officer verifies at this screen: the first value must not be readable behind the dialog.
    m = model_for(station_ctx, officer)
    m.setData(m.index(0, COL_ACCOUNT_ID), "hidden.value@example.co.jp")
    for col, text in ((COL_USER_NAME, "名前"), (COL_CASE_TYPE, "SNS型投資詐欺"), (COL_RECOGNIZED_ON, "R8.3.1")):
        m.setData(m.index(0, col), text)
    entry = m.entry(0)
    station_ctx.entries.mark_ready(officer.id, entry.id)
    m.reload()
    cell = m.index(0, COL_ACCOUNT_ID)
    assert "hidden" not in (cell.data(D) or "") and "hidden" not in (cell.data(E) or "")
    assert "hidden" not in (cell.data(T) or "")
    assert m.index(0, COL_USER_NAME).data(D) == "名前"  # the rest stays visible to find the source
    assert not m.setData(cell, "")  # leaving the editor empty changes nothing
    assert station_ctx.entries.get(entry.id).account_id == "hidden.value@example.co.jp"
    assert m.setData(cell, "fixed.value@example.co.jp")  # a new value goes back to a draft, shown again
    assert station_ctx.entries.get(entry.id).status == Status.DRAFT
    assert m.index(0, COL_ACCOUNT_ID).data(D) == "fixed.value@example.co.jp"
