"""HQ import groups several files into one transaction (one savepoint per file): a bad file in the
middle of a batch still rolls back alone, results are reported only once committed, cancelling
keeps what finished, and the same file twice in one run imports once."""
from __future__ import annotations

import sqlite3

import pytest

from desktop_app.hq import import_batch
from desktop_app.hq.import_run import CancelToken
from tests.hq_support import row


def committed_count(hq, sql: str) -> int:
    """Counted on a second connection: only what has really been committed."""
    conn = sqlite3.connect(hq.ctx.database.path)
    try:
        return conn.execute(sql).fetchone()[0]
    finally:
        conn.close()


def test_a_bad_file_in_the_middle_of_a_batch_rolls_back_alone(pair, tmp_path):
    hq, (st, _) = pair
    files = [st.write_export(tmp_path / f"{i}.xlsx", [row(f"good{i}a@example.jp"), row(f"good{i}b@example.jp")])
             for i in (1, 2)]
    # a 誤依頼 report naming a row HQ never received: refused after its file record was written
    files.append(st.write_export(tmp_path / "3.xlsx", [row("bad3@example.jp", id="no-such-row", reason="取下げ")],
                                 kind="mistaken_request"))
    files += [st.write_export(tmp_path / f"{i}.xlsx", [row(f"good{i}a@example.jp")]) for i in (4, 5)]
    results = hq.hq.importer().import_paths(files)
    assert [r.status for r in results] == ["imported", "imported", "refused", "imported", "imported"]
    assert "誤依頼の対象の行が本部に見つかりません" in results[2].errors[0]["message"]
    assert committed_count(hq, "SELECT count(*) FROM hq_rows") == 6
    assert committed_count(hq, "SELECT count(*) FROM hq_files") == 4
    assert committed_count(hq, "SELECT count(*) FROM hq_files WHERE file_name = '3.xlsx'") == 0
    # its sequence number was not burnt: the next file reports it as missing
    assert committed_count(hq, "SELECT count(*) FROM seen_sequences WHERE sequence = 3") == 0
    assert any("3〜3" in w for w in results[3].warnings)
    assert [r["result"] for r in hq.hq.receipts.rows()] == ["imported", "imported", "refused", "imported", "imported"]
    assert hq.hq.receipts.verify() is None and hq.ctx.audit.verify_chain() is None


def test_an_unexpected_error_keeps_the_finished_files_and_nothing_of_the_failing_one(pair, tmp_path, monkeypatch):
    hq, (st, _) = pair
    files = [st.write_export(tmp_path / f"{i}.xlsx", [row(f"e{i}@example.jp")]) for i in range(1, 6)]
    from desktop_app.storage.received_repo import ReceivedRepo

    real = ReceivedRepo.insert_rows
    calls = []

    def fails_on_third(self, rows):
        calls.append(1)
        if len(calls) == 3:
            raise sqlite3.OperationalError("disk I/O error")
        return real(self, rows)

    monkeypatch.setattr(ReceivedRepo, "insert_rows", fails_on_third)
    with pytest.raises(sqlite3.OperationalError):
        hq.hq.importer().import_paths(files)
    monkeypatch.undo()
    assert not hq.ctx.database.db.conn.in_transaction
    assert committed_count(hq, "SELECT count(*) FROM hq_files") == 2
    assert committed_count(hq, "SELECT count(*) FROM hq_rows") == 2
    assert committed_count(hq, "SELECT count(*) FROM seen_sequences") == 2
    again = hq.hq.importer().import_paths(files)
    assert [r.status for r in again] == ["already_imported"] * 2 + ["imported"] * 3
    assert committed_count(hq, "SELECT count(*) FROM hq_rows") == 5


def test_results_are_returned_only_once_committed(pair, tmp_path, monkeypatch):
    hq, (st, _) = pair
    monkeypatch.setattr(import_batch, "BATCH_FILES", 2)  # several batches in one run
    files = [st.write_export(tmp_path / f"{i}.xlsx", [row(f"c{i}@example.jp")]) for i in range(5)]
    seen_while_running = []

    def progress(done, total, path):
        seen_while_running.append(committed_count(hq, "SELECT count(*) FROM hq_files"))

    results = hq.hq.importer().import_paths(files, progress=progress)
    assert [r.status for r in results] == ["imported"] * 5
    assert not hq.ctx.database.db.conn.in_transaction
    assert committed_count(hq, "SELECT count(*) FROM hq_rows") == 5
    # batches of two land as the run goes: the window sees them before the run ends
    assert seen_while_running == [0, 0, 2, 2, 4, 5]


def test_cancel_mid_batch_commits_the_files_that_finished(pair, tmp_path):
    hq, (st, _) = pair
    files = [st.write_export(tmp_path / f"{i}.xlsx", [row(f"k{i}@example.jp")]) for i in range(6)]
    token = CancelToken()

    def progress(done, total, path):
        if done == 3:
            token.cancel()

    results = hq.hq.importer().import_paths(files, progress=progress, cancel=token)
    assert [r.status for r in results] == ["imported"] * 4 + ["cancelled"] * 2
    assert not hq.ctx.database.db.conn.in_transaction
    assert committed_count(hq, "SELECT count(*) FROM hq_rows") == 4
    assert [r["result"] for r in hq.hq.receipts.rows()] == ["imported"] * 4
    rest = hq.hq.importer().import_paths(files)
    assert [r.status for r in rest] == ["already_imported"] * 4 + ["imported"] * 2


def test_the_same_file_twice_in_one_run_imports_once(pair, tmp_path):
    hq, (st, _) = pair
    f = st.write_export(tmp_path / "a.xlsx", [row("twice1@example.jp"), row("twice2@example.jp")])
    copy = tmp_path / "a のコピー.xlsx"
    copy.write_bytes(f.read_bytes())
    results = hq.hq.importer().import_paths([f, copy, f])
    assert [r.status for r in results] == ["imported", "already_imported"]  # the same path once
    assert results[1].rows_imported == 0 and "a.xlsx" in results[1].warnings[0]
    assert committed_count(hq, "SELECT count(*) FROM hq_rows") == 2


def test_duplicates_between_files_of_one_batch_are_found(pair, tmp_path):
    hq, (chuo, kita) = pair
    first = chuo.write_export(tmp_path / "1.xlsx", [row("shared@example.jp")])
    second = kita.write_export(tmp_path / "2.xlsx", [row("shared@example.jp", station="北警察署"),
                                                     row("sharecl@example.jp", station="北警察署")])
    results = hq.hq.importer().import_paths([first, second])
    assert [r.duplicates for r in results] == [0, 2]
    rows = {(r.account_id, r.station): r for r in hq.hq.rows.query(limit=10)}
    assert [d["kind"] for d in rows["shared@example.jp", "北警察署"].dups] == ["other_station"]
    assert [d["kind"] for d in rows["sharecl@example.jp", "北警察署"].dups] == ["confusable"]  # cl looks like d
    # the earlier row learns of both, in the same batch
    assert sorted(d["kind"] for d in rows["shared@example.jp", "中央警察署"].dups) == ["confusable", "other_station"]
