"""Rows of the 別添 form: created, edited, deleted, pasted and handed on, every change written and audited."""
from __future__ import annotations

import pytest

from desktop_app.context import AppContext
from desktop_app.entry import Status
from desktop_app.services.errors import NotAllowed, ServiceError
from desktop_app.storage.entries_repo import EntriesRepo

from tests.conftest import TODAY

GOOD = {
    "account_id": "taro.yamada@example.co.jp",
    "user_name": "★投資の先生★",
    "organization": "株式会社サンプル",
    "case_type": "SNS型投資詐欺",
    "station": "中央警察署",
    "recognized_on": "令和8年11月2日",
}


@pytest.fixture
def a(officers):
    return officers["1001"].id


@pytest.fixture
def b(officers):
    return officers["1002"].id


def _audit(ctx, entry_id):
    return [r for r in ctx.audit.rows(entity_id=entry_id) if r["entity"] == "entry"]


def _set_status(ctx, entry_id, status):
    # what the export and verification services do; the entry service itself has no shortcut
    with ctx.database.transaction():
        EntriesRepo(ctx.database).update(entry_id, {"status": status.value})


# ---- create ----------------------------------------------------------------------------------
def test_create_records_who_and_defaults_the_station(station_ctx, a):
    e = station_ctx.entries.create(a, {"account_id": "ＴＡＲＯ＠ｅｘａｍｐｌｅ．ｃｏ．ｊｐ"})
    assert e.entered_by == a and e.status == Status.DRAFT
    assert e.station == "中央警察署"
    got = station_ctx.entries.get(e.id)
    assert got.account_id == "taro@example.co.jp"
    assert got.account_id_raw == "ＴＡＲＯ＠ｅｘａｍｐｌｅ．ｃｏ．ｊｐ"  # what was typed, kept as evidence
    rows = _audit(station_ctx, e.id)
    assert [r["action"] for r in rows] == ["entry.create"] and rows[0]["officer_id"] == a
    assert rows[0]["detail"]["account_id_raw"] == "ＴＡＲＯ＠ｅｘａｍｐｌｅ．ｃｏ．ｊｐ"


def test_numbers_follow_the_order_of_entry(station_ctx, a):
    ids = [station_ctx.entries.create(a, {"account_id": f"user{i}@x"}).id for i in range(3)]
    assert [e.id for e in station_ctx.entries.list()] == ids
    positions = [e.position for e in station_ctx.entries.list()]
    assert positions == sorted(positions) and len(set(positions)) == 3


def test_names_kept_exactly_as_typed(station_ctx, a):
    e = station_ctx.entries.create(a, {"user_name": " 𝓣𝓪𝓻𝓸💰ﾀﾛｳ ", "organization": "ＡＢＣ　商事"})
    got = station_ctx.entries.get(e.id)
    assert got.user_name == "𝓣𝓪𝓻𝓸💰ﾀﾛｳ"  # decorative characters are evidence
    assert got.organization == "ＡＢＣ　商事"


def test_date_stored_as_iso_with_the_typed_text(station_ctx, a):
    e = station_ctx.entries.create(a, {"recognized_on": "R8.3.23"})
    assert (e.recognized_on, e.recognized_on_text) == ("2026-03-23", "R8.3.23")
    bad = station_ctx.entries.create(a, {"recognized_on": "令和8年2月30日"})
    assert bad.recognized_on is None and bad.recognized_on_text == "令和8年2月30日"
    issues = [i for i in station_ctx.entries.issues(bad) if i.column == "recognized_on"]
    assert issues and issues[0].is_error and "存在しない日付" in issues[0].message


def test_case_type_label_is_split_into_type_and_refinement(station_ctx, a):
    e = station_ctx.entries.create(a, {"case_type": "オレオレ詐欺"})
    assert (e.case_type, e.refinement) == ("特殊詐欺", "オレオレ詐欺")


def test_complete_row_has_no_issue(station_ctx, a):
    e = station_ctx.entries.create(a, GOOD)
    assert station_ctx.entries.issues(e) == []


def test_unknown_column_refused(station_ctx, a):
    with pytest.raises(ServiceError):
        station_ctx.entries.create(a, {"password": "x"})
    assert station_ctx.entries.list() == []


# ---- update ----------------------------------------------------------------------------------
def test_update_is_written_at_once_and_survives_a_restart(station_ctx, a, b):
    e = station_ctx.entries.create(a, GOOD)
    station_ctx.entries.update(b, e.id, {"user_name": "山田　花子", "account_id": "hanako@d－lighted"})
    root = station_ctx.data_dir
    station_ctx.close()
    again = AppContext.open(root, today=lambda: TODAY)
    try:
        got = again.entries.get(e.id)
        assert got.user_name == "山田　花子"
        assert (got.account_id, got.account_id_raw) == ("hanako@d-lighted", "hanako@d－lighted")
        rows = _audit(again, e.id)
        assert [r["action"] for r in rows] == ["entry.create", "entry.update"]
        upd = rows[1]
        assert upd["officer_id"] == b  # who changed it, not who created it
        assert upd["detail"]["before"]["user_name"] == "★投資の先生★"
        assert upd["detail"]["after"]["user_name"] == "山田　花子"
        assert again.audit.verify_chain() is None
    finally:
        again.close()


def test_update_without_a_change_writes_nothing(station_ctx, a):
    e = station_ctx.entries.create(a, GOOD)
    station_ctx.entries.update(a, e.id, {"user_name": "★投資の先生★", "account_id": "taro.yamada@example.co.jp"})
    assert [r["action"] for r in _audit(station_ctx, e.id)] == ["entry.create"]


def test_changing_a_verified_id_unverifies_the_row(station_ctx, a, b):
    e = station_ctx.entries.create(a, GOOD)
    _set_status(station_ctx, e.id, Status.VERIFIED)
    # the same ID typed full-width is still the same ID: the check still holds
    same = station_ctx.entries.update(a, e.id, {"account_id": "ＴＡＲＯ．ＹＡＭＡＤＡ＠ＥＸＡＭＰＬＥ．ＣＯ．ＪＰ"})
    assert same.status == Status.VERIFIED
    changed = station_ctx.entries.update(a, e.id, {"account_id": "tar0.yamada@example.co.jp"})
    assert changed.status == Status.DRAFT and changed.verified_by is None
    last = _audit(station_ctx, e.id)[-1]
    assert (last["detail"]["status_before"], last["detail"]["status_after"]) == ("verified", "draft")


@pytest.mark.parametrize("status", [Status.EXPORTED])
def test_exported_row_cannot_be_edited_or_deleted(station_ctx, a, status):
    e = station_ctx.entries.create(a, GOOD)
    _set_status(station_ctx, e.id, status)
    with pytest.raises(NotAllowed, match="送付済み"):
        station_ctx.entries.update(a, e.id, {"user_name": "改ざん"})
    with pytest.raises(NotAllowed, match="送付済み.*削除できません"):
        station_ctx.entries.delete(a, e.id)
    got = station_ctx.entries.get(e.id)
    assert got.user_name == "★投資の先生★" and got.status == status
    assert [r["action"] for r in _audit(station_ctx, e.id)] == ["entry.create"]


def test_verified_row_cannot_be_deleted(station_ctx, a):
    e = station_ctx.entries.create(a, GOOD)
    _set_status(station_ctx, e.id, Status.VERIFIED)
    with pytest.raises(NotAllowed):
        station_ctx.entries.delete(a, e.id)


# ---- delete ----------------------------------------------------------------------------------
def test_draft_can_be_deleted_and_the_audit_keeps_what_it_was(station_ctx, a, b):
    keep = station_ctx.entries.create(a, {"account_id": "keep@x"})
    e = station_ctx.entries.create(a, GOOD)
    station_ctx.entries.delete(b, e.id)
    assert [x.id for x in station_ctx.entries.list()] == [keep.id]
    with pytest.raises(ServiceError, match="見つかりません"):
        station_ctx.entries.get(e.id)
    last = _audit(station_ctx, e.id)[-1]
    assert last["action"] == "entry.delete" and last["officer_id"] == b
    assert last["detail"]["account_id"] == "taro.yamada@example.co.jp"


def test_a_new_row_after_a_delete_gets_a_free_number(station_ctx, a):
    first = station_ctx.entries.create(a, {})
    second = station_ctx.entries.create(a, {})
    station_ctx.entries.delete(a, second.id)
    third = station_ctx.entries.create(a, {})
    assert third.position > first.position


# ---- mark ready --------------------------------------------------------------------------------
def test_mark_ready_hands_a_clean_row_on(station_ctx, a):
    e = station_ctx.entries.create(a, GOOD)
    ready = station_ctx.entries.mark_ready(a, e.id)
    assert ready.status == Status.AWAITING
    last = _audit(station_ctx, e.id)[-1]
    assert last["action"] == "entry.ready" and last["officer_id"] == a


def test_row_with_an_error_cannot_be_marked_ready(station_ctx, a):
    e = station_ctx.entries.create(a, {**GOOD, "account_id": "taro..yamada@example.co.jp"})
    with pytest.raises(NotAllowed, match="エラーのある行.*ドット"):
        station_ctx.entries.mark_ready(a, e.id)
    assert station_ctx.entries.get(e.id).status == Status.DRAFT
    assert [r["action"] for r in _audit(station_ctx, e.id)] == ["entry.create"]


def test_future_date_blocks_and_old_date_only_warns(station_ctx, a):
    future = station_ctx.entries.create(a, {**GOOD, "recognized_on": "令和8年11月21日"})
    with pytest.raises(NotAllowed, match="未来"):
        station_ctx.entries.mark_ready(a, future.id)
    old = station_ctx.entries.create(a, {**GOOD, "recognized_on": "令和6年4月1日"})
    assert [i.is_error for i in station_ctx.entries.issues(old)] == [False]
    assert station_ctx.entries.mark_ready(a, old.id).status == Status.AWAITING


def test_confusable_warning_does_not_block(station_ctx, a):
    e = station_ctx.entries.create(a, {**GOOD, "account_id": "al1ce0@example.com"})
    issues = station_ctx.entries.issues(e)
    assert issues and not any(i.is_error for i in issues)
    assert station_ctx.entries.mark_ready(a, e.id).status == Status.AWAITING


def test_station_not_in_the_list_blocks(station_ctx, a):
    e = station_ctx.entries.create(a, {**GOOD, "station": "存在しない警察署"})
    with pytest.raises(NotAllowed, match="警察署一覧にありません"):
        station_ctx.entries.mark_ready(a, e.id)


# ---- paste ----------------------------------------------------------------------------------
BLOCK = [
    ["ＳＡＴＯ＠ｄ－ｌｉｇｈｔｅｄ", "佐藤", "", "SNS型ロマンス詐欺", "北警察署", "R8.10.1"],
    ["\u200bsuzuki@example.co.jp ", "鈴木", "鈴木商事", "特殊詐欺(還付金詐欺)", "中央警察署", "2026/10/2"],
    ["kato@example.com", "加藤", "", "SNS型投資詐欺", "中央警察署", "8.10.3"],
]


def test_paste_several_rows_creates_them(station_ctx, a):
    rows = station_ctx.entries.paste(a, None, "account_id", BLOCK)
    assert [e.account_id for e in rows] == ["sato@d-lighted", "suzuki@example.co.jp", "kato@example.com"]
    assert rows[0].account_id_raw == "ＳＡＴＯ＠ｄ－ｌｉｇｈｔｅｄ"
    assert [e.recognized_on for e in rows] == ["2026-10-01", "2026-10-02", "2026-10-03"]
    assert rows[1].refinement == "還付金詐欺"
    assert not any(i.is_error for e in rows for i in station_ctx.entries.issues(e))
    assert len(station_ctx.entries.list()) == 3
    assert {r["officer_id"] for e in rows for r in _audit(station_ctx, e.id)} == {a}


def test_paste_over_existing_rows_then_adds_new_ones(station_ctx, a, b):
    first = station_ctx.entries.create(a, {"account_id": "old1@x", "user_name": "旧一"})
    second = station_ctx.entries.create(a, {"account_id": "old2@x", "user_name": "旧二"})
    # paste two columns (ユーザー名, 企業/団体名) from the second row down, three rows long
    station_ctx.entries.paste(b, second.id, "user_name", [["新二", "会社二"], ["新三", "会社三"], ["新四", ""]])
    rows = station_ctx.entries.list()
    assert [e.user_name for e in rows] == ["旧一", "新二", "新三", "新四"]
    assert rows[0].id == first.id and rows[1].id == second.id
    assert rows[1].account_id == "old2@x"  # columns left of the paste are untouched
    assert rows[1].organization == "会社二"
    assert _audit(station_ctx, second.id)[-1]["officer_id"] == b


def test_paste_does_not_overwrite_an_exported_row(station_ctx, a):
    sent = station_ctx.entries.create(a, GOOD)
    _set_status(station_ctx, sent.id, Status.EXPORTED)
    station_ctx.entries.paste(a, sent.id, "user_name", [["上書き"]])
    assert station_ctx.entries.get(sent.id).user_name == "★投資の先生★"
    assert len(station_ctx.entries.list()) == 2


def test_paste_is_all_or_nothing(station_ctx, a, monkeypatch):
    station_ctx.entries.create(a, {"account_id": "keep@x"})
    repo = station_ctx.entries._repo
    real_insert = repo.insert
    calls = []

    def failing_insert(row):
        calls.append(row)
        if len(calls) == 3:
            raise OSError("disk full")
        real_insert(row)

    monkeypatch.setattr(repo, "insert", failing_insert)
    before_audit = station_ctx.database.db["audit_log"].count
    with pytest.raises(OSError):
        station_ctx.entries.paste(a, None, "account_id", BLOCK)
    assert [e.account_id for e in station_ctx.entries.list()] == ["keep@x"]
    assert station_ctx.database.db["audit_log"].count == before_audit


def test_paste_refuses_a_huge_block_and_a_wrong_column(station_ctx, a):
    with pytest.raises(ServiceError, match="5000行"):
        station_ctx.entries.paste(a, None, "account_id", [["x@y"]] * 5001)
    with pytest.raises(ServiceError):
        station_ctx.entries.paste(a, None, "number", [["1"]])
    assert station_ctx.entries.list() == []


def test_cells_beyond_the_last_column_are_ignored(station_ctx, a):
    rows = station_ctx.entries.paste(a, None, "recognized_on", [["R8.10.1", "余分", "もっと余分"]])
    assert rows[0].recognized_on == "2026-10-01"
