"""HQ's day: hold and release, return to the station, daily aggregation with its deadline, mistaken
requests at once, and the receipt log as exportable evidence."""
from __future__ import annotations

import datetime as dt

import pytest

from desktop_app.entry import Status
from desktop_app.exchange.reader import read_exchange_file
from desktop_app.exchange.verify import StaticTrust, TrustedKey
from desktop_app.hq import deadlines as dl
from desktop_app.hq.receipt_log import verify_csv
from desktop_app.hq.statuses import RowStatus
from desktop_app.services.errors import NotAllowed, ServiceError
from desktop_app.workdays import WorkCalendar
from tests.hq_support import Unit, row


def npa_trust(hq: Unit) -> StaticTrust:
    """How the NPA would check HQ's files: HQ's public key in its trust list."""
    pub = hq.keypair.public_key.to_base64()
    return StaticTrust().add(TrustedKey(hq.key_id, hq.unit_id, hq.unit_name, "hq", "27",
                                        pub.decode() if isinstance(pub, bytes) else pub))


def received(hq, ids, st, tmp_path, name="a.xlsx"):
    hq.hq.importer().import_paths([st.write_export(tmp_path / name, [row(i) for i in ids])])
    return {r.account_id: r for r in hq.hq.rows.query(limit=1000)}


def test_hold_keeps_rows_out_of_the_batch_until_released(pair, tmp_path):
    hq, (st, _) = pair
    rows = received(hq, ["keep-1@example.jp", "hold-1@example.jp"], st, tmp_path)
    hq.hq.rows.confirm([r.rid for r in rows.values()], None)
    held = rows["hold-1@example.jp"].rid
    with pytest.raises(ServiceError, match="理由"):
        hq.hq.holds.hold([held], reason=" ", review_on="2026-12-01", officer_id=None)
    with pytest.raises(ServiceError, match="過去"):
        hq.hq.holds.hold([held], reason="捜査に支障", review_on="2026-11-01", officer_id=None)
    [h] = hq.hq.holds.hold([held], reason="捜査に支障", review_on="令和8年12月1日", officer_id=None)
    assert (h.status, h.reason, h.hold_until) == (RowStatus.HELD, "捜査に支障", "2026-12-01")
    assert [c["account_id"] for c in hq.hq.aggregation.candidates(hq.today)] == ["keep-1@example.jp"]
    res = hq.hq.aggregation.aggregate(hq.today, tmp_path / "day1.xlsx", officer_id=None)
    assert res.rows == 1
    assert hq.hq.rows.get(held).status == RowStatus.HELD
    hq.today = dt.date(2026, 12, 1)
    assert [r.rid for r in hq.hq.holds.due_for_review()] == [held]
    hq.hq.holds.release([held], officer_id=None, note="捜査終了")
    assert hq.hq.rows.get(held).status == RowStatus.CONFIRMED
    res2 = hq.hq.aggregation.aggregate(hq.today, tmp_path / "day2.xlsx", officer_id=None)
    assert res2.rows == 1
    log = [(a["action"], a["detail"].get("reason")) for a in hq.ctx.audit.rows(entity_id=str(held))
           if a["entity"] == "hq_row"]
    assert ("hq.hold", "捜査に支障") in log and ("hq.release", "保留解除: 捜査終了") in log
    with pytest.raises(NotAllowed):
        hq.hq.holds.release([held], officer_id=None)  # sent rows are not held any more


def test_daily_aggregate_is_signed_numbered_and_names_its_sources(pair, tmp_path):
    hq, (chuo, kita) = pair
    received(hq, ["c1@example.jp", "c2@example.jp"], chuo, tmp_path, "c.xlsx")
    hq.hq.importer().import_paths([kita.write_export(tmp_path / "k.xlsx", [row("k1@example.jp", station="北警察署")])])
    rows = hq.hq.rows.query(limit=100)
    hq.hq.rows.confirm([r.rid for r in rows if r.account_id != "c2@example.jp"], None)  # c2 still 受理
    officer = hq.ctx.officers.add("2001", "本部花子", "2222")
    out = tmp_path / "本部集約.xlsx"
    res = hq.hq.aggregation.aggregate(hq.today, out, officer_id=officer.id)
    assert res.rows == 2 and res.deadline.deadline == dt.datetime(2026, 11, 24, 17, 15)  # Mon 23rd is a holiday
    doc = read_exchange_file(out, npa_trust(hq))
    assert (doc.kind, doc.signed, doc.unit_id) == ("hq_daily", True, hq.unit_id)
    assert [r.number for r in doc.rows] == [1, 2]
    assert sorted(r.values["account_id"] for r in doc.rows) == ["c1@example.jp", "k1@example.jp"]
    sources = doc.metadata["extra"]["sources"]
    assert {(s["unit_id"], s["sequence"]) for s in sources} == {(chuo.unit_id, 1), (kita.unit_id, 1)}
    hashes = {r["file_hash"] for r in hq.ctx.database.db.execute("SELECT file_hash FROM hq_files").fetchall()
              for r in [{"file_hash": r[0]}]}
    assert {s["file_hash"] for s in sources} == hashes
    sent = [r for r in hq.hq.rows.query(limit=100) if r.status == RowStatus.SENT]
    assert len(sent) == 2 and {r.sent_by for r in sent} == {"本部花子(2001)"}
    assert all(r.batch_day == "2026-11-20" for r in sent)
    with pytest.raises(ServiceError, match="集約するものがありません"):
        hq.hq.aggregation.aggregate(hq.today, tmp_path / "again.xlsx", officer_id=None)
    assert not (tmp_path / "again.xlsx").exists()


def test_return_reaches_the_station_and_the_corrected_row_replaces_it(pair, tmp_path):
    hq, (st, _) = pair
    officer = st.ctx.officers.add("1001", "山田太郎", "1111")
    e = st.ctx.entries.create(officer.id, {"account_id": "typo0@example.jp", "user_name": "x", "case_type": "特殊詐欺",
                                           "recognized_on": "2026-11-01"})
    st.ctx.database.db["entries"].update(e.id, {"status": Status.EXPORTED.value})
    hq.hq.importer().import_paths([st.write_export(tmp_path / "1.xlsx", [row("typo0@example.jp", id=e.id)])])
    [r] = hq.hq.rows.query()
    res = hq.hq.returns.return_rows([r.rid], reason="IDの0とoを資料で確認してください", officer_id=None,
                                    out_dir=tmp_path / "out")
    assert res.rows == 1 and len(res.files) == 1
    assert hq.hq.rows.get(r.rid).status == RowStatus.RETURNED
    [imp] = st.hq.importer().import_paths([res.files[0].path])
    assert imp.status == "imported" and imp.unit == hq.unit_id
    entry = st.ctx.entries.get(e.id)
    assert entry.status == Status.RETURNED
    from desktop_app.hq.returns import return_reasons

    assert return_reasons(st.ctx.database, e.id)[0]["reason"] == "IDの0とoを資料で確認してください"
    assert st.hq.importer().import_paths([res.files[0].path])[0].status == "already_imported"
    # corrected and re-verified at the station (dual entry), sent again with the same stable id
    st.ctx.entries.update(officer.id, e.id, {"account_id": "typoo@example.jp"})
    hq.hq.importer().import_paths([st.write_export(tmp_path / "2.xlsx", [row("typoo@example.jp", id=e.id)])])
    rows = hq.hq.rows.query(limit=10)  # the superseded version is hidden by default
    assert [(x.account_id, x.status) for x in rows] == [("typoo@example.jp", RowStatus.RECEIVED)]
    assert not rows[0].dups  # not a duplicate of its own earlier version


def test_return_file_for_another_station_is_refused_there(pair, tmp_path):
    hq, (chuo, kita) = pair
    hq.hq.importer().import_paths([chuo.write_export(tmp_path / "1.xlsx", [row("r1@example.jp")])])
    [r] = hq.hq.rows.query()
    res = hq.hq.returns.return_rows([r.rid], reason="確認", officer_id=None, out_dir=tmp_path / "out")
    [imp] = kita.hq.importer().import_paths([res.files[0].path])
    assert imp.status == "refused" and "別の所属あて" in imp.errors[0]["message"]


def test_mistaken_request_is_reported_at_once_outside_the_batch(pair, tmp_path):
    hq, (st, _) = pair
    rows = received(hq, ["m1@example.jp", "m2@example.jp"], st, tmp_path)
    hq.hq.rows.confirm([r.rid for r in rows.values()], None)
    hq.hq.aggregation.aggregate(hq.today, tmp_path / "agg.xlsx", officer_id=None)
    target = rows["m1@example.jp"].rid
    out = tmp_path / "誤依頼.xlsx"
    w = hq.hq.mistaken.report([target], reason="犯行利用ではなかった", officer_id=None, out=out)
    doc = read_exchange_file(out, npa_trust(hq))
    assert doc.kind == "mistaken_request" and [r.values["account_id"] for r in doc.rows] == ["m1@example.jp"]
    assert doc.rows[0].extra["reason"] == "犯行利用ではなかった"
    assert doc.rows[0].extra["sent_on"] == "2026-11-20"
    assert hq.hq.rows.get(target).status == RowStatus.MISTAKEN
    assert w.sequence == 2  # its own signed file, right after the daily batch
    assert [b["kind"] for b in hq.hq.rows.repo.batches()] == ["hq_daily", "mistaken_request"]


def station_mistaken_report(hq, st, tmp_path):
    """A row exported by the station and received at HQ, then reported by the station as 誤依頼."""
    officer = st.ctx.officers.add("1001", "山田太郎", "1111")
    e = st.ctx.entries.create(officer.id, {"account_id": "mm@example.jp", "user_name": "x", "case_type": "特殊詐欺",
                                           "recognized_on": "2026-11-01"})
    st.ctx.database.db["entries"].update(e.id, {"status": Status.EXPORTED.value})
    hq.hq.importer().import_paths([st.write_export(tmp_path / "1.xlsx", [row("mm@example.jp", id=e.id)])])
    return st.hq.station_mistaken.report([e.id], reason="被害申告の取下げ", officer_id=officer.id,
                                         out=tmp_path / "station_mistaken.xlsx")


def test_station_mistaken_request_goes_up_and_hq_reports_to_the_npa(pair, tmp_path):
    hq, (st, _) = pair
    report = station_mistaken_report(hq, st, tmp_path)
    [imp] = hq.hq.importer().import_paths([report.path])
    assert imp.status == "imported"
    [r] = hq.hq.rows.query()
    assert (r.status, r.reason) == (RowStatus.MISTAKEN, "被害申告の取下げ")
    reports = list(hq.ctx.data_dir.exports.glob("誤依頼報告_*.xlsx"))
    assert len(reports) == 1  # HQ's own report for the NPA, written at once
    assert read_exchange_file(reports[0], npa_trust(hq)).kind == "mistaken_request"


@pytest.mark.parametrize("day,deadline", [
    (dt.date(2026, 11, 20), dt.datetime(2026, 11, 24, 17, 15)),  # Fri → Sat, Sun, Mon 勤労感謝の日 → Tue
    (dt.date(2026, 11, 18), dt.datetime(2026, 11, 19, 17, 15)),  # ordinary weekday
    (dt.date(2026, 12, 28), dt.datetime(2027, 1, 4, 17, 15)),  # 12/29–1/3 closed
    (dt.date(2026, 12, 25), dt.datetime(2026, 12, 28, 17, 15)),  # Friday before the year end
])
def test_deadlines_across_weekend_holiday_and_new_year(day, deadline):
    assert dl.deadline_for(WorkCalendar(), day) == deadline


def test_deadline_states_due_soon_and_late():
    cal = WorkCalendar()
    day = dt.date(2026, 11, 18)
    assert dl.classify(cal, day, 3, dt.datetime(2026, 11, 19, 9, 0), 4).state == dl.ON_TIME
    soon = dl.classify(cal, day, 3, dt.datetime(2026, 11, 19, 14, 0), 4)
    assert soon.state == dl.DUE_SOON and "近づいています" in soon.message and "3件" in soon.message
    late = dl.classify(cal, day, 3, dt.datetime(2026, 11, 19, 17, 16), 4)
    assert late.state == dl.LATE and "過ぎています" in late.message
    far = dl.classify(cal, dt.date(2030, 5, 1), 1, dt.datetime(2030, 5, 1, 9), 4)
    assert far.calendar_warning and "祝日表" in far.message


def test_pending_days_get_deadlines_and_extra_closed_days_count(pair, tmp_path):
    hq, (st, _) = pair
    received(hq, ["p1@example.jp"], st, tmp_path)
    hq.ctx.settings.update({"extra_closed_days": ["2026-11-24"]})
    hq.today = dt.date(2026, 11, 25)
    hq.hq.now = None
    svc = hq.hq.aggregation
    svc._now = lambda: dt.datetime(2026, 11, 25, 10, 0)
    [d] = svc.deadlines()
    assert d.day == dt.date(2026, 11, 20) and d.deadline == dt.datetime(2026, 11, 25, 17, 15)
    assert d.state == dl.ON_TIME
    svc._now = lambda: dt.datetime(2026, 11, 25, 18, 0)
    assert svc.deadlines()[0].state == dl.LATE


def test_receipt_log_exports_as_csv_and_signed_workbook_and_detects_tampering(pair, tmp_path):
    hq, (st, _) = pair
    hq.hq.importer().import_paths([st.write_export(tmp_path / "=cmd.xlsx", [row("a1@example.jp")]),
                                   tmp_path / "nothing.xlsx"])
    junk = tmp_path / "junk.xlsx"
    junk.write_bytes(b"junk")
    hq.hq.importer().import_paths([junk])
    csv_path = tmp_path / "receipts.csv"
    assert hq.hq.receipts.export_csv(csv_path) == 2
    text = csv_path.read_text(encoding="utf-8-sig")
    assert "\"'=cmd.xlsx\"" in text  # formula-looking text is inert in a spreadsheet
    assert verify_csv(csv_path) is None
    csv_path.write_text(text.replace("junk.xlsx", "other.xlsx"), encoding="utf-8-sig")
    assert verify_csv(csv_path) == 2
    w = hq.hq.receipts.export_signed(tmp_path / "receipts.xlsx")
    doc = read_exchange_file(w.path, npa_trust(hq), check_replay=False)
    assert doc.signed and len(doc.rows) == 2


def test_a_landed_mistaken_report_still_goes_to_the_npa_when_a_later_file_fails(pair, tmp_path, monkeypatch):
    import sqlite3

    from desktop_app.storage.received_repo import ReceivedRepo

    hq, (st, _) = pair
    report = station_mistaken_report(hq, st, tmp_path)
    later = st.write_export(tmp_path / "later.xlsx", [row("later@example.jp")])

    def disk_fails(self, rows):
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(ReceivedRepo, "insert_rows", disk_fails)
    with pytest.raises(sqlite3.OperationalError):
        hq.hq.importer().import_paths([report.path, later])
    monkeypatch.undo()
    [r] = hq.hq.rows.query()
    assert r.status == RowStatus.MISTAKEN  # the report landed before the failure …
    assert len(list(hq.ctx.data_dir.exports.glob("誤依頼報告_*.xlsx"))) == 1  # … and went on to the NPA
    [again] = hq.hq.importer().import_paths([report.path])
    assert again.status == "already_imported"
