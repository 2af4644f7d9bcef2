"""Entry point of the frozen application (packaging/teishi.spec freezes this file into teishi.exe).

    teishi.exe                    the application (ui.app.main); extra arguments go to it (--data-dir ...)
    teishi.exe --version          print the version (from pyproject.toml, baked in at freeze time), exit 0
    teishi.exe --smoke [--keep]   self-test offscreen in a temporary data folder (ui/smoke.py), exit 0 if sound

It also runs from a checkout (`python packaging/entry.py --smoke`), which is how the test suite checks the
smoke logic without freezing.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

VERSION_FILE = "teishi_version.txt"  # written by teishi.spec beside the bundled modules

if not getattr(sys, "frozen", False):
    # From a checkout, `python packaging/entry.py` puts packaging/ first on the path, not the repository.
    sys.path.insert(1, str(Path(__file__).resolve().parent.parent))


def version() -> str:
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root:
        return (Path(frozen_root) / VERSION_FILE).read_text(encoding="utf-8").strip()
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import version_info

    return version_info.read_version()


def _console_streams() -> None:
    """A windowed (console=False) exe has no stdout; borrow the console of whoever started it.

    When the caller redirected output (CI, subprocess) the streams already exist and nothing changes.
    """
    if os.name != "nt" or (sys.stdout is not None and sys.stderr is not None):
        return
    try:
        import ctypes

        if ctypes.windll.kernel32.AttachConsole(-1):  # ATTACH_PARENT_PROCESS
            if sys.stdout is None:
                sys.stdout = open("CONOUT$", "w", encoding="utf-8", errors="replace")  # noqa: SIM115
            if sys.stderr is None:
                sys.stderr = open("CONOUT$", "w", encoding="utf-8", errors="replace")  # noqa: SIM115
    except OSError:
        pass


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] in (["--version"], ["-V"]):
        _console_streams()
        if sys.stdout is not None:
            print(f"Teishi {version()}")
        return 0
    if argv[:1] == ["--smoke"]:
        _console_streams()
        # Before anything imports Qt: the smoke test must run on a server or CI runner without a display.
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
        from ui import smoke

        return smoke.run(argv[1:], version=version())
    from ui import startup_probe

    startup_probe.prepare()  # does nothing unless tests/bench/startup.py set TEISHI_STARTUP_PROBE
    from ui.app import main as app_main

    return app_main(argv)


if __name__ == "__main__":
    sys.exit(main())
