"""Cold start to the main window shown: the source run and the frozen bundle, against a bare PySide6 window.

    python tests/bench/startup.py [--runs 7] [--bundle dist/teishi] [--rebuild] [--no-frozen]

Each measurement is a fresh process, timed from just before it is started until it prints the marker
of ui/startup_probe.py (the window's first Expose event), then the process exits. Four programs:

- baseline: a bare PySide6 QApplication + empty QMainWindow (the least any Qt program can do);
- floor:    the least a Japanese program with a PIN sign-in can do (see FLOOR), for context;
- source:   `python packaging/entry.py --data-dir D` -- what `python -m ui` runs, with the probe
            (and without pandas/numpy, which only the bench extra installs: see SOURCE);
- frozen:   the PyInstaller onedir bundle (built with packaging/teishi.spec into build/bench-freeze
            unless --bundle is given).

The data folder D is set up as a station with one officer, so the application opens with its sign-in
dialog; the probe types that officer's number and PIN (as a person would, through the dialog's public
fields) and presses サインイン. Three figures per program: "first window" (the sign-in dialog: what a person
waits for after double-clicking), "main window" (includes the PIN check, a deliberately slow scrypt),
and "after サインイン" (from the button press to the main window: what a person waits for the second time).
Ratios are medians against the baseline's median in the same run. Target: main window <= 1.5x.

Runs rotate baseline / source / frozen so that a change of machine load affects all three alike; the
first round is a warm-up (file cache) and is not counted. QT_QPA_PLATFORM defaults to offscreen.
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

MARKER = "TEISHI-STARTUP-PROBE"
STAFF_NO, PIN = "1001", "1357"

BARE = """
import sys
from PySide6.QtWidgets import QApplication, QMainWindow
from ui import startup_probe
app = QApplication(sys.argv[:1])
startup_probe.install(app)
w = QMainWindow()
w.setWindowTitle("bare")
w.resize(1280, 800)
w.show()
sys.exit(app.exec())
"""


# What any Japanese desktop program with a PIN sign-in pays before its own code: a dialog with two
# labelled fields (the first Japanese text loads the CJK fonts), the same scrypt PIN check as
# desktop_app/pin.py, and a main window holding a 20-row table. Not a target, a floor: it shows how
# much of the ratio to the bare window is Teishi's own.
FLOOR = """
import hashlib, sys
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (QApplication, QDialog, QDialogButtonBox, QFormLayout, QLineEdit, QMainWindow,
                               QTableView, QTabWidget)
from ui import startup_probe
app = QApplication(sys.argv[:1])
startup_probe.install(app)
d = QDialog()
form = QFormLayout(d)
d.staff_no, d.pin = QLineEdit(), QLineEdit()
form.addRow("職員番号", d.staff_no)
form.addRow("暗証番号", d.pin)
buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
buttons.accepted.connect(d.accept)
form.addRow(buttons)
if d.exec():
    hashlib.scrypt(d.pin.text().encode(), salt=bytes(16), n=2**14, r=8, p=1, dklen=32)
    w = QMainWindow()
    tabs = QTabWidget()
    w.setCentralWidget(tabs)
    model = QStandardItemModel(20, 8)
    for r in range(20):
        for c in range(8):
            model.setItem(r, c, QStandardItem(f"{r}-{c}"))
    table = QTableView()
    table.setModel(model)
    tabs.addTab(table, "別添(入力)")
    w.resize(1280, 800)
    w.show()
    sys.exit(app.exec())
"""

# The source run as `python3 make.py run` installs it: without the bench extra. sqlite-utils imports pandas
# and numpy whenever they are installed (0.5-1 s), and the bench extra installs pandas; an installed
# Teishi has neither (the frozen bundle excludes them), so the source run hides them.
SOURCE = """
import runpy, sys
sys.modules["pandas"] = None
sys.modules["numpy"] = None
sys.argv = sys.argv[1:]
runpy.run_path(sys.argv[0], run_name="__main__")
"""


def measure(cmd: list[str], env: dict[str, str], timeout: float = 60.0) -> dict[str, float]:
    """Seconds from start to each probe marker ("first-window", "main-window")."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env, cwd=ROOT,
                            text=True, bufsize=1)
    seen: dict[str, float] = {}
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            if line.startswith(MARKER):
                seen[line.split()[1]] = time.perf_counter() - t0
                if "main-window" in seen:
                    break
            if time.perf_counter() - t0 > timeout:
                break
    finally:
        proc.wait(timeout=timeout)
    if "main-window" not in seen:
        raise RuntimeError(f"{cmd[0]}: no main window within {timeout:.0f} s (exit {proc.returncode})")
    return seen


def prepare_data_folder(folder: Path) -> None:
    from desktop_app.context import AppContext

    ctx = AppContext.open(folder)
    try:
        ctx.setup.initialise("station", "27", "中央警察署")
        ctx.officers.add(STAFF_NO, "計測太郎", PIN)
    finally:
        ctx.close()


def freeze(dist: Path) -> tuple[Path, float]:
    work = dist.parent / "work"
    t = time.perf_counter()
    subprocess.run([sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN", "--distpath", str(dist),
                    "--workpath", str(work), str(ROOT / "packaging" / "teishi.spec")], check=True, cwd=ROOT)
    return dist / "teishi", time.perf_counter() - t


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--bundle", type=Path, help="an existing onedir bundle (default: build/bench-freeze)")
    ap.add_argument("--rebuild", action="store_true", help="freeze again even if build/bench-freeze exists")
    ap.add_argument("--no-frozen", action="store_true")
    args = ap.parse_args(argv)

    env = dict(os.environ)
    # An installed Python writes and reuses .pyc files; a shell that forbids it would have the source
    # run recompile every module at each start (about 100 ms here), which no user ever sees.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    env["TEISHI_STARTUP_PROBE"] = "main"
    env["TEISHI_STARTUP_PROBE_SIGNIN"] = f"{STAFF_NO}:{PIN}"
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")

    bundle = None
    if not args.no_frozen:
        bundle = args.bundle
        if bundle is None:
            dist = ROOT / "build" / "bench-freeze" / "dist"
            bundle = dist / "teishi"
            if args.rebuild or not bundle.exists():
                print("freezing with packaging/teishi.spec …", flush=True)
                bundle, secs = freeze(dist)
                print(f"frozen in {secs:.1f} s", flush=True)
        launcher = bundle / ("teishi.exe" if os.name == "nt" else "teishi")
        if not launcher.exists():
            print(f"no frozen launcher at {launcher}", file=sys.stderr)
            return 2
        size = sum(p.stat().st_size for p in bundle.rglob("*") if p.is_file() and not p.is_symlink())
        print(f"bundle {bundle}: {size / 1e6:.0f} MB", flush=True)

    data = Path(tempfile.mkdtemp(prefix="teishi-bench-startup-"))
    try:
        prepare_data_folder(data / "data")
        programs = {
            "baseline": [sys.executable, "-c", BARE],
            "floor": [sys.executable, "-c", FLOOR],
            "source": [sys.executable, "-c", SOURCE, str(ROOT / "packaging" / "entry.py"), "--data-dir",
                       str(data / "data")],
        }
        if bundle is not None:
            programs["frozen"] = [str(launcher), "--data-dir", str(data / "data")]
        results: dict[str, list[dict[str, float]]] = {k: [] for k in programs}
        for round_no in range(args.runs + 1):
            for name, cmd in programs.items():
                r = measure(cmd, env)
                if round_no:  # round 0 warms the file cache
                    results[name].append(r)
        base = statistics.median(r["main-window"] for r in results["baseline"])
        print(f"\nstart-up, median of {args.runs} runs (QT_QPA_PLATFORM={env['QT_QPA_PLATFORM']}):")
        print(f"{'program':<10}{'first window':>14}{'main window':>13}{'ratio':>8}{'after サインイン':>16}")
        for name, runs in results.items():
            first = statistics.median(r.get("first-window", r["main-window"]) for r in runs)
            main_w = statistics.median(r["main-window"] for r in runs)
            after = [r["main-window"] - r["sign-in-pressed"] for r in runs if "sign-in-pressed" in r]
            after_s = f"{statistics.median(after) * 1000:>13.0f} ms" if after else f"{'-':>16}"
            print(f"{name:<10}{first * 1000:>11.0f} ms{main_w * 1000:>10.0f} ms{main_w / base:>7.2f}x{after_s}"
                  f"   (first window {first / base:.2f}x)")
        worst = max(statistics.median(r["main-window"] for r in runs) for n, runs in results.items()
                    if n not in ("baseline", "floor")) / base
        floor = statistics.median(r["main-window"] for r in results["floor"]) / base
        print(f"\nthe floor (sign-in dialog + scrypt + 20-row table, no Teishi code) is {floor:.2f}x the bare window;"
              f" Teishi is {worst / floor:.2f}x the floor")
        print(f"\nratio to a bare PySide6 window: worst {worst:.2f}x (target <= 1.5x)")
    finally:
        shutil.rmtree(data, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
