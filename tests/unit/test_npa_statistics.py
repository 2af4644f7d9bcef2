"""Statistics against a hand-counted fixture (the counts in the comments were made by hand).

Rows (row, account, prefecture, station, 類型, 認知日, requested, outcome of the account):
  r1 a1 大阪府 中央署 投資   03-01 03-05  a1 利用停止 03-10
  r2 a2 大阪府 北署   ロマンス 03-02 03-05  a2 削除 03-08
  r3 a3 東京都 新宿署 特殊   03-10 03-12  a3 措置なし 03-20
  r4 a4 東京都 新宿署 投資   04-01 04-03  a4 (no answer)
  r5 a1 東京都 渋谷署 投資   03-03 03-06  (the same account as r1: a national duplicate)
  r6 a5 北海道 札幌署 特殊   04-10 04-11  a5 確認中
  r7 a6 大阪府 中央署 特殊   04-02 04-06  mistaken on 04-07 → withdrawn
"""
from __future__ import annotations

import datetime as dt

import pytest

from desktop_app.npa.statistics import StatsFilter, compute
from desktop_app.storage import open_database
from desktop_app.storage.outcomes_repo import OutcomesRepo

INV, ROM, SPE = "SNS型投資詐欺", "SNS型ロマンス詐欺", "特殊詐欺"
PREF_CODES = {"北海道": "01", "東京都": "13", "大阪府": "27"}
ROWS = [
    ("r1", "a1@x.jp", "大阪府", "中央警察署", INV, "2026-03-01", "2026-03-05", None),
    ("r2", "a2@x.jp", "大阪府", "北警察署", ROM, "2026-03-02", "2026-03-05", None),
    ("r3", "a3@x.jp", "東京都", "新宿警察署", SPE, "2026-03-10", "2026-03-12", None),
    ("r4", "a4@x.jp", "東京都", "新宿警察署", INV, "2026-04-01", "2026-04-03", None),
    ("r5", "a1@x.jp", "東京都", "渋谷警察署", INV, "2026-03-03", "2026-03-06", None),
    ("r6", "a5@x.jp", "北海道", "札幌中央警察署", SPE, "2026-04-10", "2026-04-11", None),
    ("r7", "a6@x.jp", "大阪府", "中央警察署", SPE, "2026-04-02", "2026-04-06", "2026-04-07"),
]
OUTCOMES = [("a1@x.jp", "suspended", "2026-03-10"), ("a2@x.jp", "deleted", "2026-03-08"),
            ("a3@x.jp", "no_action", "2026-03-20"), ("a5@x.jp", "pending", None)]


@pytest.fixture
def rows():
    database = open_database(None)
    repo = OutcomesRepo(database)
    with database.transaction():
        repo.upsert_requests([
            {"row_id": rid, "account_id": acc, "prefecture": pref, "prefecture_code": PREF_CODES[pref],
             "station": st, "case_type": ct, "recognized_on": rec, "requested_on": req, "mistaken_on": mis}
            for rid, acc, pref, st, ct, rec, req, mis in ROWS
        ])
        for acc, outcome, day in OUTCOMES:
            repo.set_outcome(acc, outcome, day, recorded_at="2026-05-01T10:00:00+09:00", recorded_by=None,
                             source="test")
    yield repo.requests_with_outcomes()
    database.close()


def figures(table):
    return {g.label: (g.requested, g.suspended, g.deleted, g.no_action, g.pending, g.rate, g.withdrawn)
            for g in table.groups}


def test_national_total_counts_each_account_once(rows):
    t = compute(rows, "prefecture").total
    # a1..a5 requested (a1 twice, counted once); a6 withdrawn
    assert (t.requested, t.acted, t.suspended, t.deleted, t.no_action, t.pending, t.withdrawn) == (5, 2, 1, 1, 1, 2, 1)
    assert t.rate == 40.0
    # 認知→依頼 per account: a1 4 (03-01→03-05), a2 3, a3 2, a4 2, a5 1
    assert sorted(t.days_to_request) == [1, 2, 2, 3, 4]
    assert (t.median_days_to_request, t.mean_days_to_request) == (2.0, 2.4)
    # 依頼→結果: a1 5, a2 3, a3 8 (pending and unanswered accounts have no duration)
    assert (t.median_days_to_outcome, t.mean_days_to_outcome) == (5.0, 5.3)


def test_by_prefecture_in_jis_order_and_duplicate_counted_in_both(rows):
    table = compute(rows, "prefecture")
    assert [g.label for g in table.groups] == ["北海道", "東京都", "大阪府"]
    assert figures(table) == {
        "北海道": (1, 0, 0, 0, 1, 0.0, 0),
        "東京都": (3, 1, 0, 1, 1, 33.3, 0),
        "大阪府": (2, 1, 1, 0, 0, 100.0, 1),
    }
    tokyo = table.groups[1]
    # a3 2, a4 2, a1 3 (03-03→03-06); outcomes a3 8, a1 4 (03-06→03-10)
    assert (tokyo.median_days_to_request, tokyo.mean_days_to_request) == (2.0, 2.3)
    assert (tokyo.median_days_to_outcome, tokyo.mean_days_to_outcome) == (6.0, 6.0)
    assert sum(g.requested for g in table.groups) == 6 > table.total.requested


def test_by_month_uses_request_date_and_wareki_labels(rows):
    table = compute(rows, "month")
    assert figures(table) == {
        "令和8年3月": (3, 1, 1, 1, 0, 66.7, 0),
        "令和8年4月": (2, 0, 0, 0, 2, 0.0, 1),
    }


def test_by_case_type_in_configured_order(rows):
    table = compute(rows, "case_type")
    assert figures(table) == {INV: (2, 1, 0, 0, 1, 50.0, 0), ROM: (1, 0, 1, 0, 0, 100.0, 0),
                              SPE: (2, 0, 0, 1, 1, 0.0, 1)}
    assert [g.label for g in table.groups] == [INV, ROM, SPE]


def test_by_station(rows):
    table = compute(rows, "station")
    f = figures(table)
    assert f["中央警察署"] == (1, 1, 0, 0, 0, 100.0, 1)
    assert f["新宿警察署"] == (2, 0, 0, 1, 1, 0.0, 0)
    assert len(f) == 5


def test_filters_on_prefecture_and_dates(rows):
    tokyo = compute(rows, "month", StatsFilter(prefecture="東京都"))
    assert figures(tokyo) == {"令和8年3月": (2, 1, 0, 1, 0, 50.0, 0), "令和8年4月": (1, 0, 0, 0, 1, 0.0, 0)}
    march = compute(rows, "prefecture", StatsFilter(date_from=dt.date(2026, 3, 1), date_to=dt.date(2026, 3, 31)))
    assert march.total.requested == 3 and march.total.withdrawn == 0
    assert compute(rows, "month", StatsFilter(case_type=ROM)).total.requested == 1


def test_empty_selection_has_no_rate_rather_than_zero(rows):
    t = compute(rows, "month", StatsFilter(prefecture="沖縄県")).total
    assert t.requested == 0 and t.rate is None and t.median_days_to_outcome is None


def test_changing_an_outcome_moves_the_account_everywhere():
    database = open_database(None)
    repo = OutcomesRepo(database)
    with database.transaction():
        repo.upsert_requests([{"row_id": "x", "account_id": "b@x.jp", "prefecture": "大阪府",
                               "requested_on": "2026-05-01", "recognized_on": "2026-04-30"}])
        repo.set_outcome("b@x.jp", "pending", None, recorded_at="t", recorded_by=None, source="hand")
    assert compute(repo.requests_with_outcomes()).total.pending == 1
    with database.transaction():
        repo.set_outcome("b@x.jp", "deleted", "2026-05-04", recorded_at="t2", recorded_by=None, source="hand")
    t = compute(repo.requests_with_outcomes()).total
    assert (t.pending, t.deleted, t.rate, t.mean_days_to_outcome) == (0, 1, 100.0, 3.0)
