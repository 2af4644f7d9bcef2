"""Key/value settings stored as JSON."""
from __future__ import annotations

import json
from typing import Any

from desktop_app.storage.database import Database


class SettingsRepo:
    def __init__(self, database: Database):
        self._db = database

    def get_all(self) -> dict[str, Any]:
        return {r["key"]: json.loads(r["value"]) for r in self._db.rows("SELECT key, value FROM settings")}

    def set_many(self, values: dict[str, Any]) -> None:
        with self._db.transaction() as db:
            db["settings"].upsert_all(
                [{"key": k, "value": json.dumps(v, ensure_ascii=False)} for k, v in values.items()], pk="key"
            )
