"""pytest-qt: HQ screens driven as a person would — drop files on the window, filter and sort the
table, return and hold rows through their dialogs, see the deadline banner."""
from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent, QDragEnterEvent
from PySide6.QtWidgets import QApplication, QDialogButtonBox

from desktop_app.hq.statuses import RowStatus
from tests.hq_support import make_pair, row
from ui.hold_dialog import HoldDialog
from ui.hq_rows_model import COL_RID, COL_STATUS, PAGE, HqRowsModel
from ui.hq_screens import install_hq_screens
from ui.main_window import MainWindow
from ui.return_dialog import ReturnDialog


@pytest.fixture
def pair(tmp_path):
    hq, stations = make_pair(tmp_path)
    hq.ctx.officers.add("2001", "本部太郎", "1111")
    yield hq, stations
    for u in (hq, *stations):
        u.close()


@pytest.fixture
def window(qtbot, pair):
    hq, _ = pair
    officer = hq.ctx.officers.list()[0]
    w = MainWindow(hq.ctx, officer)
    screens = install_hq_screens(w, hq.ctx, officer, warn=False, hq=hq.hq)
    qtbot.addWidget(w)
    w.show()
    return w, screens


def drop(widget, paths):
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    pos = QPointF(widget.rect().center())
    enter = QDragEnterEvent(pos.toPoint(), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                            Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(widget, enter)
    assert enter.isAccepted()
    ev = QDropEvent(pos, Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(widget, ev)
    return ev


def test_dropping_files_and_a_folder_imports_them_in_the_background(qtbot, window, pair, tmp_path):
    w, screens = window
    hq, (chuo, kita) = pair
    folder = tmp_path / "from kita"
    folder.mkdir()
    f1 = chuo.write_export(tmp_path / "chuo.xlsx", [row("a1@example.jp"), row("a2@example.jp")])
    kita.write_export(folder / "kita.xlsx", [row("b1@example.jp", station="北警察署")])
    (folder / "broken.xlsx").write_bytes(b"garbage")
    ev = drop(w, [f1, folder])  # dropped on the window itself, not only on the table
    assert ev.isAccepted()
    dlg = screens.review.last_import_dialog
    qtbot.waitUntil(lambda: not dlg.running and dlg.buttons.isEnabled(), timeout=20000)
    assert {r.path.rsplit("/", 1)[-1]: r.status for r in dlg.results} == {
        "chuo.xlsx": "imported", "kita.xlsx": "imported", "broken.xlsx": "refused"}
    shown = {dlg.table.item(i, 0).text(): dlg.table.item(i, 1).text() for i in range(dlg.table.rowCount())}
    assert shown["broken.xlsx"] == "拒否" and shown["kita.xlsx"] == "取込"
    assert "取込2件" in dlg.label.text() and "拒否1件" in dlg.label.text()
    qtbot.waitUntil(lambda: screens.review.model.total == 3)
    dlg.close()


def test_a_drop_of_non_files_is_ignored(qtbot, window):
    w, screens = window
    mime = QMimeData()
    mime.setText("fraud@example.jp")
    enter = QDragEnterEvent(QPoint(5, 5), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                            Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(screens.review, enter)
    assert not enter.isAccepted()


def test_cancel_stops_between_files_and_the_window_stays_responsive(qtbot, window, pair, tmp_path):
    w, screens = window
    hq, (chuo, _) = pair
    files = [chuo.write_export(tmp_path / f"{i:02d}.xlsx", [row(f"c{i}x@example.jp")]) for i in range(30)]
    dlg = screens.review.import_paths([str(p) for p in files])
    qtbot.mouseClick(dlg.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dlg.running and dlg.buttons.isEnabled(), timeout=20000)
    statuses = [r.status for r in dlg.results]
    assert statuses.count("imported") + statuses.count("cancelled") == 30
    assert "cancelled" in statuses  # stopped before the end
    assert screens.review.model.total == statuses.count("imported")  # nothing half-imported
    dlg.close()


def import_now(hq, unit, tmp_path, ids, name="x.xlsx", **kw):
    hq.hq.importer().import_paths([unit.write_export(tmp_path / name, [row(i, **kw) for i in ids])])


def test_filters_and_sorting(qtbot, window, pair, tmp_path):
    w, screens = window
    hq, (chuo, kita) = pair
    import_now(hq, chuo, tmp_path, ["alpha@example.jp", "bravo@example.jp", "delta@example.jp"], "c.xlsx")
    import_now(hq, kita, tmp_path, ["kappa@example.jp", "delta@example.jp"], "k.xlsx", station="北警察署",
               case_type="特殊詐欺")
    screen = screens.review
    screen.reload()
    assert screen.model.total == 5
    screen.station.setFocus()
    qtbot.keyClick(screen.station, Qt.Key.Key_Down)  # keyboard: すべて → 中央警察署 → 北警察署
    qtbot.keyClick(screen.station, Qt.Key.Key_Down)
    assert screen.station.currentText() == "北警察署"
    assert screen.model.total == 2
    qtbot.mouseClick(screen.problems, Qt.MouseButton.LeftButton)
    assert screen.model.total == 1
    assert screen.model.row_at(0).account_id == "delta@example.jp"
    screen.station.setCurrentIndex(0)
    assert screen.model.total == 2  # both rows of the duplicate pair are flagged
    qtbot.mouseClick(screen.problems, Qt.MouseButton.LeftButton)
    screen.case_type.setCurrentIndex(screen.case_type.findText("特殊詐欺"))
    assert screen.model.total == 2
    screen.case_type.setCurrentIndex(0)
    qtbot.keyClicks(screen.search, "bra")
    assert screen.model.total == 1
    screen.search.clear()
    # sort by clicking the 受付番号 header: ascending, then descending
    header = screen.view.horizontalHeader()
    x = header.sectionViewportPosition(COL_RID) + 5
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, 5))
    first = [screen.model.data(screen.model.index(i, COL_RID)) for i in range(screen.model.rowCount())]
    assert first == sorted(first, key=int) or first == sorted(first, key=int, reverse=True)
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, 5))
    second = [screen.model.data(screen.model.index(i, COL_RID)) for i in range(screen.model.rowCount())]
    assert second == list(reversed(first))
    status_idx = screen.status.findData(RowStatus.SENT.value)
    screen.status.setCurrentIndex(status_idx)
    assert screen.model.total == 0
    screen.use_dates.setChecked(True)
    screen.status.setCurrentIndex(0)
    assert screen.model.total == 5  # all received today
    d = screen.date_from.date().addDays(1)
    screen.date_from.setDate(d)
    assert screen.model.total == 0


def test_model_pages_through_many_rows_without_loading_them_all(pair):
    hq, _ = pair
    conn = hq.ctx.database.db.conn
    conn.execute("BEGIN")
    conn.executemany("INSERT INTO hq_rows (account_id, status, received_at, received_on, station) VALUES (?,?,?,?,?)",
                     [(f"bulk{i}@example.jp", "received", "2026-11-20T10:00:00", "2026-11-20", "中央警察署")
                      for i in range(3 * PAGE + 7)])
    conn.execute("COMMIT")
    model = HqRowsModel(hq.hq.rows)
    assert model.total == 3 * PAGE + 7 and model.rowCount() == PAGE
    while model.canFetchMore():
        model.fetchMore()
    assert model.rowCount() == 3 * PAGE + 7
    assert model.data(model.index(0, COL_STATUS)) == "受理"


def select_rows(screen, n):
    screen.view.setFocus()
    screen.view.selectRow(0)
    for i in range(1, n):
        screen.view.selectionModel().select(screen.model.index(i, 0),
                                            screen.view.selectionModel().SelectionFlag.Select |
                                            screen.view.selectionModel().SelectionFlag.Rows)


def test_return_dialog_requires_a_reason_and_writes_the_station_file(qtbot, window, pair, tmp_path, messages):
    w, screens = window
    hq, (chuo, _) = pair
    import_now(hq, chuo, tmp_path, ["bad0@example.jp"])
    screens.review.reload()
    select_rows(screens.review, 1)
    dlg = ReturnDialog(hq.hq, screens.review.selected_rows(), None, screens.review)
    qtbot.addWidget(dlg)
    dlg.out_dir.setText(str(tmp_path / "returns"))
    ok = dlg.buttons.button(QDialogButtonBox.StandardButton.Ok)
    qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)
    assert messages.texts("warning") == ["差戻しの理由を入力してください"]
    assert hq.hq.rows.query()[0].status == RowStatus.RECEIVED
    dlg.form.reason.insertPlainText("IDの0とoを確認してください")  # Japanese comes through the IME
    qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)
    assert dlg.result() == dlg.DialogCode.Accepted
    [r] = hq.hq.rows.query()
    assert (r.status, r.reason) == (RowStatus.RETURNED, "IDの0とoを確認してください")
    assert len(list((tmp_path / "returns").glob("差戻し_*.xlsx"))) == 1
    assert "1行を差し戻しました" in messages.texts("information")[0]


def test_hold_dialog_sets_reason_and_review_date(qtbot, window, pair, tmp_path, messages):
    w, screens = window
    hq, (chuo, _) = pair
    import_now(hq, chuo, tmp_path, ["h1@example.jp", "h2@example.jp"])
    screens.review.reload()
    select_rows(screens.review, 2)
    dlg = HoldDialog(hq.hq, screens.review.selected_rows(), None, screens.review)
    qtbot.addWidget(dlg)
    assert dlg.review.date().toPython() == hq.today + dt.timedelta(days=14)
    dlg.form.reason.insertPlainText("捜査に支障")
    qtbot.mouseClick(dlg.buttons.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton)
    rows = hq.hq.rows.query()
    assert {(r.status, r.reason, r.hold_until) for r in rows} == {
        (RowStatus.HELD, "捜査に支障", (hq.today + dt.timedelta(days=14)).isoformat())}
    screens.review.reload()
    assert "保留" in screens.review.model.data(screens.review.model.index(0, COL_STATUS))


def test_deadline_banner_warns_about_late_batches(qtbot, window, pair, tmp_path):
    w, screens = window
    hq, (chuo, _) = pair
    import_now(hq, chuo, tmp_path, ["late@example.jp"])
    banner = screens.banner
    banner.refresh()
    assert banner.isHidden()  # Friday's batch is due on Tuesday
    hq.today = dt.date(2026, 11, 24)
    hq.hq.aggregation._now = lambda: dt.datetime(2026, 11, 24, 18, 0)
    banner.refresh()
    assert banner.isVisible() and "過ぎています" in banner.text and "令和8年11月20日" in banner.text


def test_units_screen_registers_a_key_by_fingerprint_and_revokes_it(qtbot, window, pair, tmp_path, monkeypatch,
                                                                    messages):
    from PySide6.QtWidgets import QFileDialog, QInputDialog

    from desktop_app.signing_keys import PublicKeyInfo
    from tests.hq_support import Unit

    w, screens = window
    hq, _ = pair
    newcomer = Unit(tmp_path / "new", "station", station="南警察署")
    info = PublicKeyInfo.from_minisign(newcomer.keypair.public_key)
    pub = tmp_path / "minami.pub"
    pub.write_text(info.file_text().replace("untrusted comment: ",
                                            f"untrusted comment: teishi unit={newcomer.unit_id} tier=station pref=27 "),
                   encoding="ascii")
    answers = iter(["0000 0000", "大阪府警察本部 南警察署"])
    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(lambda *a, **k: (str(pub), "")))
    monkeypatch.setattr(QInputDialog, "getText", staticmethod(lambda *a, **k: (next(answers), True)))
    screen = screens.units
    before = screen.model.rowCount()
    qtbot.mouseClick(screen.register_button, Qt.MouseButton.LeftButton)
    assert "指紋が一致しません" in messages.texts("warning")[0] and screen.model.rowCount() == before
    answers = iter([info.fingerprint, "大阪府警察本部 南警察署"])
    qtbot.mouseClick(screen.register_button, Qt.MouseButton.LeftButton)
    assert screen.model.rowCount() == before + 1
    row = next(i for i in range(screen.model.rowCount())
               if screen.model.data(screen.model.index(i, 1)) == newcomer.unit_id)
    assert screen.model.data(screen.model.index(row, 3)) == "有効"
    screen.view.selectRow(row)
    answers = iter(["端末の紛失"])
    qtbot.mouseClick(screen.revoke_button, Qt.MouseButton.LeftButton)
    row = next(i for i in range(screen.model.rowCount())
               if screen.model.data(screen.model.index(i, 1)) == newcomer.unit_id)
    assert screen.model.data(screen.model.index(row, 3)) == "失効"
    # a file signed with the revoked key is now refused
    [res] = hq.hq.importer().import_paths([newcomer.write_export(tmp_path / "m.xlsx", [row_values()])])
    assert res.status == "refused" and "失効" in res.errors[0]["message"]
    newcomer.close()


def row_values():
    return row("minami@example.jp", station="中央警察署")


def test_hand_filled_file_confirmed_as_a_whole_from_the_screen(qtbot, window, pair, tmp_path):
    from tests.hq_support import handfilled

    w, screens = window
    hq, _ = pair
    f = handfilled(tmp_path / "hand.xlsx", [["hand-a@example.jp", "x", "", "特殊詐欺", "中央警察署", "R8.11.2"],
                                            ["hand-b@example.jp", "y", "", "特殊詐欺", "中央警察署", "R8.11.3"]])
    hq.hq.importer().import_paths([f])
    screen = screens.review
    screen.reload()
    assert {screen.model.data(screen.model.index(i, COL_STATUS)) for i in range(2)} == {"未確認"}
    screen.view.setFocus()
    screen.view.selectRow(0)
    screen.confirm_file_action.trigger()
    assert {r.status for r in hq.hq.rows.query()} == {RowStatus.RECEIVED}


def test_the_filtered_list_prints_on_a4(qtbot, window, pair, tmp_path):
    w, screens = window
    hq, (chuo, kita) = pair
    import_now(hq, chuo, tmp_path, ["alpha@example.jp", "bravo@example.jp"], "c.xlsx")
    import_now(hq, kita, tmp_path, ["kappa@example.jp"], "k.xlsx", station="北警察署")
    screen = screens.review
    screen.reload()
    screen.station.setCurrentIndex(screen.station.findText("北警察署"))
    doc = screen.print_document()
    assert [r[1] for r in doc.rows] == ["kappa@example.jp"]  # what the filters show, nothing else
    assert "受付一覧(1行)" == doc.subtitle
    from ui.print_support import print_to_pdf

    assert print_to_pdf(doc, tmp_path / "hq.pdf") == 1


def test_dates_names_and_ids_show_whole_in_the_review_table(qtbot, window, pair, tmp_path):
    from PySide6.QtGui import QFontMetrics

    from ui.hq_rows_model import COLUMN_KEYS

    w, screens = window
    hq, (chuo, _kita) = pair
    import_now(hq, chuo, tmp_path, ["long-name.for-checking@example.co.jp"], "c.xlsx", user_name="投資アドバイザー",
               case_type="SNS型ロマンス詐欺", recognized_on="2026-12-31")
    screen = screens.review
    screen.reload()
    view = screen.view
    for key in ("user_name", "case_type", "recognized_on", "received_at"):
        col = COLUMN_KEYS.index(key)
        text = screen.model.index(0, col).data()
        font = view.font()
        assert QFontMetrics(font).horizontalAdvance(text) + 8 <= view.columnWidth(col), (key, text)
    assert not view.verticalHeader().isVisible()
