"""Duplicate lookups go through the skeleton index alone (m006 dropped the account_id index): an
HQ database that already held rows before m006, or whose skeletons were stored by older rules, must
still find exact and look-alike duplicates."""
from __future__ import annotations

import sqlite3

import sqlite_utils

from desktop_app.hq import skeleton as skeleton_module
from desktop_app.hq.checks import DuplicateFinder
from desktop_app.hq.skeleton import rules_fingerprint, skeleton
from desktop_app.storage import open_database
from desktop_app.storage.migrations import MIGRATIONS
from desktop_app.storage.received_repo import ReceivedRepo

AT = "2026-11-20T10:00:00+09:00"


def _seed(conn, rows: list[tuple[str, str | None]]) -> None:
    """Rows as an older Teishi stored them: (account_id, skeleton as then computed)."""
    conn.execute("INSERT INTO hq_files (id, file_hash, file_name, kind, signed, status, received_at) "
                 "VALUES (1, 'h', 'f.xlsx', 'station_export', 1, 'imported', ?)", [AT])
    conn.executemany("INSERT INTO hq_rows (row_id, file_id, position, account_id, account_id_raw, skeleton, station, "
                     "status, received_at) VALUES (?, 1, ?, ?, ?, ?, '第1警察署', 'sent', ?)",
                     [(f"r{i}", i + 1, aid, aid, sk, AT) for i, (aid, sk) in enumerate(rows)])


def _kinds(dups) -> list[tuple[str, str]]:
    return sorted((d.kind, d.account_id) for d in dups)


def test_a_database_with_rows_from_before_m006_still_finds_exact_and_lookalike_duplicates(tmp_path):
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path, isolation_level=None)
    MIGRATIONS.apply(sqlite_utils.Database(conn), stop_before="m006_hq_rows_lookup_by_skeleton")
    # the second row's skeleton is what some older rule made of it; the third has none at all
    _seed(conn, [("yamada01@example.jp", skeleton("yamada01@example.jp")),
                 ("tanaka@example.jp", "stale-skeleton"),
                 ("suzuki@example.jp", None)])
    conn.close()

    database = open_database(path)
    try:
        indexes = {r[0] for r in database.conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
        assert "idx_hq_rows_account_id" not in indexes and "idx_hq_rows_skeleton" in indexes
        finder = DuplicateFinder(ReceivedRepo(database))
        assert _kinds(finder.lookup("yamada01@example.jp")) == [("sent", "yamada01@example.jp")]
        assert _kinds(finder.lookup("yamadaO1@example.jp")) == [("confusable", "yamada01@example.jp")]
        # found only because the stale and missing skeletons were recomputed
        assert _kinds(finder.lookup("tanaka@example.jp")) == [("sent", "tanaka@example.jp")]
        assert _kinds(finder.lookup("suzukl@example.jp")) == [("confusable", "suzuki@example.jp")]
        assert database.scalar("SELECT value FROM hq_meta WHERE key = 'skeleton_rules'") == rules_fingerprint()
    finally:
        database.close()


def test_a_change_of_the_skeleton_rules_recomputes_the_stored_skeletons_once(tmp_path, monkeypatch):
    database = open_database(tmp_path / "hq.db")
    try:
        repo = ReceivedRepo(database)
        DuplicateFinder(repo)  # an empty HQ: the current rules are recorded
        with database.transaction():
            _seed(database.conn, [("kato1@example.jp", skeleton("kato1@example.jp"))])
        assert repo.refresh_skeletons(skeleton, rules_fingerprint()) is None  # current: nothing read

        # new rules (here: "k" also looks like "x"): the stored skeleton no longer matches the one a
        # lookup computes, and would hide the exact duplicate if it were not recomputed
        def new_rules(text):
            return skeleton(text).replace("k", "x")
        monkeypatch.setattr("desktop_app.hq.checks.skeleton", new_rules)
        monkeypatch.setattr("desktop_app.hq.checks.rules_fingerprint", lambda: "new-rules")
        finder = DuplicateFinder(repo)
        assert _kinds(finder.lookup("kato1@example.jp")) == [("sent", "kato1@example.jp")]
        assert database.scalar("SELECT skeleton FROM hq_rows") == "xatol@example.jp"
        assert repo.refresh_skeletons(new_rules, "new-rules") is None
    finally:
        database.close()


def test_the_fingerprint_follows_what_the_rules_do(monkeypatch):
    assert skeleton_module._rules_fingerprint() == rules_fingerprint()
    monkeypatch.setattr(skeleton_module, "_SEQUENCES", skeleton_module._SEQUENCES[:-1])  # drop cl → d
    assert skeleton_module._rules_fingerprint() != rules_fingerprint()
