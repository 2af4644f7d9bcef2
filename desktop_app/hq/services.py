"""The HQ tier's services for one data folder, built from an ``AppContext``.

The GUI runs imports in a worker thread: ``for_worker()`` gives a copy on its own SQLite
connection (WAL lets the window keep reading while the import writes).
"""
from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from pathlib import Path

from desktop_app.hq.aggregation import AggregationService
from desktop_app.hq.holds import HoldService
from desktop_app.hq.importer import Importer
from desktop_app.hq.mistaken import MistakenService, StationMistakenService, report_name
from desktop_app.hq.outgoing import OutgoingWriter
from desktop_app.hq.receipt_log import ReceiptLog
from desktop_app.hq.received import ReceivedRows
from desktop_app.hq.returns import ReturnService, apply_return_at_station
from desktop_app.hq.units import UnitsService
from desktop_app.storage.database import Database, open_database
from desktop_app.storage.receipt_repo import ReceiptRepo

log = logging.getLogger(__name__)


class HqServices:
    def __init__(self, ctx, database: Database | None = None, *, now: Callable[[], dt.datetime] | None = None,
                 reader=None, secret_key=None):
        self.ctx = ctx
        self.database = database or ctx.database
        self._own_db = database is not None and database is not ctx.database
        self.now = now or (lambda: dt.datetime.now())
        self.rows = ReceivedRows(self.database)
        self._secret_key = secret_key
        self.writer = OutgoingWriter(ctx, self.database, secret_key=secret_key)
        self.receipts = ReceiptLog(ReceiptRepo(self.database), self.writer)
        self.holds = HoldService(self.rows, ctx.today)
        self.returns = ReturnService(self.rows, self.writer)
        self.mistaken = MistakenService(self.rows, self.writer)
        self.station_mistaken = StationMistakenService(self.database, self.writer)
        self.aggregation = AggregationService(
            self.rows, self.writer, ctx.settings.calendar, now=self.now,
            warn_hours=lambda: float(ctx.settings.get("deadline_warning_hours")), officer_name=self.officer_name)
        self.units = UnitsService(ctx, self.database, self.rows.repo)
        self._reader = reader

    @classmethod
    def open(cls, ctx, **kw) -> "HqServices":
        return cls(ctx, **kw)

    def for_worker(self) -> "HqServices":
        """The same services on a fresh connection, for a worker thread."""
        path = self.database.path
        if path is None:
            return self
        return HqServices(self.ctx, open_database(path), now=self.now, reader=self._reader,
                          secret_key=self._secret_key)

    def close(self) -> None:
        if self._own_db:
            self.database.close()

    def officer_name(self, officer_id: int | None) -> str:
        if officer_id is None:
            return self.ctx.settings.get("unit_name") or ""
        o = self.ctx.officers.get(officer_id)
        return f"{o.name}({o.staff_no})" if o else str(officer_id)

    @property
    def tier(self) -> str:
        return self.ctx.settings.get("tier") or "hq"

    def importer(self) -> Importer:
        from desktop_app.hq.incoming import reader_for

        settings = self.ctx.settings
        code = settings.get("prefecture_code")
        return Importer(
            self.database, reader=self._reader or reader_for(self.ctx, self.database), tier=self.tier,
            prefecture_code=code, unit_id=settings.get("unit_id"),
            stations=lambda: (self.ctx.stations.known_names(code) or None) if code else None,
            today=self.ctx.today, station_apply=lambda doc, officer: apply_return_at_station(self.database, doc, officer),
            on_mistaken=self._report_station_mistaken)

    def _report_station_mistaken(self, doc, rids, officer_id) -> None:
        """A station's 誤依頼 report reached HQ: HQ's own report for the NPA is written at once."""
        out = self.ctx.data_dir.exports / report_name()
        try:
            written = self.mistaken.report_marked(rids, officer_id=officer_id, out=out)
            log.info("mistaken-request report for the NPA written: %s", written.path)
        except Exception:  # the import itself succeeded; the report can be written by hand
            log.exception("could not write the mistaken-request report for %s", doc.path)

    def default_out_dir(self) -> Path:
        d = self.ctx.data_dir.exports
        d.mkdir(parents=True, exist_ok=True)
        return d
