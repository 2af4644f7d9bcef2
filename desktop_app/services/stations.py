"""The prefecture's 警察署 list, kept by HQ: no list ships with Teishi (none may be redistributed).

Renames and mergers are dated (valid_to + successor), so old reports still resolve to a station.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import logging
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from desktop_app.services.errors import ServiceError
from desktop_app.storage.audit_repo import AuditRepo
from desktop_app.storage.database import Database
from desktop_app.storage.stations_repo import StationsRepo
from desktop_app.wareki import WarekiError, parse_date

log = logging.getLogger(__name__)

CSV_HEADERS = {
    "name": ("警察署名", "警察署", "署名", "name"),
    "code": ("コード", "署コード", "code"),
    "valid_from": ("有効開始日", "開始日", "設置日", "valid_from"),
    "valid_to": ("有効終了日", "終了日", "廃止日", "valid_to"),
    "successor": ("統合・改称先", "統合先", "改称先", "後継", "successor"),
    "note": ("備考", "note"),
}
MAX_CSV_BYTES = 2_000_000


@dataclass(frozen=True)
class Station:
    id: int
    prefecture_code: str
    name: str
    code: str | None = None
    valid_from: str | None = None
    valid_to: str | None = None
    successor: str | None = None
    note: str | None = None

    def active_on(self, day: dt.date) -> bool:
        iso = day.isoformat()
        return (not self.valid_from or self.valid_from <= iso) and (not self.valid_to or iso <= self.valid_to)


class StationService:
    def __init__(self, database: Database):
        self._db = database
        self._repo = StationsRepo(database)
        self._audit = AuditRepo(database)
        self._cache: dict[str, list[Station]] = {}
        self._cache_version: int | None = None

    def all(self, prefecture_code: str) -> list[Station]:
        # Validation asks for the list once per row; a 6,000-row screen must not cost 6,000 queries.
        # The cache is dropped on our own writes and when another connection (the CLI) commits.
        if self._db.in_transaction:
            # Inside a write the rows may yet be rolled back (a refused rename): never cache them.
            return [Station(**r) for r in self._repo.all(prefecture_code)]
        version = self._repo.data_version()
        if version != self._cache_version:
            self._cache.clear()
            self._cache_version = version
        if prefecture_code not in self._cache:
            self._cache[prefecture_code] = [Station(**r) for r in self._repo.all(prefecture_code)]
        return list(self._cache[prefecture_code])

    def names(self, prefecture_code: str, on: dt.date | None = None) -> list[str]:
        """Names to choose from on a date (today by default): renamed and merged stations drop out."""
        day = on or dt.date.today()
        return list(dict.fromkeys(s.name for s in self.all(prefecture_code) if s.active_on(day)))

    def known_names(self, prefecture_code: str) -> set[str]:
        """Every name the prefecture has used, so rows recorded before a rename stay valid."""
        return {s.name for s in self.all(prefecture_code)}

    def resolve(self, prefecture_code: str, name: str, on: dt.date | None = None) -> str:
        """Follow renames and mergers to the station that holds the name's cases today."""
        day = on or dt.date.today()
        seen = set()
        while name not in seen:
            seen.add(name)
            rows = [s for s in self.all(prefecture_code) if s.name == name]
            if not rows or any(s.active_on(day) for s in rows):
                return name
            succ = next((s.successor for s in reversed(rows) if s.successor), None)
            if not succ:
                return name
            name = succ
        return name

    def add(self, prefecture_code: str, name: str, *, code: str | None = None, valid_from: str | None = None,
            valid_to: str | None = None, successor: str | None = None, note: str | None = None,
            by: int | None = None) -> Station:
        row = self._clean({"name": name, "code": code, "valid_from": valid_from, "valid_to": valid_to,
                           "successor": successor, "note": note}, where="")
        with self._db.transaction():
            if any(s.name == row["name"] and s.valid_from == row["valid_from"] for s in self.all(prefecture_code)):
                raise ServiceError(f"警察署「{row['name']}」はすでに登録されています")
            sid = self._repo.insert({"prefecture_code": prefecture_code, **row})
            self._cache.clear()
            self._audit.append("station.add", officer_id=by, entity="station", entity_id=str(sid), detail=row)
        return Station(sid, prefecture_code, **row)

    def update(self, station: Station, *, by: int | None = None, **values) -> None:
        row = self._clean({**{k: getattr(station, k) for k in CSV_HEADERS}, **values}, where="")
        with self._db.transaction():
            self._repo.update(station.id, row)
            self._cache.clear()
            self._audit.append("station.update", officer_id=by, entity="station", entity_id=str(station.id),
                               detail={"before": {k: getattr(station, k) for k in CSV_HEADERS}, "after": row})

    def rename(self, station: Station, new_name: str, on: dt.date, *, by: int | None = None) -> Station:
        """Close the old name the day before ``on`` and open the new one from ``on``."""
        with self._db.transaction():
            self.update(station, valid_to=(on - dt.timedelta(days=1)).isoformat(), successor=new_name, by=by)
            return self.add(station.prefecture_code, new_name, code=station.code, valid_from=on.isoformat(), by=by)

    def remove(self, station: Station, *, by: int | None = None) -> None:
        with self._db.transaction():
            self._repo.delete(station.id)
            self._cache.clear()
            self._audit.append("station.remove", officer_id=by, entity="station", entity_id=str(station.id),
                               detail={"name": station.name})

    def import_csv(self, prefecture_code: str, path: Path, *, by: int | None = None) -> int:
        """Import a station list (UTF-8 or Shift_JIS, header row required). All rows or none."""
        path = Path(path)
        try:
            # size first: a hostile multi-gigabyte file is refused without being read
            if path.stat().st_size > MAX_CSV_BYTES:
                raise ServiceError(f"{path.name}: ファイルが大きすぎます(2MBまで)")
            data = path.read_bytes()
        except OSError:
            raise ServiceError(f"{path.name}: ファイルを開けません(存在しないか、読む権限がありません)") from None
        if len(data) > MAX_CSV_BYTES:
            raise ServiceError(f"{path.name}: ファイルが大きすぎます(2MBまで)")
        text = _decode(data, path.name)
        reader = csv.reader(io.StringIO(text))
        rows = list(reader)
        if not rows:
            raise ServiceError(f"{path.name}: 空のファイルです")
        header = [unicodedata.normalize("NFKC", h).strip() for h in rows[0]]
        index: dict[str, int] = {}
        for key, names in CSV_HEADERS.items():
            for i, h in enumerate(header):
                if h in names:
                    index[key] = i
                    break
        if "name" not in index:
            raise ServiceError(f"{path.name} 1行目: 「警察署名」の列が見つかりません(見出し行が必要です)")
        existing = {(s.name, s.valid_from) for s in self.all(prefecture_code)}
        clean_rows = []
        for line_no, raw in enumerate(rows[1:], start=2):
            if not any(c.strip() for c in raw):
                continue
            values = {k: (raw[i] if i < len(raw) else "") for k, i in index.items()}
            row = self._clean(values, where=f"{path.name} {line_no}行目: ")
            key = (row["name"], row["valid_from"])
            if key in existing:
                continue
            existing.add(key)
            clean_rows.append(row)
        with self._db.transaction():
            for row in clean_rows:
                self._repo.insert({"prefecture_code": prefecture_code, **row})
            self._cache.clear()
            self._audit.append("station.import_csv", officer_id=by, entity="station",
                               detail={"file": path.name, "rows": len(clean_rows)})
        log.info("imported %d stations from %s", len(clean_rows), path)
        return len(clean_rows)

    @staticmethod
    def _clean(values: dict, *, where: str) -> dict:
        name = unicodedata.normalize("NFKC", str(values.get("name") or "")).strip()
        if not name:
            raise ServiceError(f"{where}警察署名が空です")
        if len(name) > 40 or any(not ch.isprintable() for ch in name):
            raise ServiceError(f"{where}警察署名「{name[:40]}」が正しくありません")
        out = {"name": name}
        for key in ("valid_from", "valid_to"):
            v = str(values.get(key) or "").strip()
            if v:
                try:
                    v = parse_date(v).isoformat()
                except WarekiError as exc:
                    raise ServiceError(f"{where}{exc}") from None
            out[key] = v or None
        for key in ("code", "successor", "note"):
            v = unicodedata.normalize("NFKC", str(values.get(key) or "")).strip()
            out[key] = v or None
        if out["valid_from"] and out["valid_to"] and out["valid_to"] < out["valid_from"]:
            raise ServiceError(f"{where}有効終了日が有効開始日より前です")
        return out


def _decode(data: bytes, name: str) -> str:
    for enc in ("utf-8-sig", "cp932"):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    raise ServiceError(f"{name}: 文字コードが読めません(UTF-8 または Shift_JIS で保存してください)")
