"""Keys, trust and export dialogs driven as an officer would."""
from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox

from desktop_app.entry import Status
from desktop_app.signing_keys import PASSPHRASE_ENV
from tests.fixtures.exchange_files import SAMPLE_VALUES, verified_rows
from ui.export_dialog import ExportDialog
from ui.keys_dialog import KeysDialog
from ui.trust_dialog import AddKeyDialog, TrustDialog, TrustTableModel


@pytest.fixture(autouse=True)
def passphrase(monkeypatch):
    monkeypatch.setenv(PASSPHRASE_ENV, "ui test passphrase")


def test_keys_dialog_shows_the_fingerprint_large(qtbot, station_ctx, officer, tmp_path):
    dlg = KeysDialog(None, station_ctx, officer)
    qtbot.addWidget(dlg)
    dlg.show()
    info = dlg.keys.info()
    assert dlg.fingerprint.text().replace("\n", " ") == info.fingerprint
    assert dlg.fingerprint.font().pointSize() >= 24
    assert info.key_id in dlg.key_id.text()
    dlg.grab().save(str(tmp_path / "keys.png"))


def test_trust_dialog_adds_only_with_the_read_out_fingerprint_and_revokes(qtbot, station_ctx, officer, tmp_path,
                                                                             messages, monkeypatch):
    from desktop_app.context import AppContext
    from ui.keys_dialog import key_service_for

    other = AppContext.open(tmp_path / "other", log_to_file=False)
    other.setup.initialise("station", "27", "北警察署")
    pub = tmp_path / "north.pub"
    info = key_service_for(None, other).ensure(other.setup.identity())
    pub.write_text(info.file_text())
    dlg = TrustDialog(None, station_ctx, officer)
    qtbot.addWidget(dlg)
    add = AddKeyDialog(dlg, info)
    qtbot.keyClicks(add.confirm, "1234 5678")
    assert not dlg.add_from_file(pub, add)
    assert "指紋が一致しません" in messages.texts()[-1]
    add.confirm.clear()
    qtbot.keyClicks(add.confirm, info.fingerprint.lower())
    add.unit_name.insert("大阪府警察本部 北警察署")  # what the IME commits; keyClicks cannot type kanji
    assert dlg.add_from_file(pub, add)
    assert dlg.model.rowCount() == 1
    assert dlg.model.index(0, TrustTableModel.COL_STATUS).data() == "有効"
    dlg.table.selectRow(0)
    monkeypatch.setattr("ui.trust_dialog.QInputDialog.getText", lambda *a, **k: ("端末紛失", True))
    qtbot.mouseClick(dlg.revoke_button, Qt.MouseButton.LeftButton)
    assert dlg.model.index(0, TrustTableModel.COL_STATUS).data() == "失効"
    other.close()


def test_export_dialog_counts_and_writes(qtbot, station_ctx, officers, officer, tmp_path, messages):
    verified_rows(station_ctx, officers, SAMPLE_VALUES[:2])
    station_ctx.entries.create(officer.id, SAMPLE_VALUES[2])
    dlg = ExportDialog(None, station_ctx, officer)
    qtbot.addWidget(dlg)
    assert (dlg.ready_count, dlg.held_count) == (2, 1)
    assert "2行" in dlg.summary.text() and "1行" in dlg.summary.text()
    assert dlg.held.count() == 1
    assert dlg.export_to(tmp_path / "out.xlsx")
    assert (tmp_path / "out.xlsx").exists()
    assert [e.status for e in station_ctx.entries.list()][:2] == [Status.EXPORTED, Status.EXPORTED]


def test_export_dialog_test_send_changes_no_rows(qtbot, station_ctx, officers, officer, tmp_path, messages):
    verified_rows(station_ctx, officers, SAMPLE_VALUES[:1])
    dlg = ExportDialog(None, station_ctx, officer)
    qtbot.addWidget(dlg)
    qtbot.mouseClick(dlg.test_box, Qt.MouseButton.LeftButton)
    assert dlg.test_box.isChecked()
    assert dlg.export_to(tmp_path / "test.xlsx")
    assert dlg.result.test and station_ctx.entries.list()[0].status == Status.VERIFIED


def test_export_dialog_says_in_japanese_when_the_place_cannot_be_written(qtbot, station_ctx, officers, officer,
                                                                          tmp_path, messages):
    verified_rows(station_ctx, officers, SAMPLE_VALUES[:2])
    dlg = ExportDialog(None, station_ctx, officer)
    qtbot.addWidget(dlg)
    blocked = tmp_path / "USBメモリ"
    blocked.write_text("a file, not the folder the officer meant")
    assert not dlg.export_to(blocked / "送付.xlsx")
    text = messages.texts()[-1]
    assert "ファイル「送付.xlsx」を書き出せませんでした" in text and "Errno" not in text and ".tmp" not in text
    assert [e.status for e in station_ctx.entries.list()] == [Status.VERIFIED, Status.VERIFIED]  # nothing used up
    assert dlg.export_to(tmp_path / "送付.xlsx")
