"""Reference cycles are collected on the GUI thread, never by a worker thread that happens to allocate."""
from __future__ import annotations

import gc
import threading
import weakref

from PySide6.QtWidgets import QDialog

from ui import gui_gc


def test_a_worker_thread_never_finalises_a_dialog_left_in_a_cycle(qapp, qtbot):
    gc.enable()  # as Python starts; the collector must take over from here
    collector = gui_gc.GuiThreadCollector(qapp, interval_ms=10)
    try:
        assert not gc.isenabled()
        finalised_on = []

        class Closed(QDialog):
            pass

        dialog = Closed()
        dialog.me = dialog  # a cycle, as a closed dialog with connected lambdas leaves
        gone = weakref.finalize(dialog, lambda: finalised_on.append(threading.current_thread().name))
        del dialog

        def allocate():  # far past the first generation's threshold: the old collector would run here
            junk = []
            for _ in range(50_000):
                a = []
                a.append(a)
                junk.append(a)

        worker = threading.Thread(target=allocate, name="import-worker")
        worker.start()
        worker.join()
        assert finalised_on == []  # nothing collected by the worker
        qtbot.waitUntil(lambda: not gone.alive, timeout=5000)  # the GUI thread's timer collects it
        assert finalised_on == [threading.main_thread().name]
    finally:
        collector.stop()
        assert gc.isenabled()  # handed back as it was found
        gc.disable()  # the package's collector (conftest) is still in charge
