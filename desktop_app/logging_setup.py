"""One rotating log file per data folder; every module logs through logging.getLogger(__name__)."""
from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path

_HANDLER_NAME = "teishi-file"


def configure(log_dir: Path, level: int = logging.INFO) -> Path:
    """Attach the rotating file handler once (idempotent: tests open many data folders)."""
    log_dir.mkdir(parents=True, exist_ok=True)
    path = log_dir / "teishi.log"
    root = logging.getLogger()
    for h in list(root.handlers):
        if h.get_name() == _HANDLER_NAME:
            if Path(getattr(h, "baseFilename", "")) == path:
                return path
            root.removeHandler(h)
            h.close()
    handler = logging.handlers.RotatingFileHandler(path, maxBytes=2_000_000, backupCount=5, encoding="utf-8")
    handler.set_name(_HANDLER_NAME)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    root.setLevel(min(root.level or level, level))
    return path
