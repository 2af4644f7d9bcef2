"""取込: import station files (or, at a station, HQ's return files) with a progress bar, a cancel
button and per-file results. The work runs in a QThread on its own database connection, so the
window stays responsive; cancelling stops between files (a file is never half-imported)."""
from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QObject, Qt, QThread, Signal, Slot
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QFileDialog, QHBoxLayout, QHeaderView, QLabel,
                               QProgressBar, QPushButton, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)

from desktop_app.hq.import_run import CancelToken, FileResult
from desktop_app.hq.statuses import ALREADY_IMPORTED, CANCELLED, IMPORTED, NEEDS_CONFIRMATION, REFUSED

log = logging.getLogger(__name__)

def _tr(text: str) -> str:
    return QCoreApplication.translate("ImportDialog", text)


RESULT_LABELS = {IMPORTED: "取込", NEEDS_CONFIRMATION: "取込(要確認・署名なし)", ALREADY_IMPORTED: "取込済み",
                 REFUSED: "拒否", CANCELLED: "中止"}


class ImportWorker(QObject):
    """Runs ``Importer.import_paths`` off the GUI thread and reports back through signals."""

    progress = Signal(int, int, str)
    finished = Signal(list)
    failed = Signal(str)

    def __init__(self, hq, paths: list[str], officer_id: int | None):
        super().__init__()
        self._hq = hq
        self._paths = paths
        self._officer_id = officer_id
        self.cancel_token = CancelToken()

    @Slot()
    def run(self) -> None:
        worker_hq = self._hq.for_worker()
        try:
            results = worker_hq.importer().import_paths(
                self._paths, officer_id=self._officer_id, cancel=self.cancel_token,
                progress=lambda done, total, path: self.progress.emit(done, total, path))
            self.finished.emit(results)
        except Exception as exc:  # never let a worker die silently
            log.exception("import failed")
            self.failed.emit(str(exc))
        finally:
            worker_hq.close()


class ImportDialog(QDialog):
    """``ImportDialog(hq, paths, officer_id)``: starts at once; ``results`` holds the outcome."""

    imported = Signal(list)

    def __init__(self, hq, paths: list[str], officer_id: int | None, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(self.tr("ファイルの取込"))
        self.resize(900, 420)
        self.results: list[FileResult] = []
        self.label = QLabel(self.tr("取り込んでいます…"))
        self.bar = QProgressBar()
        self.bar.setRange(0, 0)
        self.cancel_button = QPushButton(self.tr("中止"))
        self.cancel_button.setObjectName("cancelImport")
        self.cancel_button.clicked.connect(self.cancel)
        top = QHBoxLayout()
        top.addWidget(self.bar, 1)
        top.addWidget(self.cancel_button)
        self.table = QTableWidget(0, 6)
        self.table.setObjectName("importResults")
        self.table.setHorizontalHeaderLabels([self.tr("ファイル"), self.tr("結果"), self.tr("送付元"),
                                              self.tr("通し番号"), self.tr("行数"), self.tr("エラー・注意")])
        self.table.horizontalHeader().setSectionResizeMode(5, QHeaderView.ResizeMode.Stretch)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.buttons.rejected.connect(self.reject)
        self.buttons.setEnabled(False)
        lay = QVBoxLayout(self)
        lay.addWidget(self.label)
        lay.addLayout(top)
        lay.addWidget(self.table, 1)
        lay.addWidget(self.buttons)

        self._thread = QThread(self)
        self.worker = ImportWorker(hq, [str(p) for p in paths], officer_id)
        self.worker.moveToThread(self._thread)
        self._thread.started.connect(self.worker.run)
        self.worker.progress.connect(self._on_progress)
        self.worker.finished.connect(self._on_finished)
        self.worker.failed.connect(self._on_failed)
        self._thread.start()

    @property
    def running(self) -> bool:
        return self._thread.isRunning()

    def cancel(self) -> None:
        self.worker.cancel_token.cancel()
        self.cancel_button.setEnabled(False)
        self.label.setText(self.tr("中止しています(いま処理中のファイルまでは取り込みます)…"))

    def wait(self, ms: int = 30000) -> bool:
        return self._thread.wait(ms)

    def reject(self) -> None:
        if self.running:
            self.cancel()  # Esc while running means stop, not abandon the thread
            return
        super().reject()

    def closeEvent(self, event) -> None:
        if self.running:
            self.cancel()
            event.ignore()
            return
        super().closeEvent(event)

    @Slot(int, int, str)
    def _on_progress(self, done: int, total: int, path: str) -> None:
        self.bar.setRange(0, max(total, 1))
        self.bar.setValue(done)
        if path:
            self.label.setText(self.tr("{done}/{total} 件目: {name}").format(done=done + 1, total=total, name=Path(path).name))

    @Slot(list)
    def _on_finished(self, results: list) -> None:
        self.results = results
        self._thread.quit()
        self._thread.wait()
        self.bar.setRange(0, 1)
        self.bar.setValue(1)
        self.cancel_button.setEnabled(False)
        self.buttons.setEnabled(True)
        counts = {k: sum(1 for r in results if r.status == k) for k in RESULT_LABELS}
        self.label.setText(self.tr("完了: 取込{a}件、要確認{b}件、取込済み{c}件、拒否{d}件{e}").format(
            a=counts[IMPORTED], b=counts[NEEDS_CONFIRMATION], c=counts[ALREADY_IMPORTED], d=counts[REFUSED],
            e=self.tr("、中止{n}件").format(n=counts[CANCELLED]) if counts[CANCELLED] else ""))
        self.table.setRowCount(len(results))
        for i, r in enumerate(results):
            notes = [e["message"] for e in r.errors] + r.warnings
            cells = [Path(r.path).name, self.tr(RESULT_LABELS.get(r.status, r.status)), r.unit_name or r.unit or
                     (self.tr("署名なし") if not r.signed else ""), "" if r.sequence is None else str(r.sequence),
                     str(r.rows_imported), " / ".join(notes)]
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if c == 5 and notes:
                    item.setToolTip("\n".join(notes))
                if c == 1 and r.status == REFUSED:
                    item.setForeground(Qt.GlobalColor.darkRed)
                self.table.setItem(i, c, item)
        self.table.resizeColumnsToContents()
        self.imported.emit(results)

    @Slot(str)
    def _on_failed(self, message: str) -> None:
        self._thread.quit()
        self._thread.wait()
        self.buttons.setEnabled(True)
        self.cancel_button.setEnabled(False)
        self.label.setText(self.tr("取込を完了できませんでした: {m}").format(m=message))


def choose_files(parent: QWidget) -> list[str]:
    files, _ = QFileDialog.getOpenFileNames(parent, _tr("取り込むファイル"), "",
                                            _tr("Excelファイル (*.xlsx *.xls);;すべてのファイル (*)"))
    return files


def choose_folder(parent: QWidget) -> list[str]:
    folder = QFileDialog.getExistingDirectory(parent, _tr("取り込むフォルダ"))
    return [folder] if folder else []


def paths_from_mime(mime) -> list[str]:
    """Local files and folders dropped from Explorer (other URLs are ignored)."""
    if mime is None or not mime.hasUrls():
        return []
    return [u.toLocalFile() for u in mime.urls() if u.isLocalFile() and u.toLocalFile()]
