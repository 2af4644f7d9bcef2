"""The NPA tier's services for one data folder, on top of HQ's (``HqServices``).

``NpaServices.open(ctx)`` gives: ``importer()`` (HQ's pipeline, tier npa: no prefecture check, HQ
keys from the trust list, mistaken-request reports handled nationally at once; also the outcomes
files HQ and stations receive), ``national`` (national duplicates, mistaken requests),
``provider`` (the file for LINE WORKS Corp. and withdrawal lists), ``outcomes`` (by hand / result
workbook), ``outcome_files`` (signed outcomes going down) and ``statistics``.

The same object serves HQ and stations for outcomes and statistics (every tier has those tables).
"""
from __future__ import annotations

import logging

from desktop_app.hq.services import HqServices
from desktop_app.npa.national import NationalService
from desktop_app.npa.outcome_files import OutcomeFileService, OutcomesAwareImporter
from desktop_app.npa.outcomes import OutcomeService
from desktop_app.npa.provider_file import NpaWriter, ProviderFileService
from desktop_app.npa.statistics import StatisticsService

log = logging.getLogger(__name__)


class NpaServices(HqServices):
    def __init__(self, ctx, database=None, *, secret_key=None, **kw):
        super().__init__(ctx, database, **kw)
        self.npa_writer = NpaWriter(ctx, self.database, **({"secret_key": secret_key} if secret_key else {}))
        if secret_key:
            self.writer._secret_key = secret_key  # HQ's writer signs returns/reports with the same key
        self.national = NationalService(self.database, today=ctx.today)
        self.provider = ProviderFileService(self.database, self.npa_writer, today=ctx.today)
        self.outcomes = OutcomeService(self.database, today=ctx.today)
        self.outcome_files = OutcomeFileService(self.database, self.npa_writer, tier=self.tier, today=ctx.today)
        self.statistics = StatisticsService(self.database)
        self.last_mistaken: dict[str, list[str]] | None = None

    def for_worker(self) -> "NpaServices":
        path = self.database.path
        if path is None:
            return self
        from desktop_app.storage.database import open_database

        return NpaServices(self.ctx, open_database(path), now=self.now, reader=self._reader)

    def importer(self) -> OutcomesAwareImporter:
        return OutcomesAwareImporter.from_importer(super().importer())

    def _report_station_mistaken(self, doc, rids, officer_id) -> None:
        """At the NPA a mistaken-request report from HQ is handled nationally, at once."""
        if self.tier != "npa":
            return super()._report_station_mistaken(doc, rids, officer_id)
        rows = self.rows.repo.rows(rids)
        reason = next((r.get("reason") for r in rows if r.get("reason")), None)
        self.last_mistaken = self.national.handle_mistaken([r["row_id"] for r in rows if r.get("row_id")],
                                                           reason=reason, officer_id=officer_id)
