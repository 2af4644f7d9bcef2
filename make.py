#!/usr/bin/env python3
"""Set up and run Teishi with nothing but Python 3.11+ (Windows or Debian).

    python3 make.py run    # create .venv, install, start the application
    python3 make.py test   # create .venv, install test dependencies, run the whole test suite

Extra arguments after the command go to the application or to pytest.
"""
from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"


def _python() -> Path:
    return VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def _ensure_env(extras: str) -> Path:
    if sys.version_info < (3, 11):
        sys.exit("Teishi needs Python 3.11 or newer")
    if not _python().exists():
        print(f"creating {VENV}", flush=True)
        venv.EnvBuilder(with_pip=True, clear=True).create(VENV)
    # Reinstall only when pyproject.toml or the extras change, so a second start is quick.
    stamp = VENV / ".teishi-installed"
    want = hashlib.sha256((ROOT / "pyproject.toml").read_bytes() + extras.encode()).hexdigest()
    have = stamp.read_text() if stamp.exists() else ""
    if want not in have.split():
        py = str(_python())
        subprocess.check_call([py, "-m", "pip", "install", "-q", "--upgrade", "pip"])
        subprocess.check_call([py, "-m", "pip", "install", "-q", "-e", f".[{extras}]" if extras else "."], cwd=ROOT)
        stamp.write_text(have + "\n" + want)
    return _python()


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in ("run", "test", "bench"):
        print(__doc__)
        return 2
    cmd, rest = argv[0], argv[1:]
    if cmd == "run":
        py = _ensure_env("")
        return subprocess.call([str(py), "-m", "ui", *rest], cwd=ROOT)
    if cmd == "test":
        py = _ensure_env("test")
        env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
        return subprocess.call([str(py), "-m", "pytest", *rest], cwd=ROOT, env=env)
    py = _ensure_env("test,bench")
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    benches = rest or sorted(str(p) for p in (ROOT / "tests" / "bench").glob("*.py") if not p.name.startswith("_"))
    status = 0
    for b in benches:
        print(f"== {b}", flush=True)
        status |= subprocess.call([str(py), b], cwd=ROOT, env=env)
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
