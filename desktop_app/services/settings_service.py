"""Typed access to the declared settings."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from desktop_app.settings import SETTINGS
from desktop_app.storage.audit_repo import AuditRepo
from desktop_app.storage.database import Database
from desktop_app.storage.settings_repo import SettingsRepo

if TYPE_CHECKING:
    from desktop_app.workdays import WorkCalendar


class SettingsService:
    def __init__(self, database: Database):
        self._db = database
        self._repo = SettingsRepo(database)
        self._audit = AuditRepo(database)
        self._cache: dict[str, Any] | None = None

    def _values(self) -> dict[str, Any]:
        if self._cache is None:
            self._cache = self._repo.get_all()
        return self._cache

    def get(self, key: str) -> Any:
        if key not in SETTINGS:
            raise KeyError(key)
        return self._values().get(key, SETTINGS[key].default)

    def update(self, values: dict[str, Any], *, officer_id: int | None = None) -> None:
        unknown = set(values) - set(SETTINGS)
        if unknown:
            raise KeyError(", ".join(sorted(unknown)))
        with self._db.transaction():
            self._repo.set_many(values)
            self._audit.append("settings.update", officer_id=officer_id, entity="settings", detail=values)
        self._cache = None

    @property
    def is_set_up(self) -> bool:
        return bool(self.get("tier") and self.get("unit_id"))

    def calendar(self) -> WorkCalendar:
        # imported here: the holiday tables are for deadlines, which a station's start-up never shows
        from desktop_app.workdays import WorkCalendar

        return WorkCalendar.from_settings(self.get("extra_closed_days"), self.get("extra_open_days"),
                                          self.get("office_end"))
