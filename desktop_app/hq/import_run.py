"""What one import run takes and gives back: the files (folders expanded), a cancel token the GUI sets,
progress reports, and one ``FileResult`` per file (the ``import --json`` shape)."""
from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from desktop_app.hq.statuses import ALREADY_IMPORTED, IMPORTED, NEEDS_CONFIRMATION

MAX_FILES_PER_RUN = 20_000
SKIPPED_NAMES = ("~$", ".")  # Excel lock files, hidden files
Progress = Callable[[int, int, str], None]


@dataclass
class FileResult:
    path: str
    status: str
    signed: bool = False
    unit: str | None = None
    sequence: int | None = None
    rows_imported: int = 0
    duplicates: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    kind: str | None = None
    unit_name: str | None = None
    file_hash: str | None = None
    file_id: int | None = None
    row_problems: int = 0  # rows with a validation error (imported, flagged)

    @property
    def ok(self) -> bool:
        return self.status in (IMPORTED, ALREADY_IMPORTED, NEEDS_CONFIRMATION)

    def to_json(self) -> dict[str, Any]:
        """The ``import --json`` shape (issue 5)."""
        return {"path": self.path, "status": self.status, "signed": self.signed, "unit": self.unit,
                "sequence": self.sequence, "rows_imported": self.rows_imported, "duplicates": self.duplicates,
                "errors": self.errors, "warnings": self.warnings}


class CancelToken:
    """Set from the GUI thread; the pipeline checks it between files (a file is never half-imported)."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()


def expand_paths(paths: Iterable[str | os.PathLike]) -> list[Path]:
    """Files as given, and every file under a given folder (sorted, so runs are reproducible)."""
    out: list[Path] = []
    for p in paths:
        path = Path(p)
        if path.is_dir():
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                out += [Path(root) / f for f in sorted(files) if not f.startswith(SKIPPED_NAMES)]
        else:
            out.append(path)
        if len(out) > MAX_FILES_PER_RUN:
            break
    return list(dict.fromkeys(out))
