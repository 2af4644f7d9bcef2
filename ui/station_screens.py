"""The station tier's actions around the 別添 screen, in one call from the composition root:

    install_station_screens(main_window, ctx, officer)

送付ファイル作成 (signed export for HQ), 本部からのファイル取込 (returns and outcomes coming down),
誤依頼の報告 (rows already sent), and the signing key / trusted keys dialogs. Rows HQ returned show
HQ's reason in the entry screen's issue panel.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMessageBox

from desktop_app.entry import Status

log = logging.getLogger(__name__)


def _tr(text: str) -> str:
    return QCoreApplication.translate("station_screens", text)


@dataclass(frozen=True)
class _ReportRow:
    """What the shared reason form lists: the row's number on screen, its ID and station."""
    rid: str
    account_id: str | None
    account_id_raw: str | None
    station: str | None
    entry_id: str


class StationActions:
    def __init__(self, window, ctx):
        self.window, self.ctx = window, ctx
        self.screen = window.entry_screen
        self.export_action = self._add(_tr("送付ファイル作成…"), self.export, "Ctrl+E", toolbar=True)
        self.import_action = self._add(_tr("本部からのファイルを取り込む…"), self.import_files, "Ctrl+I")
        self.mistaken_action = self._add(_tr("誤依頼の報告…"), self.report_mistaken)
        self.print_action = self._add(_tr("印刷…"), self.print_preview, "Ctrl+P")
        window.menu("admin").addSeparator()
        self._add(_tr("この端末の署名鍵(指紋)…"), self.show_keys, menu="admin")
        self._add(_tr("信頼する鍵(本部)…"), self.show_trust, menu="admin")
        self.screen.add_note_provider(self.return_notes)

    @property
    def pipeline(self):
        # built on first use: the entry screen must not wait for the import pipeline at start-up
        return self.ctx.pipeline()

    def _add(self, text, slot, shortcut=None, *, toolbar=False, menu="file") -> QAction:
        action = QAction(text, self.window)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(slot)
        if toolbar:
            self.screen.add_action(action)
        self.window.menu(menu).addAction(action)
        return action

    # Dialogs are imported when opened: they pull in the exchange and pipeline code, which the entry
    # screen does not need to show.
    def show_keys(self) -> None:
        from ui.keys_dialog import KeysDialog

        KeysDialog(self.window, self.ctx, self.window.officer).exec()

    def show_trust(self) -> None:
        from ui.trust_dialog import TrustDialog

        TrustDialog(self.window, self.ctx, self.window.officer).exec()

    def export(self) -> None:
        from ui.export_dialog import ExportDialog

        ExportDialog(self.window, self.ctx, self.window.officer).exec()
        self.screen.reload()

    def import_files(self, paths: list[str] | None = None) -> None:
        from ui import import_dialog

        paths = paths or import_dialog.choose_files(self.window)
        if not paths:
            return
        import_dialog.ImportDialog(self.pipeline, list(paths), self.window.officer.id, self.window).exec()
        self.screen.reload()

    def report_mistaken(self) -> None:
        from ui.mistaken_dialog import MistakenDialog

        numbered = [(self.screen.model.row_of(e.id) + 1, e) for e in self.screen.selected_entries()]
        sent = [(n, e) for n, e in numbered if e.status == Status.EXPORTED]
        if not sent:
            QMessageBox.information(self.window, _tr("誤依頼の報告"),
                                    _tr("本部へ送付済みの行を選んでから報告してください。"))
            return
        rows = [_ReportRow(str(n), e.account_id, e.account_id_raw, e.station, e.id) for n, e in sent]

        def report(rows, reason, officer_id, out):
            return self.pipeline.station_mistaken.report([r.entry_id for r in rows], reason=reason,
                                                         officer_id=officer_id, out=out)

        MistakenDialog(self.pipeline, rows, self.window.officer.id, self.window, report=report).exec()
        self.screen.reload()

    def print_document(self):
        """The 別添 list as it stands on screen (a value awaiting its blind check stays hidden)."""
        from ui.entry_table_model import COL_ACCOUNT_ID
        from ui.print_support import PrintDocument

        model = self.screen.model
        rows = []
        for n, e in enumerate(model.entries()):
            rows.append({"number": n + 1, "account_id": model.index(n, COL_ACCOUNT_ID).data(),
                         "user_name": e.user_name, "organization": e.organization,
                         "case_type": model.index(n, model.column_index("case_type")).data(),
                         "station": e.station, "recognized_on": e.recognized_on,
                         "recognized_on_text": e.recognized_on_text})
        ident = self.ctx.setup.identity()
        pref = ident.prefecture.name if ident and ident.prefecture else ""
        return PrintDocument.for_form_rows(rows, unit_name=ident.unit_name if ident else "", today=self.ctx.today(),
                                           subtitle=_tr("都道府県: {p}").format(p=pref))

    def print_preview(self) -> None:
        from ui.print_support import preview

        preview(self.print_document(), self.window)

    def return_notes(self, entry) -> list[str]:
        if entry.status != Status.RETURNED:
            return []
        from desktop_app.hq.returns import return_reasons

        notes = return_reasons(self.ctx.database, entry.id)
        return [_tr("本部からの差戻し: {r}").format(r=n["reason"]) for n in notes
                if n.get("kind") != "mistaken_reported"][-1:]


def install_station_screens(window, ctx, officer) -> StationActions:
    return StationActions(window, ctx)
