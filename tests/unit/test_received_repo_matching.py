"""The import's one-query candidate lookup returns exactly what the per-column lookups return
(same rows, rid order, superseded rows left out), for a normal file and for one too big for a
single query."""
from __future__ import annotations

import pytest

from desktop_app.hq.skeleton import skeleton
from desktop_app.storage.database import open_database
from desktop_app.storage.received_repo import ReceivedRepo


@pytest.fixture
def repo():
    database = open_database(None)
    r = ReceivedRepo(database)
    with database.transaction():
        fid = r.insert_file({"file_hash": "h", "file_name": "f.xlsx", "kind": "station_export", "signed": 1,
                             "status": "imported", "received_at": "2026-11-20T10:00:00+09:00"})
        rows = []
        for i in range(1200):
            aid = f"user{i % 700}@example.jp" if i % 5 else f"userO{i}@example.jp".lower()
            rows.append({"row_id": f"r{i % 900}", "file_id": fid, "position": i, "account_id": aid,
                         "account_id_raw": aid, "skeleton": skeleton(aid),
                         "status": "superseded" if i % 11 == 0 else "received",
                         "received_at": "2026-11-20T10:00:00+09:00"})
        r.insert_rows(rows)
    yield r
    database.close()


def _per_column(repo, criteria):
    merged = {}
    for column, values in criteria.items():
        for row in repo.rows_with(column, values, exclude_statuses=("superseded",)):
            merged[row["rid"]] = row
    return [merged[k] for k in sorted(merged)]


@pytest.mark.parametrize("n", [20, 400])  # 400 per column: 1,200 values, more than one query may hold
def test_rows_matching_equals_the_per_column_lookups(repo, n):
    criteria = {"account_id": [f"user{i * 3}@example.jp" for i in range(n)] + [None, ""],
                "skeleton": [skeleton(f"user0{i}@example.jp") for i in range(n)],
                "row_id": [f"r{i * 7}" for i in range(n)]}
    got = repo.rows_matching(criteria, exclude_statuses=("superseded",))
    expected = _per_column(repo, criteria)
    assert got and [r["rid"] for r in got] == [r["rid"] for r in expected]
    assert got == expected
    assert all(r["status"] != "superseded" for r in got)


def test_rows_matching_with_nothing_to_look_for(repo):
    assert repo.rows_matching({"account_id": [None, ""], "skeleton": []}) == []
