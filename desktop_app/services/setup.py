"""First-run setup: which unit this PC is (tier, prefecture, station)."""
from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass

from desktop_app import resources
from desktop_app.services.errors import ServiceError
from desktop_app.services.settings_service import SettingsService
from desktop_app.services.stations import StationService
from desktop_app.settings import TIERS

log = logging.getLogger(__name__)

TIER_LABELS = {"station": "警察署", "hq": "本部担当所属", "npa": "警察庁ツール対策係"}
NPA_UNIT_NAME = "警察庁刑事局組織犯罪対策部組織犯罪対策第二課ツール対策係"


@dataclass(frozen=True)
class UnitIdentity:
    tier: str
    prefecture_code: str | None
    station_name: str | None
    regional_hq: str | None
    unit_id: str
    unit_name: str

    @property
    def prefecture(self) -> resources.Prefecture | None:
        return resources.prefecture(self.prefecture_code) if self.prefecture_code else None


def unit_name(tier: str, pref: resources.Prefecture | None, station: str | None, regional_hq: str | None) -> str:
    if tier == "npa":
        return NPA_UNIT_NAME
    assert pref is not None
    parent = f"{pref.police} {regional_hq}" if regional_hq else pref.police
    return f"{parent} {station}" if tier == "station" else parent


class SetupService:
    def __init__(self, settings: SettingsService, stations: StationService):
        self._settings = settings
        self._stations = stations

    def identity(self) -> UnitIdentity | None:
        s = self._settings
        if not s.is_set_up:
            return None
        return UnitIdentity(s.get("tier"), s.get("prefecture_code"), s.get("station_name"),
                            s.get("regional_hq"), s.get("unit_id"), s.get("unit_name"))

    def initialise(self, tier: str, prefecture: str | None = None, station: str | None = None,
                   regional_hq: str | None = None) -> UnitIdentity:
        if self._settings.is_set_up:
            raise ServiceError("この端末はすでに設定済みです")
        if tier not in TIERS:
            raise ServiceError(f"区分「{tier}」は station / hq / npa のいずれかです")
        pref = None
        if tier != "npa":
            if not prefecture:
                raise ServiceError("都道府県を指定してください")
            try:
                pref = resources.prefecture(prefecture)
            except KeyError:
                raise ServiceError(f"都道府県「{prefecture}」が見つかりません(01〜47のコードまたは名称)") from None
            if regional_hq and regional_hq not in pref.regional_hqs:
                raise ServiceError(f"{pref.police}に「{regional_hq}」はありません")
        station = (station or "").strip() or None
        if tier == "station" and not station:
            raise ServiceError("警察署名を入力してください")
        if tier != "station":
            station = None
        prefix = {"station": "S", "hq": "H", "npa": "N"}[tier]
        unit_id = f"{prefix}{pref.code if pref else '00'}-{secrets.token_hex(4)}"
        name = unit_name(tier, pref, station, regional_hq)
        self._settings.update({
            "tier": tier, "prefecture_code": pref.code if pref else None, "station_name": station,
            "regional_hq": regional_hq, "unit_id": unit_id, "unit_name": name,
        })
        if tier == "station" and pref and station not in self._stations.known_names(pref.code):
            self._stations.add(pref.code, station)
        log.info("unit set up as %s (%s)", name, unit_id)
        return self.identity()
