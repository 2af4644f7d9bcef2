"""Helpers for HQ-tier tests: data folders for stations and HQ, keys, trust registration and REAL
signed station files written with the exchange writer."""
from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path

import minisign

from desktop_app.context import AppContext
from desktop_app.exchange.verify import signature_key_id  # noqa: F401  (documented helper)
from desktop_app.exchange.writer import OutgoingDocument, write_exchange_file
from desktop_app.hq.services import HqServices

TODAY = dt.date(2026, 11, 20)


class Unit:
    """One data folder with its own signing key."""

    def __init__(self, root: Path, tier: str, prefecture: str = "27", station: str | None = None,
                 today: dt.date = TODAY):
        self.today = today
        self.ctx = AppContext.open(root, today=lambda: self.today, log_to_file=False)
        self.ctx.setup.initialise(tier, prefecture, station)
        self.keypair = minisign.KeyPair.generate()
        self.key_id = key_id_of(self.keypair)
        sk_bytes = bytes(self.keypair.secret_key)
        # a fresh copy per use: the pipeline wipes the key after signing, as with the key store
        self.hq = HqServices.open(self.ctx, secret_key=lambda: minisign.SecretKey.from_bytes(sk_bytes),
                                  now=lambda: dt.datetime.combine(self.today, dt.time(10, 0)))

    @property
    def unit_id(self) -> str:
        return self.ctx.settings.get("unit_id")

    @property
    def unit_name(self) -> str:
        return self.ctx.settings.get("unit_name")

    def trust(self, other: "Unit") -> None:
        """Register ``other``'s public key here (as HQ does after the fingerprint read-back)."""
        self.ctx.database.db["trust_keys"].insert({
            "key_id": other.key_id, "unit_id": other.unit_id, "unit_name": other.unit_name,
            "tier": other.ctx.settings.get("tier"), "prefecture_code": other.ctx.settings.get("prefecture_code"),
            "public_key": other.keypair.public_key.to_base64().decode() if isinstance(other.keypair.public_key.to_base64(), bytes) else other.keypair.public_key.to_base64(),
            "fingerprint": other.key_id, "status": "active",
            "added_at": dt.datetime.now().astimezone().isoformat(timespec="seconds")})

    def write_export(self, path: Path, rows: list[dict], *, sequence: int | None = None, kind: str = "station_export") -> Path:
        """A signed station file with ``rows`` (form keys; ``id`` added when missing)."""
        if sequence is None:  # the unit's one export counter, shared with the pipeline's own files
            from desktop_app.storage.keys_repo import KeysRepo

            with self.ctx.database.transaction():
                sequence = KeysRepo(self.ctx.database).next_sequence()
        out = []
        for r in rows:
            d = dict(r)
            d.setdefault("id", str(uuid.uuid4()))
            d.setdefault("account_id_raw", d.get("account_id"))
            out.append(d)
        doc = OutgoingDocument(kind=kind, unit_id=self.unit_id, unit_name=self.unit_name,
                               tier=self.ctx.settings.get("tier"), rows=out, sequence=sequence,
                               prefecture_code=self.ctx.settings.get("prefecture_code"), prefecture_name="大阪府")
        write_exchange_file(path, doc, self.keypair.secret_key)
        return path

    def close(self) -> None:
        self.ctx.close()


def key_id_of(keypair) -> str:
    sig = keypair.secret_key.sign(b"x")
    return signature_key_id(sig)


def row(account_id: str, *, station: str = "中央警察署", user_name: str = "山田", case_type: str = "SNS型投資詐欺",
        recognized_on: str = "2026-11-01", **kw) -> dict:
    return {"account_id": account_id, "user_name": user_name, "organization": kw.pop("organization", None),
            "case_type": case_type, "station": station, "recognized_on": recognized_on, **kw}


def handfilled(path: Path, rows: list[list], prefecture: str = "大阪府") -> Path:
    """An unsigned 別添 filled in by hand in Excel (what a station without Teishi sends)."""
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.cell(row=1, column=1, value="LINE WORKSの犯行利用アカウント情報")
    ws.cell(row=3, column=1, value="都道府県")
    ws.cell(row=3, column=2, value=prefecture)
    for i, h in enumerate(["番号", "アカウントID", "ユーザー名", "企業/団体名", "類型", "警察署", "認知日"], start=1):
        ws.cell(row=5, column=i, value=h)
    for n, r in enumerate(rows, start=1):
        ws.append([n, *r])
    wb.save(path)
    return path


def make_pair(tmp_path, *, stations=("中央警察署", "北警察署")):
    """An HQ unit of 大阪府 trusting one station unit per name given; returns (hq, [stations])."""
    hq = Unit(tmp_path / "hq", "hq")
    for name in stations:
        hq.ctx.stations.add("27", name)
    units = [Unit(tmp_path / f"st{i}", "station", station=name) for i, name in enumerate(stations)]
    for u in units:
        hq.trust(u)
        u.trust(hq)
    return hq, units
