"""Where a unit's data live: database, keys, logs, exports (never in the install folder)."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from desktop_app import APP_NAME

DATA_DIR_ENV = "TEISHI_DATA_DIR"


def default_data_dir() -> Path:
    """%LOCALAPPDATA%\\Teishi on Windows, ~/.local/share/Teishi on Linux; TEISHI_DATA_DIR overrides."""
    env = os.environ.get(DATA_DIR_ENV)
    if env:
        return Path(env)
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False, roaming=False))


@dataclass(frozen=True)
class DataDir:
    root: Path

    @classmethod
    def resolve(cls, given: str | os.PathLike | None = None) -> "DataDir":
        return cls(Path(given).expanduser().resolve() if given else default_data_dir())

    @property
    def database(self) -> Path:
        return self.root / "teishi.sqlite3"

    @property
    def keys(self) -> Path:
        return self.root / "keys"

    @property
    def logs(self) -> Path:
        return self.root / "logs"

    @property
    def exports(self) -> Path:
        return self.root / "exports"

    def ensure(self) -> "DataDir":
        self.root.mkdir(parents=True, exist_ok=True)
        self.logs.mkdir(exist_ok=True)
        return self
