"""`teishi.exe --smoke`: prove that a (frozen) build really works, without a display or a person.

Run by packaging/entry.py after it set QT_QPA_PLATFORM=offscreen. In a fresh temporary data folder:

1. XML safety: openpyxl must be using defusedxml (a frozen build that lost the hidden import would
   parse hostile workbooks with a plain parser) -- checked with explicit raises, not `assert`.
2. Database: open the data folder, set it up as a station, register two officers, create a row.
3. The real main window: build it for the first officer, show it, check it is exposed and lists the
   row, close it.
4. Signed exchange file: through the station's export service, create this unit's signing key and
   write a 試験送付 (test send); verify the signature against the unit's public key, read it back, and
   check that a one-byte change breaks the signature.
5. Reopen the database (it was closed cleanly) and find the row again.
6. When frozen: nothing was written beside teishi.exe (data belong in the per-user data folder).

Prints one line per step and exits 0, or prints the failure and exits 1. Public APIs only.
"""
from __future__ import annotations

import argparse
import logging
import os
import shutil
import sys
import tempfile
import time
import traceback
from pathlib import Path

log = logging.getLogger(__name__)

ACCOUNT_ID = "smoke-test01@example.co.jp"
SMOKE_PASSPHRASE = "teishi-smoke-passphrase"  # a throw-away key in a throw-away folder


class SmokeFailure(RuntimeError):
    pass


def _check(condition: bool, message: str) -> None:
    if not condition:
        raise SmokeFailure(message)


def _snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    out: dict[str, tuple[int, int]] = {}
    for root, _dirs, files in os.walk(folder):
        for name in files:
            p = Path(root) / name
            try:
                st = p.stat()
            except OSError:
                continue
            out[str(p.relative_to(folder))] = (st.st_size, st.st_mtime_ns)
    return out


class _Steps:
    def __init__(self) -> None:
        self.t0 = time.perf_counter()

    def done(self, text: str) -> None:
        print(f"smoke: ok  {text}  ({time.perf_counter() - self.t0:.2f} s)", flush=True)


def check_xml_safety() -> None:
    import openpyxl

    from desktop_app.exchange import reader

    _check(getattr(openpyxl, "DEFUSEDXML", False) is True, "openpyxl.DEFUSEDXML is not True (defusedxml missing)")
    reader.assert_safe_xml_parsing()


def run_checks(data_root: Path, steps: _Steps) -> None:
    from PySide6.QtWidgets import QApplication

    from desktop_app.context import AppContext
    from desktop_app.exchange.verify import StaticTrust, TrustedKey, verify_file
    from desktop_app.exchange.reader import read_exchange_file
    from desktop_app.services.export import ExportService
    from desktop_app.services.trust import KeyService
    from ui import theme
    from ui.main_window import MainWindow

    check_xml_safety()
    steps.done("openpyxl uses defusedxml")

    app = QApplication.instance() or QApplication([sys.argv[0] if sys.argv else "teishi", "-platform", "offscreen"])
    theme.apply(app)
    from PySide6.QtWidgets import QDialogButtonBox

    from ui import qt_translations

    translators = qt_translations.install(app)
    box = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
    cancel = box.buttons()[0].text()
    _check(bool(translators) and cancel == "キャンセル", f"Qt's Japanese texts are missing (Cancel reads {cancel!r})")
    steps.done("Qt's standard dialogs speak Japanese")

    ctx = AppContext.open(data_root)
    try:
        ident = ctx.setup.initialise("station", "27", "中央警察署")
        first = ctx.officers.add("9001", "試験太郎", "1357")
        ctx.officers.add("9002", "試験花子", "2468")
        _check(len(ctx.officers.list()) == 2, "two officers were registered but the roster differs")
        entry = ctx.entries.create(first.id, {
            "account_id": ACCOUNT_ID, "user_name": "スモーク試験", "organization": "試験株式会社",
            "case_type": "SNS型投資詐欺", "recognized_on": ctx.today().isoformat(),
        })
        _check(ctx.entries.get(entry.id).account_id == ACCOUNT_ID, "the created row did not keep its account ID")
        before_status = ctx.entries.get(entry.id).status
        steps.done(f"database {ctx.data_dir.database.name}: station set up, 2 officers, 1 row")

        window = MainWindow(ctx, first)
        window.show()
        deadline = time.monotonic() + 10
        while not (window.windowHandle() and window.windowHandle().isExposed()) and time.monotonic() < deadline:
            app.processEvents()
        _check(window.isVisible() and window.windowHandle().isExposed(), "the main window was not shown")
        screen = window.entry_screen
        _check(screen is not None and screen.model.rowCount() >= 1, "the entry screen does not list the row")
        window.close()
        app.processEvents()
        steps.done(f"main window shown and closed ({window.windowTitle()})")

        # The station's real export path, as a 試験送付 (test send: sample rows, no row changes), signed
        # with a key created here (DPAPI on Windows; a cheap passphrase-protected key elsewhere).
        keys = (KeyService(ctx.database, ctx.data_dir) if sys.platform == "win32" else
                KeyService(ctx.database, ctx.data_dir, passphrase=lambda: SMOKE_PASSPHRASE,
                           kdf_limits=(1 << 10, 1 << 20)))
        out = ctx.data_dir.exports / "smoke-test-send.xlsx"
        out.parent.mkdir(parents=True, exist_ok=True)
        result = ExportService(ctx, keys).export(out, first.id, test=True)
        pub = keys.info()
        _check(ctx.entries.get(entry.id).status == before_status, "a test send changed a row")
        trust = StaticTrust().add(TrustedKey(key_id=pub.key_id, unit_id=ident.unit_id, unit_name=ident.unit_name,
                                             tier="station", prefecture_code=ident.prefecture_code,
                                             public_key=pub.public_key))
        verdict = verify_file(out, trust)
        _check(verdict.ok, f"the signed file did not verify: {verdict.status} "
                           + "; ".join(p.text() if hasattr(p, "text") else str(p) for p in verdict.problems))
        back = read_exchange_file(out, trust)
        _check(back.signed and back.is_test and len(back.rows) == result.written.rows > 0,
               "the signed file read back differs from what was written")
        # Tampering is caught: one changed byte in the file and the signature no longer holds.
        data = bytearray(out.read_bytes())
        data[len(data) // 2] ^= 0x01
        tampered = out.with_name("smoke-tampered.xlsx")
        tampered.write_bytes(bytes(data))
        _check(not verify_file(tampered, trust).ok, "a tampered file still verified")
        written = result.written
        steps.done(f"signed exchange file written and verified (key {pub.key_id}, sha256 {written.sha256[:12]}…)")
    finally:
        ctx.close()

    ctx = AppContext.open(data_root)
    try:
        _check([e.account_id for e in ctx.entries.list()] == [ACCOUNT_ID], "the row is gone after reopening")
    finally:
        ctx.close()
    steps.done("database closed, reopened, row still there")


def run(argv: list[str], *, version: str = "") -> int:
    parser = argparse.ArgumentParser(prog="teishi --smoke", description="self-test without a display")
    parser.add_argument("--keep", action="store_true", help="keep the temporary data folder and print it")
    args = parser.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    frozen_dir = Path(sys.executable).resolve().parent if getattr(sys, "frozen", False) else None
    before = _snapshot(frozen_dir) if frozen_dir else None
    data_root = Path(tempfile.mkdtemp(prefix="teishi-smoke-"))
    steps = _Steps()
    print(f"smoke: Teishi {version} ({'frozen' if frozen_dir else 'source'}), data folder {data_root}", flush=True)
    try:
        run_checks(data_root, steps)
        if frozen_dir is not None:
            after = _snapshot(frozen_dir)
            changed = sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))
            _check(not changed, f"files written in the install folder {frozen_dir}: {changed[:10]}")
            steps.done(f"install folder untouched ({len(after)} files)")
    except Exception:  # noqa: BLE001 -- report any failure as a failed smoke test
        print("smoke: FAILED", flush=True)
        traceback.print_exc(file=sys.stdout)
        sys.stdout.flush()
        return 1
    finally:
        logging.shutdown()  # release the log file before removing the folder (Windows locks it)
        if args.keep:
            print(f"smoke: data folder kept: {data_root}", flush=True)
        else:
            shutil.rmtree(data_root, ignore_errors=True)
    print("smoke: PASSED", flush=True)
    return 0
