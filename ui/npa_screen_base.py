"""What the national and outcomes screens share: the context, the signed-in officer, this unit's name
and tier, the NPA services, and the signals the main window listens to.

Public API: ``NpaScreen(ctx, officer=None, parent=None, *, services=None)``; the composition root
passes the tier's one ``services`` object; a screen opened alone (tests) opens its own.
"""
from __future__ import annotations

import logging

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QWidget

log = logging.getLogger(__name__)


class NpaScreen(QWidget):
    statusMessage = Signal(str)
    changed = Signal()

    def __init__(self, ctx, officer=None, parent=None, *, services=None):
        super().__init__(parent)
        self.ctx = ctx
        self.officer = officer
        ident = ctx.setup.identity()
        self.tier = ident.tier if ident else "station"
        self.unit_name = ident.unit_name if ident else ""
        if services is None:
            from desktop_app.npa.services import NpaServices

            services = NpaServices.open(ctx)
        self.services = services

    def _officer_id(self) -> int | None:
        return self.officer.id if self.officer else None
