"""Three prefectures × two stations → HQ → NPA → provider file → outcomes → HQ and stations see them.

Every unit has its own data folder and its own signing key; only files move between them, and each
receiver trusts exactly the keys registered by fingerprint. Rows are verified by the dual-entry
service (a second officer re-types every account ID blind).
"""
from __future__ import annotations

import datetime as dt

import openpyxl
import pytest

from desktop_app.context import AppContext
from desktop_app.exchange.reader import read_exchange_file
from desktop_app.npa.services import NpaServices
from desktop_app.npa.statistics import StatisticsService
from desktop_app.services.export import ExportService
from desktop_app.services.trust import KeyService, TrustService

pytestmark = pytest.mark.slow

TODAY = dt.date(2026, 11, 20)
PASS = "correct horse battery staple"
PREFECTURES = {"27": ("大阪府", ["中央警察署", "北警察署"]), "13": ("東京都", ["新宿警察署", "渋谷警察署"]),
               "01": ("北海道", ["札幌中央警察署", "旭川中央警察署"])}
SHARED = "fraud.shared@example.co.jp"  # reported by a station in 大阪府 and one in 東京都


class Unit:
    def __init__(self, root, tier, pref=None, station=None):
        self.ctx = AppContext.open(root, today=lambda: TODAY, log_to_file=False)
        self.ctx.setup.initialise(tier, pref, station)
        self.keys = KeyService(self.ctx.database, self.ctx.data_dir, passphrase=lambda: PASS,
                               protection="passphrase", kdf_limits=(1, 8192))
        self.info = self.keys.ensure(self.ctx.setup.identity())
        self.svc = NpaServices(self.ctx, secret_key=self.keys.store.secret_key)
        self.ident = self.ctx.setup.identity()

    def trust(self, other: "Unit") -> None:
        TrustService(self.ctx.database).add(self.info_text(other), other.info.fingerprint,
                                            unit_id=other.ident.unit_id, unit_name=other.ident.unit_name,
                                            tier=other.ident.tier, prefecture=other.ident.prefecture_code)

    @staticmethod
    def info_text(other: "Unit") -> str:
        return other.keys.store.public_path.read_text(encoding="ascii")

    def close(self):
        self.ctx.close()


def station_rows(code, station, n):
    slug = "ab"[PREFECTURES[code][1].index(station)]
    rows = [f"acct{code}{slug}{i}@example.co.jp" for i in range(n)]
    if (code, station) in (("27", "中央警察署"), ("13", "新宿警察署")):
        rows.append(SHARED)
    return rows


def enter_and_verify(unit: Unit, ids):
    ctx = unit.ctx
    a = ctx.officers.add("1001", "入力 太郎", "1111")
    b = ctx.officers.add("1002", "確認 花子", "2222")
    for i, acc in enumerate(ids):
        e = ctx.entries.create(a.id, {"account_id": acc, "user_name": f"投資アドバイザー{i}",
                                      "organization": "株式会社サンプル", "case_type": "SNS型投資詐欺",
                                      "recognized_on": "2026-11-10"})
        ctx.entries.mark_ready(a.id, e.id)
        for column in ctx.verification.pending_columns(e.id):
            ctx.verification.submit(e.id, b, column.key, getattr(ctx.entries.get(e.id), column.key))


@pytest.fixture
def world(tmp_path):
    units = []
    npa = Unit(tmp_path / "npa", "npa")
    units.append(npa)
    hqs, stations = {}, {}
    for code, (_name, names) in PREFECTURES.items():
        hq = Unit(tmp_path / f"hq{code}", "hq", code)
        units.append(hq)
        hqs[code] = hq
        for st in names:
            hq.ctx.stations.add(code, st) if st not in hq.ctx.stations.known_names(code) else None
            s = Unit(tmp_path / f"st{code}{st}", "station", code, st)
            units.append(s)
            stations[(code, st)] = s
            hq.trust(s)
            s.trust(hq)
        npa.trust(hq)
        hq.trust(npa)
    yield npa, hqs, stations, tmp_path
    for u in units:
        u.close()


def test_three_prefectures_to_the_provider_and_back(world):
    npa, hqs, stations, tmp = world
    mail = tmp / "mail"
    mail.mkdir()

    # --- stations: enter, verify blind, export signed files ---------------------------------------
    for (code, st), s in stations.items():
        enter_and_verify(s, station_rows(code, st, 2))
        ExportService(s.ctx, s.keys).export(mail / f"st_{code}_{st}.xlsx")

    # --- each HQ: import its stations' files, confirm, aggregate the day --------------------------
    daily = []
    for code, hq in hqs.items():
        files = sorted(mail.glob(f"st_{code}_*.xlsx"))
        results = hq.svc.importer().import_paths(files)
        assert [r.status for r in results] == ["imported", "imported"], [r.errors for r in results]
        rids = [r.rid for r in hq.svc.rows.query()]
        hq.svc.rows.confirm(rids, None)
        out = mail / f"hq_{code}.xlsx"
        hq.svc.aggregation.aggregate(TODAY, out, officer_id=None)
        daily.append(out)
    # a file for another prefecture's HQ is refused there (same checks as HQ)
    wrong = hqs["13"].svc.importer().import_paths([mail / "st_27_中央警察署.xlsx"])
    assert wrong[0].status == "refused"

    # --- NPA: import the 3 daily files, national duplicates, provider file -----------------------
    results = npa.svc.importer().import_paths(daily)
    assert [r.status for r in results] == ["imported"] * 3, [r.errors for r in results]
    again = npa.svc.importer().import_paths(daily[:1])
    assert again[0].status == "already_imported"
    dups = npa.svc.national.duplicates()
    assert [(d.kind, d.account_id, d.prefectures) for d in dups] == [("same", SHARED, ["大阪府", "東京都"])]

    provider = npa.svc.provider.write(mail / "provider.xlsx", officer_id=None)
    total_rows = sum(len(station_rows(c, st, 2)) for c, st in stations)
    assert (provider.rows, provider.accounts) == (total_rows, total_rows - 1)
    trust_npa = TrustService(hqs["27"].ctx.database)  # HQ 大阪 trusts the NPA's key
    doc = read_exchange_file(mail / "provider.xlsx", trust_npa, check_replay=False)
    assert doc.kind == "npa_provider" and len(doc.rows) == total_rows - 1
    shared = next(r for r in doc.rows if r.values["account_id"] == SHARED)
    assert shared.extra["prefecture"] == "東京都・大阪府"  # JIS code order

    # --- the provider answers; the NPA imports the result workbook -------------------------------
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["アカウントID", "対応結果", "対応日"])
    answers = {SHARED: "利用停止"}
    for r in doc.rows:
        acc = r.values["account_id"]
        if acc.startswith("acct27"):
            answers[acc] = "削除"
        elif acc.startswith("acct13"):
            answers[acc] = "措置なし"
    for acc, outcome in answers.items():
        ws.append([acc, outcome, "2026/11/20"])
    wb.save(mail / "result.xlsx")
    res = npa.svc.outcomes.import_result_workbook(mail / "result.xlsx", officer_id=None)
    assert res.status == "imported" and res.rows == len(answers), res.errors

    national = StatisticsService(npa.ctx.database).table("prefecture")
    fig = {g.label: (g.requested, g.acted, g.no_action, g.pending) for g in national.groups}
    assert fig == {"北海道": (4, 0, 0, 4), "東京都": (5, 1, 4, 0), "大阪府": (5, 5, 0, 0)}
    assert national.total.requested == total_rows - 1

    # --- outcomes flow down: NPA → each HQ (one file per HQ) → each station ----------------------
    exports = npa.svc.outcome_files.export_per_recipient(mail / "down", officer_id=None)
    assert len(exports) == 3
    for e in exports:
        hq = next(h for h in hqs.values() if h.ident.unit_id == e.target_unit)
        got = hq.svc.importer().import_paths([e.written.path])
        assert got[0].status == "imported", got[0].errors
        # a file meant for another HQ is refused
        other = next(h for h in hqs.values() if h is not hq)
        assert other.svc.importer().import_paths([e.written.path])[0].status == "refused"
    osaka = StatisticsService(hqs["27"].ctx.database).table("station")
    assert {g.label: (g.requested, g.deleted, g.suspended) for g in osaka.groups} == {
        "中央警察署": (3, 2, 1), "北警察署": (2, 2, 0)}

    for code, hq in hqs.items():
        down = hq.svc.outcome_files.export_per_recipient(mail / f"down{code}", officer_id=None)
        assert len(down) == 2
        for e in down:
            st = next(s for (c, _n), s in stations.items() if c == code and s.ident.unit_id == e.target_unit)
            got = st.svc.importer().import_paths([e.written.path])
            assert got[0].status == "imported", got[0].errors

    # --- stations see what happened to their own requests, and only those -----------------------
    central = stations[("27", "中央警察署")]
    seen = {r["account_id"]: r["outcome"] for r in central.svc.outcomes.rows()}
    assert seen == {"acct27a0@example.co.jp": "deleted", "acct27a1@example.co.jp": "deleted", SHARED: "suspended"}
    shinjuku = stations[("13", "新宿警察署")]
    seen = {r["account_id"]: r["outcome"] for r in shinjuku.svc.outcomes.rows()}
    assert seen[SHARED] == "suspended" and len(seen) == 3
    sapporo = stations[("01", "札幌中央警察署")]
    assert {r["outcome"] for r in sapporo.svc.outcomes.rows()} == {None}  # no answer yet: 確認中
    assert StatisticsService(sapporo.ctx.database).table("month").total.pending == 2
