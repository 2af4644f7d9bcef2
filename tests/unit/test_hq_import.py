"""HQ import pipeline: signed files imported all-or-nothing, re-imports and replays refused, unsigned
hand-filled files imported as 未確認, hostile files reported, every outcome in the receipt log."""
from __future__ import annotations

import json
import sqlite3

import pytest

from desktop_app.hq.import_run import CancelToken
from desktop_app.hq.statuses import RowStatus
from tests.fixtures.exchange_files import hostile_files, rewrite_zip
from tests.hq_support import Unit, handfilled, row


def statuses(hq):
    return [r.status for r in hq.hq.rows.query(limit=1000)]


def test_signed_file_is_imported_with_unit_sequence_and_stable_ids(pair, tmp_path):
    hq, (st, _) = pair
    f = st.write_export(tmp_path / "a.xlsx", [row("fraud-01@example.co.jp", id="row-1"), row("b2@example.jp", id="row-2")])
    [res] = hq.hq.importer().import_paths([f])
    assert res.to_json() == {"path": str(f), "status": "imported", "signed": True, "unit": st.unit_id, "sequence": 1,
                             "rows_imported": 2, "duplicates": 0, "errors": [], "warnings": []}
    rows = hq.hq.rows.query(order_by="position")
    assert [r.row_id for r in rows] == ["row-1", "row-2"]
    assert {r.status for r in rows} == {RowStatus.RECEIVED}
    assert rows[0].account_id == "fraud-01@example.co.jp" and rows[0].unit_id == st.unit_id


def test_same_file_twice_imports_nothing_the_second_time(pair, tmp_path):
    hq, (st, _) = pair
    f = st.write_export(tmp_path / "a.xlsx", [row("a1@example.jp")])
    hq.hq.importer().import_paths([f])
    copy = tmp_path / "copy of a.xlsx"
    copy.write_bytes(f.read_bytes())
    [res] = hq.hq.importer().import_paths([copy])
    assert res.status == "already_imported" and res.rows_imported == 0
    assert "取り込み済み" in res.warnings[0] and "a.xlsx" in res.warnings[0]
    assert hq.hq.rows.count() == 1


def test_replayed_sequence_is_refused_and_a_gap_is_a_warning(pair, tmp_path):
    hq, (st, _) = pair
    hq.hq.importer().import_paths([st.write_export(tmp_path / "1.xlsx", [row("a1@example.jp")], sequence=1)])
    [replay] = hq.hq.importer().import_paths([st.write_export(tmp_path / "1b.xlsx", [row("zz@example.jp")], sequence=1)])
    assert replay.status == "refused" and "すでに受け付けています" in replay.errors[0]["message"]
    [gap] = hq.hq.importer().import_paths([st.write_export(tmp_path / "4.xlsx", [row("b1@example.jp")], sequence=4)])
    assert gap.status == "imported"
    assert any("2〜3" in w and "届いていません" in w for w in gap.warnings)
    assert hq.hq.rows.count() == 2


def test_refused_files_import_nothing_and_say_why(pair, tmp_path):
    hq, (st, _) = pair
    stranger = Unit(tmp_path / "stranger", "station", station="南警察署")
    other_pref = Unit(tmp_path / "kyoto", "station", prefecture="26", station="下京警察署")
    hq.trust(other_pref)
    f_unknown = stranger.write_export(tmp_path / "unknown.xlsx", [row("a1@example.jp")])
    f_pref = other_pref.write_export(tmp_path / "kyoto.xlsx", [row("a2@example.jp")])
    good = st.write_export(tmp_path / "good.xlsx", [row("a3@example.jp")])
    tampered = rewrite_zip(good, tmp_path / "tampered.xlsx", change={
        "xl/worksheets/sheet1.xml": lambda b: b.replace(b"a3@example.jp", b"a4@example.jp")})
    results = {r.path.rsplit("/", 1)[-1]: r for r in hq.hq.importer().import_paths([f_unknown, f_pref, tampered])}
    assert {k: r.status for k, r in results.items()} == {"unknown.xlsx": "refused", "kyoto.xlsx": "refused",
                                                          "tampered.xlsx": "refused"}
    assert "信頼リストに登録されていません" in results["unknown.xlsx"].errors[0]["message"]
    assert "大阪府宛てではありません" in results["kyoto.xlsx"].errors[0]["message"]
    assert "署名" in results["tampered.xlsx"].errors[0]["message"]
    assert all(e["message"].startswith("ファイル「") for r in results.values() for e in r.errors)
    assert hq.hq.rows.count() == 0
    # the tampered file does not burn the station's sequence number: the genuine file still imports
    assert hq.hq.importer().import_paths([good])[0].status == "imported"
    for u in (stranger, other_pref):
        u.close()


def test_unsigned_hand_filled_file_needs_confirmation_row_by_row_or_per_file(pair, tmp_path):
    hq, _ = pair
    f = handfilled(tmp_path / "手書き.xlsx", [["hand-01@example.jp", "山田", "", "特殊詐欺", "中央警察署", "R8.11.2"],
                                                ["hand-02@example.jp", "鈴木", "", "SNS型投資詐欺", "北警察署", "令和8年11月3日"],
                                                ["hand-03@example.jp", "田中", "", "SNS型投資詐欺", "北警察署", "2026/11/4"]])
    [res] = hq.hq.importer().import_paths([f])
    assert (res.status, res.signed, res.unit, res.rows_imported) == ("needs_confirmation", False, None, 3)
    assert statuses(hq) == [RowStatus.UNCONFIRMED] * 3
    rows = hq.hq.rows.query(order_by="position")
    assert [r.recognized_on for r in rows] == ["2026-11-02", "2026-11-03", "2026-11-04"]
    hq.hq.rows.confirm([rows[0].rid], None)  # one row checked by a person
    assert hq.hq.rows.get(rows[0].rid).status == RowStatus.RECEIVED
    assert hq.hq.rows.confirm_file(res.file_id, None) == 2  # the rest, file by file
    assert set(statuses(hq)) == {RowStatus.RECEIVED}
    audit = [a["action"] for a in hq.ctx.audit.rows(action_prefix="hq.confirm_unsigned")]
    assert len(audit) == 3


def test_folder_with_good_bad_and_hostile_files_imports_the_good_ones(pair, tmp_path):
    hq, (st, st2) = pair
    folder = tmp_path / "incoming"
    sub = folder / "sub"
    sub.mkdir(parents=True)
    st.write_export(folder / "good1.xlsx", [row("g1@example.jp")])
    st2.write_export(sub / "good2.xlsx", [row("g2@example.jp", station="北警察署")])
    (folder / "~$good1.xlsx").write_bytes(b"lock file")  # Excel's lock file is skipped, not reported
    (folder / "memo.txt").write_text("not a workbook")
    hostile_dir = folder / "hostile"
    hostile_dir.mkdir()
    bad = hostile_files(hostile_dir)
    results = hq.hq.importer().import_paths([folder])
    by_name = {r.path.rsplit("/", 1)[-1]: r for r in results}
    assert by_name["good1.xlsx"].status == by_name["good2.xlsx"].status == "imported"
    assert "~$good1.xlsx" not in by_name
    refused = {n for n, r in by_name.items() if r.status == "refused"}
    assert refused == set(bad) | {"memo.txt"}
    assert all(r.errors and r.errors[0]["message"] for n, r in by_name.items() if n in refused)
    assert hq.hq.rows.count() == 2
    log = hq.hq.receipts.rows()
    assert len(log) == len(results) and {r["result"] for r in log} == {"imported", "refused"}


def test_each_file_is_all_or_nothing(pair, tmp_path, monkeypatch):
    hq, (st, _) = pair
    f = st.write_export(tmp_path / "a.xlsx", [row("a1@example.jp"), row("a2@example.jp")])
    from desktop_app.storage.received_repo import ReceivedRepo

    def broken(self, rows):
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(ReceivedRepo, "insert_rows", broken)
    with pytest.raises(sqlite3.OperationalError):
        hq.hq.importer().import_paths([f])
    monkeypatch.undo()
    db = hq.ctx.database.db
    assert db.execute("SELECT count(*) FROM hq_files").fetchone()[0] == 0
    assert db.execute("SELECT count(*) FROM seen_sequences").fetchone()[0] == 0
    assert hq.hq.importer().import_paths([f])[0].status == "imported"  # nothing half-done blocks a retry


def test_progress_and_cancellation_between_files(pair, tmp_path):
    hq, (st, _) = pair
    files = [st.write_export(tmp_path / f"{i}.xlsx", [row(f"id{i}x@example.jp")]) for i in range(4)]
    token = CancelToken()
    seen = []

    def progress(done, total, path):
        seen.append((done, total))
        if done == 2:
            token.cancel()

    results = hq.hq.importer().import_paths(files, progress=progress, cancel=token)
    assert [r.status for r in results] == ["imported", "imported", "imported", "cancelled"]
    assert seen[:3] == [(0, 4), (1, 4), (2, 4)]
    assert hq.hq.rows.count() == 3


def test_receipt_log_records_every_file_and_is_append_only(pair, tmp_path):
    hq, (st, _) = pair
    f = st.write_export(tmp_path / "a.xlsx", [row("a1@example.jp")])
    copy = tmp_path / "b.xlsx"
    copy.write_bytes(f.read_bytes())
    junk = tmp_path / "junk.xlsx"
    junk.write_bytes(b"not a workbook")
    hq.hq.importer().import_paths([f, copy, junk])
    log = hq.hq.receipts.rows()
    assert [r["result"] for r in log] == ["imported", "already_imported", "refused"]
    first = log[0]
    assert (first["unit_id"], first["sequence"], first["kind"]) == (st.unit_id, 1, "station_export")
    assert first["key_id"] == st.key_id and len(first["file_hash"]) == 64
    assert hq.hq.receipts.verify() is None
    db = hq.ctx.database.db
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        db.execute("UPDATE receipt_log SET result = 'imported' WHERE id = 3")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        db.execute("DELETE FROM receipt_log WHERE id = 1")


def test_cli_import_json_and_exit_codes(pair, tmp_path, capsys):
    from desktop_app.cli import hq_cmd

    hq, (st, _) = pair
    good = st.write_export(tmp_path / "good.xlsx", [row("a1@example.jp"), row("a1@example.jp")])

    class Args:
        paths = [str(good)]
        json = True
        officer = None

    assert hq_cmd.run_import(Args, hq.ctx) == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out) == {"files"}
    [f] = out["files"]
    assert set(f) == {"path", "status", "signed", "unit", "sequence", "rows_imported", "duplicates", "errors", "warnings"}
    assert (f["status"], f["rows_imported"], f["duplicates"]) == ("imported", 2, 2)
    Args.paths = [str(good)]
    assert hq_cmd.run_import(Args, hq.ctx) == 0  # already imported still counts as success
    assert json.loads(capsys.readouterr().out)["files"][0]["status"] == "already_imported"
    hand = handfilled(tmp_path / "hand.xlsx", [["h1@example.jp", "x", "", "特殊詐欺", "中央警察署", "R8.11.2"]])
    Args.paths = [str(hand), str(tmp_path / "nope.xlsx")]
    assert hq_cmd.run_import(Args, hq.ctx) == 1
    files = json.loads(capsys.readouterr().out)["files"]
    assert [x["status"] for x in files] == ["needs_confirmation", "refused"]
    assert files[1]["errors"][0]["message"] == "ファイル「nope.xlsx」: ファイルが見つかりません"


def test_something_that_is_not_a_plain_file_is_refused_by_name(pair, tmp_path):
    hq, _ = pair
    folder = tmp_path / "届いたもの.xlsx"
    folder.mkdir()
    res = hq.hq.importer().import_file(folder)
    assert res.status == "refused"
    assert res.errors[0]["message"] == "ファイル「届いたもの.xlsx」: 通常のファイルではありません(フォルダや特殊なファイルは取り込めません)"
    assert hq.hq.importer().import_file(tmp_path / "nope.xlsx").errors[0]["message"].endswith("ファイルが見つかりません")
