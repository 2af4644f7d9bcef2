"""Two station data folders and one HQ data folder exchanging REAL signed files:
station export → HQ import → return → station import → correction and blind re-verification →
export → HQ import → hold / confirm → aggregate (CLI) → mistaken request; receipts exported and
verified; a re-import and a hostile file change nothing."""
from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from desktop_app.context import AppContext
from desktop_app.entry import Status
from desktop_app.exchange.reader import read_exchange_file
from desktop_app.hq.services import HqServices
from desktop_app.hq.statuses import RowStatus
from desktop_app.services.export import ExportService
from desktop_app.workdays import WorkCalendar
from tests.fixtures.exchange_files import PASSPHRASE, hostile_files, key_service, trust_for

ROOT = Path(__file__).resolve().parents[2]
# The CLI runs in its own process with the real clock, so the whole day uses the real date: the
# fixture below sets it when the tests start, after waiting out midnight if it is minutes away.
TODAY = dt.date.today()
MIDNIGHT_MARGIN = dt.timedelta(minutes=3)  # far longer than this module takes


@pytest.fixture(autouse=True, scope="module")
def one_calendar_day():
    import time

    global TODAY
    now = dt.datetime.now()
    midnight = dt.datetime.combine(now.date() + dt.timedelta(days=1), dt.time())
    if midnight - now < MIDNIGHT_MARGIN:
        time.sleep((midnight - now).total_seconds() + 1)  # rows would otherwise land in two batch days
    TODAY = dt.date.today()
    yield


def open_unit(path: Path, tier: str, station: str | None = None) -> AppContext:
    ctx = AppContext.open(path, today=lambda: TODAY, log_to_file=False)
    ctx.setup.initialise(tier, "27", station)
    return ctx


def services(ctx) -> HqServices:
    return HqServices.open(ctx, secret_key=lambda: key_service(ctx).store.secret_key())


def register(receiver: AppContext, sender: AppContext) -> None:
    """Out-of-band registration: the public key file plus the fingerprint read over the phone."""
    info = key_service(sender).ensure(sender.setup.identity())
    services(receiver).units.register(info.file_text(), info.fingerprint,
                                      unit_name=sender.settings.get("unit_name"))


def enter_and_verify(ctx, values: list[dict]) -> list[str]:
    """Officer 1001 types, officer 1002 re-types each ID blind (the real dual-entry service)."""
    a, b = (next(o for o in ctx.officers.list() if o.staff_no == n) for n in ("1001", "1002"))
    ids = []
    for v in values:
        e = ctx.entries.create(a.id, v)
        ctx.entries.mark_ready(a.id, e.id)
        ctx.verification.start(e.id, b)
        assert ctx.verification.submit(e.id, b, "account_id", v["account_id"]).value == "match"
        ids.append(e.id)
    return ids


def values(account_id: str, station: str) -> dict:
    return {"account_id": account_id, "user_name": "詐欺 太郎", "organization": "株式会社テスト",
            "case_type": "SNS型投資詐欺", "station": station,
            "recognized_on": (TODAY - dt.timedelta(days=5)).isoformat()}


@pytest.fixture
def cli(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("TEISHI_")}
    env.update(PYTHONPATH=str(ROOT), PYTHONIOENCODING="utf-8", TEISHI_KEY_PASSPHRASE=PASSPHRASE)

    def run(data: Path, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "desktop_app", "--data-dir", str(data), *args], env=env,
                              capture_output=True, text=True, encoding="utf-8", cwd=ROOT, timeout=120)
    return run


def test_station_hq_roundtrip(tmp_path, cli):
    hold_until = (TODAY + dt.timedelta(days=30)).isoformat()
    hq_dir, chuo_dir, kita_dir = tmp_path / "hq data", tmp_path / "chuo data", tmp_path / "kita data"
    hq = open_unit(hq_dir, "hq")
    chuo = open_unit(chuo_dir, "station", "中央警察署")
    kita = open_unit(kita_dir, "station", "北警察署")
    for name in ("中央警察署", "北警察署"):
        hq.stations.add("27", name)
    for ctx in (chuo, kita, hq):
        ctx.officers.add("1001", "山田太郎", "1111")
        ctx.officers.add("1002", "佐藤花子", "2222")
    for st in (chuo, kita):
        register(hq, st)
        register(st, hq)
    hqs = services(hq)

    # ---- stations enter, verify blind, export signed files -----------------------------------
    chuo_ids = enter_and_verify(chuo, [values("both-st@example.jp", "中央警察署"),
                                       values("typo-0ne@example.jp", "中央警察署"),
                                       values("hold-me@example.jp", "中央警察署"),
                                       values("later-mistaken@example.jp", "中央警察署")])
    enter_and_verify(kita, [values("both-st@example.jp", "北警察署"), values("typo-one@example.jp", "北警察署")])
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    officer_1001 = lambda ctx: next(o for o in ctx.officers.list() if o.staff_no == "1001")  # noqa: E731
    ExportService(chuo, key_service(chuo)).export(inbox / "chuo_1.xlsx", officer_1001(chuo).id)
    ExportService(kita, key_service(kita)).export(inbox / "kita_1.xlsx", officer_1001(kita).id)
    assert {e.status for e in chuo.entries.list()} == {Status.EXPORTED}
    hostile = hostile_files(tmp_path / "hostile") if (tmp_path / "hostile").mkdir() is None else None
    (inbox / "zip_bomb.xlsx").write_bytes(hostile["zip_bomb.xlsx"].read_bytes())

    # ---- HQ imports the folder (CLI, JSON), then the same file again ---------------------------
    hq.close()
    r = cli(hq_dir, "import", str(inbox), "--json")
    assert r.returncode == 1, r.stderr  # one hostile file → not everything imported
    files = {Path(f["path"]).name: f for f in json.loads(r.stdout)["files"]}
    assert files["chuo_1.xlsx"]["status"] == files["kita_1.xlsx"]["status"] == "imported"
    assert files["chuo_1.xlsx"]["signed"] and files["chuo_1.xlsx"]["sequence"] == 1
    assert files["zip_bomb.xlsx"]["status"] == "refused" and files["zip_bomb.xlsx"]["errors"]
    r = cli(hq_dir, "import", str(inbox / "chuo_1.xlsx"), "--json")
    assert r.returncode == 0 and json.loads(r.stdout)["files"][0]["status"] == "already_imported"
    hq = AppContext.open(hq_dir, today=lambda: TODAY, log_to_file=False)
    hqs = services(hq)
    rows = {(r.station, r.account_id): r for r in hqs.rows.query(limit=100)}
    assert len(rows) == 6
    assert rows["中央警察署", "both-st@example.jp"].dups[0]["kind"] == "other_station"
    assert rows["北警察署", "both-st@example.jp"].dups[0]["kind"] == "other_station"
    assert {d["kind"] for d in rows["北警察署", "typo-one@example.jp"].dups} == {"confusable"}
    assert {r.row_id for r in rows.values()} >= set(chuo_ids)  # stable ids crossed the tier

    # ---- HQ returns the faulty row; the station imports the return -----------------------------
    typo = rows["中央警察署", "typo-0ne@example.jp"]
    ret = hqs.returns.return_rows([typo.rid], reason="「0ne」は「one」の誤りではありませんか。資料を確認してください",
                                  officer_id=None, out_dir=tmp_path / "to stations")
    assert len(ret.files) == 1 and ret.files[0].target_unit == chuo.settings.get("unit_id")
    [imp] = services(chuo).importer().import_paths([ret.files[0].path])
    assert imp.status == "imported", imp.errors
    returned = chuo.entries.get(typo.row_id)
    assert returned.status == Status.RETURNED
    # corrected, then a different officer re-keys it blind again, then it goes out in a later export
    a = officer_1001(chuo)
    chuo.entries.update(a.id, returned.id, {"account_id": "typo-one@example.jp"})
    chuo.entries.mark_ready(a.id, returned.id)
    b = next(o for o in chuo.officers.list() if o.staff_no == "1002")
    chuo.verification.start(returned.id, b)
    assert chuo.verification.submit(returned.id, b, "account_id", "typo-one@example.jp").value == "match"
    ExportService(chuo, key_service(chuo)).export(inbox / "chuo_2.xlsx", a.id)
    [imp2] = hqs.importer().import_paths([inbox / "chuo_2.xlsx"])
    assert (imp2.status, imp2.sequence, imp2.rows_imported) == ("imported", 2, 1)
    corrected = [r for r in hqs.rows.query(limit=100) if r.row_id == typo.row_id]
    assert [(r.account_id, r.status) for r in corrected] == [("typo-one@example.jp", RowStatus.RECEIVED)]
    assert any(d["kind"] == "other_station" for d in corrected[0].dups)  # now the same ID as 北署's row

    # ---- hold one row, confirm the rest, aggregate from the CLI --------------------------------
    rows = {(r.station, r.account_id): r for r in hqs.rows.query(limit=100)}
    held = rows["中央警察署", "hold-me@example.jp"]
    hqs.holds.hold([held.rid], reason="捜査に支障", review_on=hold_until, officer_id=None)
    hq.close()
    r = cli(hq_dir, "confirm", "--all-ok")
    assert r.returncode == 0, r.stderr
    # rows with duplicates need a person's look: confirm them explicitly after review
    dup_rids = [str(x.rid) for x in rows.values() if x.dups and x.rid != held.rid]
    r = cli(hq_dir, "confirm", *dup_rids, "--officer", "1001")
    assert r.returncode == 0, r.stderr
    r = cli(hq_dir, "deadlines", "--json")
    [pending] = json.loads(r.stdout)
    expected = WorkCalendar().deadline(TODAY)
    assert pending["day"] == TODAY.isoformat() and pending["deadline"] == expected.isoformat(timespec="minutes")
    out = tmp_path / "to npa" / "本部集約.xlsx"
    r = cli(hq_dir, "aggregate", "--date", TODAY.isoformat(), "--out", str(out), "--officer", "1001")
    assert r.returncode == 0, r.stderr
    npa = trust_for(AppContext.open(hq_dir, log_to_file=False))
    doc = read_exchange_file(out, npa)
    assert doc.kind == "hq_daily" and [x.number for x in doc.rows] == [1, 2, 3, 4, 5]
    assert "hold-me@example.jp" not in {x.values["account_id"] for x in doc.rows}
    sources = doc.metadata["extra"]["sources"]
    assert {(s["unit_name"], s["sequence"]) for s in sources} == {
        ("大阪府警察本部 中央警察署", 1), ("大阪府警察本部 中央警察署", 2), ("大阪府警察本部 北警察署", 1)}

    # ---- a mistaken request goes to the NPA at once, separate from the batch -------------------
    hq = AppContext.open(hq_dir, today=lambda: TODAY, log_to_file=False)
    hqs = services(hq)
    sent = next(r for r in hqs.rows.query(limit=100) if r.account_id == "later-mistaken@example.jp")
    assert sent.status == RowStatus.SENT and sent.sent_by == "山田太郎(1001)"
    report = hqs.mistaken.report([sent.rid], reason="捜査の結果、犯行利用ではなかった", officer_id=None,
                                 out=tmp_path / "to npa" / "誤依頼.xlsx")
    assert read_exchange_file(report.path, npa).kind == "mistaken_request"
    hq.close()

    # ---- the receipt log is the evidence of what arrived when ----------------------------------
    r = cli(hq_dir, "receipts", "export", "--out", str(tmp_path / "receipts.csv"))
    assert r.returncode == 0, r.stderr
    assert cli(hq_dir, "receipts", "verify").returncode == 0
    assert cli(hq_dir, "receipts", "verify", str(tmp_path / "receipts.csv")).returncode == 0
    text = (tmp_path / "receipts.csv").read_text(encoding="utf-8-sig")
    assert text.count("\"imported\"") == 3 and "already_imported" in text and "refused" in text
    for ctx in (chuo, kita):
        ctx.close()
