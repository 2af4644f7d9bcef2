"""Blind second entry, adjudication, statistics and the export gate, as the station relies on them."""
from __future__ import annotations

import pytest

from desktop_app.entry import Status
from desktop_app.services.errors import AuthError, NotAllowed, ServiceError
from desktop_app.services.verification import (
    HELD_AWAITING, HELD_CONFLICT, HELD_DRAFT, HELD_ERRORS, Outcome,
)

ROW = {"account_id": "tanaka.hiroshi01@example.co.jp", "user_name": "田中 ひろし", "organization": "株式会社サンプル",
       "case_type": "SNS型投資詐欺", "station": "中央警察署", "recognized_on": "令和8年11月2日"}


@pytest.fixture
def svc(station_ctx):
    return station_ctx.verification


@pytest.fixture
def a(officers):
    return officers["1001"]


@pytest.fixture
def b(officers):
    return officers["1002"]


@pytest.fixture
def c(officers):
    return officers["1003"]


def ready_row(ctx, officer, **over):
    entry = ctx.entries.create(officer.id, {**ROW, **over})
    return ctx.entries.mark_ready(officer.id, entry.id)


def actions(ctx, entry_id):
    return [r["action"] for r in ctx.audit.rows(entity_id=entry_id)]


def test_match_verifies_row_and_stores_who_and_when(station_ctx, svc, a, b):
    e = ready_row(station_ctx, a)
    task = svc.start(e, b)
    assert [col.key for col in task.columns] == ["account_id"]
    # the verifier is shown the other fields but never the ID
    shown = dict(task.shown)
    assert shown["ユーザー名"] == "田中 ひろし" and shown["類型"] == "SNS型投資詐欺"
    assert shown["認知日"].startswith("令和8年11月2日")
    assert all("tanaka" not in v for _, v in task.shown)
    # typed full-width with capitals: equal after normalisation
    assert svc.submit(e, b, "account_id", "Ｔａｎａｋａ.Hiroshi01@example.co.jp") == Outcome.MATCH
    after = station_ctx.entries.get(e.id)
    assert after.status == Status.VERIFIED
    assert after.verified_by == b.id and after.verified_at
    # the difference the normalisation removed is named in the log
    attempt = next(r for r in station_ctx.audit.rows(entity_id=e.id) if r["action"] == "verify.attempt")
    assert attempt["detail"]["result"] == "match"
    assert any("全角と半角" in d for d in attempt["detail"]["raw_differences"])
    assert actions(station_ctx, e.id) == ["entry.create", "entry.ready", "verify.start", "verify.attempt",
                                          "verify.verified"]


def test_first_officer_may_not_verify_own_row(station_ctx, svc, a):
    e = ready_row(station_ctx, a)
    with pytest.raises(AuthError, match="入力者は確認者になれません"):
        svc.start(e, a)
    with pytest.raises(AuthError):
        svc.submit(e, a, "account_id", ROW["account_id"])
    assert station_ctx.entries.get(e.id).status == Status.AWAITING
    assert actions(station_ctx, e.id)[-2:] == ["verify.refused", "verify.refused"]


def test_officer_who_edited_the_id_may_not_verify_it(station_ctx, svc, a, b, c):
    e = station_ctx.entries.create(a.id, ROW)
    station_ctx.entries.update(b.id, e.id, {"account_id": "tanaka.hiroshi02@example.co.jp"})
    station_ctx.entries.mark_ready(a.id, e.id)
    with pytest.raises(AuthError):
        svc.start(e.id, b)
    assert [x.id for x in svc.queue(b)] == []
    assert [x.id for x in svc.queue(c)] == [e.id]


def test_draft_row_cannot_be_verified(station_ctx, svc, a, b):
    e = station_ctx.entries.create(a.id, ROW)
    with pytest.raises(NotAllowed, match="下書き"):
        svc.start(e, b)


def test_mismatch_says_nothing_of_the_first_value_and_slip_is_logged(station_ctx, svc, a, b):
    e = ready_row(station_ctx, a)
    result = svc.submit(e, b, "account_id", "tanaka.hiroshiO1@example.co.jp")
    assert result == Outcome.MISMATCH_RETRY and str(result) == "mismatch_retry"
    assert station_ctx.entries.get(e.id).status == Status.AWAITING
    assert svc.submit(e, b, "account_id", "tanaka.hiroshi01@example.co.jp") == Outcome.MATCH
    assert station_ctx.entries.get(e.id).status == Status.VERIFIED
    assert actions(station_ctx, e.id)[2:] == ["verify.attempt", "verify.attempt", "verify.slip_corrected",
                                              "verify.verified"]
    slip = [r for r in station_ctx.audit.rows(entity_id=e.id) if r["action"] == "verify.slip_corrected"][0]
    assert slip["detail"]["mismatched"] == ["tanaka.hiroshio1@example.co.jp"]


def test_empty_input_is_not_an_attempt(station_ctx, svc, a, b):
    e = ready_row(station_ctx, a)
    with pytest.raises(ServiceError, match="入力してください"):
        svc.submit(e, b, "account_id", "   ")
    assert "verify.attempt" not in actions(station_ctx, e.id)


def test_same_wrong_value_twice_goes_to_adjudication(station_ctx, svc, a, b):
    e = ready_row(station_ctx, a)
    assert svc.submit(e, b, "account_id", "tanaka.hiroshiO1@example.co.jp") == Outcome.MISMATCH_RETRY
    # the same value after normalisation counts as the same
    assert svc.submit(e, b, "account_id", "TANAKA.HIROSHIO1@example.co.jp ") == Outcome.CONFLICT
    assert station_ctx.entries.get(e.id).status == Status.CONFLICT
    assert svc.conflicts()[0].id == e.id
    with pytest.raises(NotAllowed):
        svc.submit(e, b, "account_id", "tanaka.hiroshi01@example.co.jp")


def test_three_different_wrong_values_also_go_to_adjudication(station_ctx, svc, a, b):
    e = ready_row(station_ctx, a)
    assert svc.submit(e, b, "account_id", "x1@example.co.jp") == Outcome.MISMATCH_RETRY
    assert svc.submit(e, b, "account_id", "x2@example.co.jp") == Outcome.MISMATCH_RETRY
    assert svc.submit(e, b, "account_id", "x3@example.co.jp") == Outcome.CONFLICT


def conflicted(ctx, svc, a, b):
    e = ready_row(ctx, a)
    svc.submit(e, b, "account_id", "tanaka.hiroshiO1@example.co.jp")
    svc.submit(e, b, "account_id", "tanaka.hiroshiO1@example.co.jp")
    return e


def test_adjudication_shows_both_values_and_names_the_confusion(station_ctx, svc, a, b, c):
    e = conflicted(station_ctx, svc, a, b)
    case = svc.open_conflict(e, c)
    assert case.first_raw == "tanaka.hiroshi01@example.co.jp"
    assert case.second_raw == "tanaka.hiroshiO1@example.co.jp"
    assert case.comparison.differences[0].description == "「0(ゼロ)とo(オー小文字)」"
    assert "英大文字を含む" in case.second_features
    assert [x.result for x in case.attempts] == ["mismatch", "repeat"]


@pytest.mark.parametrize("pick, expected_id, choice", [
    ("first", "tanaka.hiroshi01@example.co.jp", "first"),
    ("second", "tanaka.hiroshio1@example.co.jp", "second"),
])
def test_adjudication_each_way(station_ctx, svc, a, b, c, pick, expected_id, choice):
    e = conflicted(station_ctx, svc, a, b)
    case = svc.open_conflict(e, c)
    value = case.first_raw if pick == "first" else case.second_raw
    with pytest.raises(ServiceError, match="理由"):
        svc.adjudicate(e, c, "account_id", value, "  ")
    after = svc.adjudicate(e, c, "account_id", value, "被害者のスクリーンショットで確認")
    assert after.status == Status.VERIFIED and after.account_id == expected_id
    assert after.verified_by == c.id
    decision = [r for r in station_ctx.audit.rows(entity_id=e.id) if r["action"] == "verify.adjudicate"][0]
    assert decision["officer_id"] == c.id
    assert decision["detail"]["choice"] == choice
    assert decision["detail"]["reason"] == "被害者のスクリーンショットで確認"
    assert decision["detail"]["first_raw"] == "tanaka.hiroshi01@example.co.jp"
    assert actions(station_ctx, e.id) == [
        "entry.create", "entry.ready", "verify.attempt", "verify.attempt", "verify.conflict",
        "verify.adjudication_opened", "verify.adjudicate", "verify.verified"]
    assert station_ctx.audit.verify_chain() is None


def test_parties_may_not_adjudicate_unless_setting_allows(station_ctx, svc, a, b):
    e = conflicted(station_ctx, svc, a, b)
    for party in (a, b):
        with pytest.raises(AuthError, match="第三者"):
            svc.open_conflict(e, party)
        with pytest.raises(AuthError):
            svc.adjudicate(e, party, "account_id", "tanaka.hiroshi01@example.co.jp", "確認済み")
    station_ctx.settings.update({"adjudicator_may_be_party": True})
    after = svc.adjudicate(e, b, "account_id", "tanaka.hiroshi01@example.co.jp", "原本で確認")
    assert after.status == Status.VERIFIED


def test_adjudicated_value_must_be_a_valid_id(station_ctx, svc, a, b, c):
    e = conflicted(station_ctx, svc, a, b)
    with pytest.raises(ServiceError, match="使えません"):
        svc.adjudicate(e, c, "account_id", "tanaka@@example", "原本で確認")
    after = svc.adjudicate(e, c, "account_id", "tanaka.hiroshi07@example.co.jp", "原本で確認(どちらも誤り)")
    assert after.account_id == "tanaka.hiroshi07@example.co.jp"


def test_value_typed_by_the_adjudicator_is_verified_blind_again(station_ctx, svc, a, b, c):
    e = conflicted(station_ctx, svc, a, b)
    after = svc.adjudicate(e, c, "account_id", "tanaka.hiroshi07@example.co.jp", "原本で確認(どちらも誤り)")
    assert after.status == Status.AWAITING and after.verified_by is None
    # the adjudicator keyed it, so they may not check it; the earlier verifier may, blind
    with pytest.raises(AuthError):
        svc.start(e, c)
    assert svc.submit(e, b, "account_id", "tanaka.hiroshi07@example.co.jp") == Outcome.MATCH
    assert station_ctx.entries.get(e.id).status == Status.VERIFIED
    assert actions(station_ctx, e.id)[-5:] == ["verify.adjudicate", "verify.reverify", "verify.refused",
                                               "verify.attempt", "verify.verified"]


def test_editing_verified_id_unverifies_but_other_fields_keep_it(station_ctx, svc, a, b):
    e = ready_row(station_ctx, a)
    svc.submit(e, b, "account_id", ROW["account_id"])
    kept = station_ctx.entries.update(a.id, e.id, {"user_name": "田中ヒロシ"})
    assert kept.status == Status.VERIFIED
    # same ID typed full-width: the exported value is unchanged, so still verified
    kept = station_ctx.entries.update(a.id, e.id, {"account_id": "ｔａｎａｋａ.hiroshi01@example.co.jp"})
    assert kept.status == Status.VERIFIED
    reset = station_ctx.entries.update(a.id, e.id, {"account_id": "tanaka.hiroshi02@example.co.jp"})
    assert reset.status == Status.DRAFT and reset.verified_by is None
    updates = [r["detail"]["verification"] for r in station_ctx.audit.rows(entity_id=e.id)
               if r["action"] == "entry.update"]
    assert updates == ["kept", "kept", "reset"]
    # a new request starts afresh: the old match does not count
    station_ctx.entries.mark_ready(a.id, e.id)
    assert [c.key for c in svc.pending_columns(e.id)] == ["account_id"]
    assert svc.submit(e.id, b, "account_id", ROW["account_id"]) == Outcome.MISMATCH_RETRY


def test_names_double_entered_when_setting_on(station_ctx, svc, a, b):
    station_ctx.settings.update({"double_entry_names": True})
    e = ready_row(station_ctx, a)
    task = svc.start(e, b)
    assert [col.key for col in task.columns] == ["account_id", "user_name", "organization"]
    shown = dict(task.shown)
    assert shown["ユーザー名"] != ROW["user_name"] and shown["企業/団体名"] != ROW["organization"]
    assert svc.submit(e, b, "account_id", ROW["account_id"]) == Outcome.MATCH
    assert station_ctx.entries.get(e.id).status == Status.AWAITING  # names still to do
    assert svc.submit(e, b, "user_name", "田中　ひろし") == Outcome.MATCH  # full-width space: NFKC
    assert svc.submit(e, b, "organization", "株式会社サンプル") == Outcome.MATCH
    assert station_ctx.entries.get(e.id).status == Status.VERIFIED
    # with the setting on, a name edit un-verifies too
    assert station_ctx.entries.update(a.id, e.id, {"user_name": "田中"}).status == Status.DRAFT


def test_name_case_is_not_folded(station_ctx, svc, a, b):
    station_ctx.settings.update({"double_entry_names": True})
    e = ready_row(station_ctx, a, user_name="Hiroshi")
    assert svc.submit(e, b, "user_name", "hiroshi") == Outcome.MISMATCH_RETRY


def test_officer_statistics(station_ctx, svc, a, b, c):
    ok = ready_row(station_ctx, a)
    svc.submit(ok, b, "account_id", "tanaka.hiroshiO1@example.co.jp")  # B's slip
    svc.submit(ok, b, "account_id", ROW["account_id"])
    wrong = ready_row(station_ctx, a, account_id="suzuki.taro@example.co.jp")
    svc.submit(wrong, b, "account_id", "suzuki.tar0@example.co.jp")
    svc.submit(wrong, b, "account_id", "suzuki.tar0@example.co.jp")
    svc.adjudicate(wrong, c, "account_id", "suzuki.tar0@example.co.jp", "原本は数字の0")  # A was wrong
    stats = {s.officer_id: s for s in svc.officer_stats()}
    assert (stats[a.id].fields_entered, stats[a.id].first_entry_errors) == (2, 1)
    assert stats[a.id].first_entry_error_rate == 0.5
    assert (stats[b.id].fields_verified, stats[b.id].verification_mismatches, stats[b.id].verification_errors) == (2, 3, 1)
    assert stats[c.id].adjudications == 1 and stats[c.id].fields_entered == 0


def test_export_readiness_counts_rows_held_back_by_reason(station_ctx, svc, a, b):
    station_ctx.entries.create(a.id, ROW)  # 下書き
    station_ctx.entries.create(a.id, {**ROW, "account_id": "bad id"})  # エラーあり
    ready_row(station_ctx, a, account_id="sato@example.jp")  # 確認待ち
    conflicted(station_ctx, svc, a, b)  # 判定待ち
    done = ready_row(station_ctx, a, account_id="kato@example.jp")
    svc.submit(done, b, "account_id", "kato@example.jp")
    summary = svc.export_readiness()
    assert summary.ready == 1 and summary.ready_ids == (done.id,)
    assert summary.held == {HELD_DRAFT: 1, HELD_AWAITING: 1, HELD_CONFLICT: 1, HELD_ERRORS: 1}
    assert summary.held_total == 4
    assert "送付できる行: 1件" in summary.message() and "判定待ち 1件" in summary.message()
    assert [e.id for e in svc.exportable()] == [done.id]
