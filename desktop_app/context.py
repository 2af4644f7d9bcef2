"""The services of one data folder, built once: the CLI and the GUI composition root both use this."""
from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from desktop_app import logging_setup
from desktop_app.paths import DataDir
from desktop_app.services.officers import OfficerService
from desktop_app.services.settings_service import SettingsService
from desktop_app.services.setup import SetupService
from desktop_app.services.stations import StationService
from desktop_app.storage import Database, open_database
from desktop_app.storage.audit_repo import AuditRepo

if TYPE_CHECKING:
    from desktop_app.services.entries import EntryService
    from desktop_app.services.verification import VerificationService

log = logging.getLogger(__name__)


@dataclass
class AppContext:
    data_dir: DataDir
    database: Database
    settings: SettingsService
    officers: OfficerService
    stations: StationService
    setup: SetupService
    audit: AuditRepo
    today: Callable[[], dt.date] = field(default=dt.date.today)
    # Asks the officer for the signing key's passphrase (non-Windows); the front end sets it.
    # None falls back to the TEISHI_KEY_PASSPHRASE environment variable.
    passphrase: Callable[[], str | None] | None = None
    _pipeline: object = field(default=None, repr=False)
    # Built on first use: the sign-in dialog needs neither, and their modules (validation, dual entry)
    # load on the GUI's preload thread while the officer types (ui/preload.py).
    _entries: object = field(default=None, repr=False)
    _verification: object = field(default=None, repr=False)

    @classmethod
    def open(cls, data_dir: DataDir | str | None = None, *, today: Callable[[], dt.date] = dt.date.today,
             log_to_file: bool = True) -> "AppContext":
        dd = data_dir if isinstance(data_dir, DataDir) else DataDir.resolve(data_dir)
        dd.ensure()
        if log_to_file:
            logging_setup.configure(dd.logs)
        database = open_database(dd.database)
        settings = SettingsService(database)
        stations = StationService(database)
        officers = OfficerService(database)
        ctx = cls(
            data_dir=dd, database=database, settings=settings, officers=officers, stations=stations,
            setup=SetupService(settings, stations), audit=AuditRepo(database), today=today,
        )
        log.info("opened data folder %s", dd.root)
        return ctx

    @property
    def entries(self) -> EntryService:
        if self._entries is None:
            from desktop_app.services.entries import EntryService

            self._entries = EntryService(self.database, self.settings, self.stations, today=self.today)
        return self._entries

    @property
    def verification(self) -> VerificationService:
        if self._verification is None:
            from desktop_app.services.verification import VerificationService

            self._verification = VerificationService(self.database, self.entries, self.settings, self.officers)
        return self._verification

    def key_service(self):
        """This unit's signing key store, asking for the passphrase the front end's way."""
        from desktop_app.services.trust import KeyService

        return KeyService(self.database, self.data_dir, passphrase=self.passphrase)

    def key_service_has_key(self) -> bool:
        return self.key_service().has_key()

    def pipeline(self):
        """The receiving pipeline of this tier (import, checks, returns, holds, aggregation, outcomes,
        statistics): one object for the CLI and the GUI, whatever the tier, built on first use."""
        if self._pipeline is None:
            from desktop_app.npa.services import NpaServices

            self._pipeline = NpaServices.open(self)
        return self._pipeline

    def close(self) -> None:
        self.database.close()
