"""Wiring of the NPA tier (and of outcomes/statistics at every tier) into the main window:

    install_npa_screens(main_window, ctx, officer)

NPA: 全国集約 (national rows, duplicates, provider file, withdrawals), 措置結果, 統計.
HQ: 措置結果 (imported from the NPA, sent on to stations) and 統計 by station.
Station: 措置結果 of its own requests.
Screens reload each other when outcomes change.
"""
from __future__ import annotations

import logging

from ui.outcomes_screen import OutcomesScreen
from ui.statistics_screen import StatisticsScreen

log = logging.getLogger(__name__)


def install_npa_screens(main_window, ctx, officer, *, services=None) -> dict:

    tier = getattr(main_window, "tier", None) or (ctx.setup.identity().tier if ctx.setup.identity() else "station")
    services = services or ctx.pipeline()
    screens: dict = {}
    status = main_window.statusBar().showMessage if hasattr(main_window, "statusBar") else (lambda *_a: None)
    if tier == "npa":
        from ui.national_screen import NationalScreen

        screens["national"] = NationalScreen(ctx, officer, main_window, services=services)
        main_window.add_tab(screens["national"], main_window.tr("全国集約"))
    screens["outcomes"] = OutcomesScreen(ctx, officer, main_window, services=services)
    main_window.add_tab(screens["outcomes"], main_window.tr("措置結果"))
    if tier in ("npa", "hq"):
        screens["statistics"] = StatisticsScreen(ctx, officer, main_window, tier=tier)
        main_window.add_tab(screens["statistics"], main_window.tr("統計"))
    for s in screens.values():
        s.statusMessage.connect(lambda m: status(m, 8000))

    def refresh_all(*_a):
        for s in screens.values():
            s.reload()

    for key in ("national", "outcomes"):
        if key in screens:
            screens[key].changed.connect(refresh_all)
    if hasattr(main_window, "officerChanged"):
        def follow(o):
            for s in screens.values():
                s.officer = o
        main_window.officerChanged.connect(follow)
    return screens
