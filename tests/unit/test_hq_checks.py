"""HQ re-checks every row and shows duplicates of every kind (never drops them)."""
from __future__ import annotations

import datetime as dt

import pytest

from desktop_app.hq.checks import DuplicateFinder
from desktop_app.hq.skeleton import skeleton
from desktop_app.hq.statuses import RowStatus
from desktop_app.storage.received_repo import ReceivedRepo
from tests.hq_support import row


@pytest.mark.parametrize("a,b", [
    ("fraud01@example.com", "fraudol@example.com"),  # 0/o and 1/l
    ("rnike@works.jp", "mike@works.jp"),  # rn/m
    ("vvolf@works.jp", "wolf@works.jp"),  # vv/w
    ("a_b@works.jp", "a-b@works.jp"),  # _/-
    ("ｆｒａｕｄ@works.jp", "fraud@works.jp"),  # full width: the same ID after normalisation
    ("pаypal@works.jp", "paypal@works.jp"),  # Cyrillic а
    ("i1l@x", "lll@x"),
])
def test_confusable_ids_share_a_skeleton(a, b):
    assert skeleton(a) == skeleton(b)


@pytest.mark.parametrize("a,b", [("fraud@works.jp", "fraub@works.jp"), ("abc@x", "abd@x"), ("ab@x", "ab@y")])
def test_different_ids_do_not(a, b):
    assert skeleton(a) != skeleton(b)


def dup_kinds(r):
    return sorted(d["kind"] for d in r.dups)


def test_every_kind_of_duplicate_is_shown_on_both_rows(pair, tmp_path):
    hq, (chuo, kita) = pair
    # day 1: chuo sends an ID; HQ confirms and sends it to the NPA
    hq.hq.importer().import_paths([chuo.write_export(tmp_path / "d1.xlsx", [row("sent-1@example.jp")])])
    r = hq.hq.rows.query()[0]
    hq.hq.rows.confirm([r.rid], None)
    officer = hq.ctx.officers.add("2001", "本部花子", "2222")
    hq.hq.aggregation.aggregate(hq.today, tmp_path / "agg.xlsx", officer_id=officer.id)
    hq.today = hq.today + dt.timedelta(days=3)
    # day 2: chuo sends one file, kita another
    hq.hq.importer().import_paths([chuo.write_export(tmp_path / "c.xlsx", [
        row("twice@example.jp"), row("TWICE@example.jp"), row("both@example.jp"), row("sent-1@example.jp"),
        row("l00k@example.jp")])])
    hq.hq.importer().import_paths([kita.write_export(tmp_path / "k.xlsx", [
        row("both@example.jp", station="北警察署"), row("look@example.jp", station="北警察署")])])
    rows = {(r.station, r.position): r for r in hq.hq.rows.query(limit=100) if r.status != RowStatus.SENT}
    assert dup_kinds(rows["中央警察署", 1]) == ["in_file"]  # the first occurrence learns of the second
    assert dup_kinds(rows["中央警察署", 2]) == ["in_file"]
    assert "1番" in rows["中央警察署", 2].dups[0]["message"]
    assert dup_kinds(rows["中央警察署", 3]) == ["other_station"]
    assert dup_kinds(rows["北警察署", 1]) == ["other_station"]
    assert "中央警察署" in rows["北警察署", 1].dups[0]["message"]
    sent = rows["中央警察署", 4].dups[0]
    assert sent["kind"] == "sent"
    assert "令和8年11月" in sent["message"] and "本部花子" in sent["message"]  # when and by whom
    assert dup_kinds(rows["北警察署", 2]) == ["confusable"] and dup_kinds(rows["中央警察署", 5]) == ["confusable"]
    assert "l00k@example.jp" in rows["北警察署", 2].dups[0]["message"]
    assert all(r.problem for r in rows.values())  # shown, counted, nothing dropped
    assert len(rows) == 7


def test_same_station_resending_an_id_is_flagged(pair, tmp_path):
    hq, (chuo, _) = pair
    hq.hq.importer().import_paths([chuo.write_export(tmp_path / "1.xlsx", [row("x1@example.jp")])])
    [res] = hq.hq.importer().import_paths([chuo.write_export(tmp_path / "2.xlsx", [row("x1@example.jp")])])
    assert res.duplicates == 1
    newest = hq.hq.rows.query(order_by="rid", descending=True)[0]
    assert dup_kinds(newest) == ["same_station"]


def test_rows_are_validated_again_at_hq(pair, tmp_path):
    hq, (chuo, _) = pair
    f = chuo.write_export(tmp_path / "a.xlsx", [
        row("ok-1@example.jp"),
        row("ok-2@example.jp", station="存在しない警察署"),
        row("ok-3@example.jp", recognized_on="2027-01-05"),  # in the future for HQ's today
        row("x@example.jp"),  # local part too short
    ])
    [res] = hq.hq.importer().import_paths([f])
    assert res.status == "imported" and res.row_problems == 3
    rows = hq.hq.rows.query(order_by="position")
    assert rows[0].errors == 0
    assert "警察署一覧にありません" in rows[1].issues[0]["message"]
    assert "未来の日付" in rows[2].issues[0]["message"]
    assert rows[3].errors == 1
    from desktop_app.services.errors import NotAllowed

    with pytest.raises(NotAllowed, match="誤りがあります"):
        hq.hq.rows.confirm([rows[1].rid], None)


def test_duplicate_lookup_uses_the_indexes(pair):
    """The query a file's duplicate candidates come from searches indexes only (a scan would take
    seconds at a million rows): skeleton (exact IDs share it) and row_id."""
    hq, _ = pair
    conn = hq.ctx.database.db.conn
    finder = DuplicateFinder(ReceivedRepo(hq.ctx.database))
    seen: list[str] = []
    conn.set_trace_callback(seen.append)
    try:
        finder.candidates([{"account_id": "a1@example.jp", "skeleton": "al@example.jp"}], row_ids=["r1"])
    finally:
        conn.set_trace_callback(None)
    selects = [q for q in seen if q.lstrip().upper().startswith("SELECT") and "hq_rows" in q]
    assert len(selects) == 1
    plan = " | ".join(r[-1] for r in conn.execute("EXPLAIN QUERY PLAN " + selects[0]).fetchall())
    assert "idx_hq_rows_skeleton" in plan and "idx_hq_rows_row_id" in plan
    assert "SCAN hq_rows" not in plan
    assert DuplicateFinder(ReceivedRepo(hq.ctx.database)).lookup("nobody@example.jp") == []
