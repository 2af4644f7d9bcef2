"""Row validation: errors block a row, warnings ask for a second look; every message is Japanese."""
from __future__ import annotations

import datetime as dt
import re

import pytest

from desktop_app.validation import ERROR, WARNING, account_id_issues, date_issues, has_errors, validate_row

from tests.unit.test_account_id_rules import BAD, GOOD

JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
STATIONS = {"中央警察署", "北警察署"}


def good_row(**over):
    row = {
        "account_id": "taro.yamada@example.co.jp",
        "user_name": "★投資アドバイザー★",
        "organization": "株式会社サンプル",
        "case_type": "SNS型投資詐欺",
        "station": "中央警察署",
        "recognized_on": "令和8年11月2日",
    }
    row.update(over)
    return row


def errors(issues, column=None):
    return [i for i in issues if i.severity == ERROR and (column is None or i.column == column)]


def warnings(issues, column=None):
    return [i for i in issues if i.severity == WARNING and (column is None or i.column == column)]


def test_a_complete_row_has_no_issue(today):
    assert validate_row(good_row(), stations=STATIONS, today=today) == []


@pytest.mark.parametrize("raw", GOOD)
def test_good_ids_raise_no_error(raw):
    assert errors(account_id_issues(raw)) == []


@pytest.mark.parametrize("raw,code", list(BAD.values()), ids=list(BAD))
def test_bad_ids_give_a_japanese_error(raw, code):
    errs = errors(account_id_issues(raw))
    assert errs, raw
    assert all(JAPANESE.search(e.message) for e in errs)
    assert all(e.column == "account_id" for e in errs)


def test_error_messages_say_what_is_wrong():
    assert "@" in errors(account_id_issues("taro.example.co.jp"))[0].message
    assert "2個" in errors(account_id_issues("a@b@c"))[0].message
    assert "41文字" in errors(account_id_issues("k" * 41 + "@x"))[0].message
    assert "91文字" in errors(account_id_issues("k" * 40 + "@" + "g" * 50))[0].message
    assert "「-」" in errors(account_id_issues("-taro@x"))[0].message
    # a Cyrillic look-alike is named as such, not shown as an innocent "a"
    assert "キリル文字" in errors(account_id_issues("t\u0430ro@x"))[0].message


def test_full_width_id_is_checked_after_normalisation():
    assert errors(account_id_issues("ＴＡＲＯ＠ｅｘａｍｐｌｅ．ｃｏ．ｊｐ")) == []


@pytest.mark.parametrize("raw,flagged", [
    ("taro0@example.co.jp", "0(ゼロ)"),  # 0 among letters
    ("yamada0ka@d-lighted", "0(ゼロ)"),
    ("al1ce@example.com", "1(イチ)"),  # 1 next to l
    ("al1ce@example.com", "l(エル小文字)"),
    ("rnatsu@example.com", "r(アール)n(エヌ)"),  # rn reads as m
    ("2o25@example.com", "o(オー小文字)"),  # o among digits
    ("TAKAHASHI@example.com", "I(アイ大文字)"),  # a capital I on the source may be an l
    ("TARO@example.com", "O(オー)"),
])
def test_confusable_characters_warn(raw, flagged):
    issues = account_id_issues(raw)
    assert errors(issues) == []
    warns = warnings(issues, "account_id")
    assert len(warns) == 1
    assert flagged in warns[0].message


@pytest.mark.parametrize("raw", ["taro.yamada@example.co.jp", "hello@world.com", "info@sample.jp"])
def test_plain_ids_do_not_cry_wolf(raw):
    assert account_id_issues(raw) == []


def test_a_warning_does_not_block_the_row(today):
    issues = validate_row(good_row(account_id="al1ce0@example.com"), stations=STATIONS, today=today)
    assert warnings(issues)
    assert not has_errors(issues)


def test_raw_value_is_what_gets_the_capital_letter_warning(today):
    row = good_row(account_id="takahashi@example.com", account_id_raw="TAKAHASHI@example.com")
    assert warnings(validate_row(row, stations=STATIONS, today=today), "account_id")


# ---- dates (TODAY = 2026-11-20) --------------------------------------------------------------
def test_future_date_is_an_error(today):
    tomorrow = today + dt.timedelta(days=1)
    errs = errors(date_issues(tomorrow.isoformat(), today))
    assert len(errs) == 1 and "未来" in errs[0].message
    assert "令和8年11月21日" in errs[0].message


def test_today_is_fine(today):
    assert date_issues(today, today) == []
    assert date_issues("8.11.20", today) == []


def test_date_over_a_year_old_is_a_warning_not_an_error(today):
    issues = date_issues("令和7年11月19日", today)
    assert errors(issues) == []
    assert len(warnings(issues)) == 1 and "1年以上前" in issues[0].message


def test_date_within_the_year_has_no_warning(today):
    assert date_issues("R7.12.1", today) == []
    assert date_issues(dt.date(2025, 11, 21), today) == []


@pytest.mark.parametrize("text", ["令和8年2月30日", "R8.13.1", "あした", "平成31年5月1日"])
def test_unreadable_or_impossible_date_is_a_japanese_error(text, today):
    errs = errors(date_issues(text, today))
    assert len(errs) == 1 and JAPANESE.search(errs[0].message)
    assert text in errs[0].message  # the officer sees what they typed


# ---- other columns ---------------------------------------------------------------------------
def test_empty_row_lists_every_required_column(today):
    cols = {i.column for i in errors(validate_row({}, stations=STATIONS, today=today))}
    assert cols == {"account_id", "user_name", "case_type", "station", "recognized_on"}
    # 企業/団体名 is optional on the form


@pytest.mark.parametrize("label", [
    "SNS型投資詐欺", "SNS型ロマンス詐欺", "特殊詐欺", "特殊詐欺(オレオレ詐欺)", "還付金詐欺",
    "ＳＮＳ型投資詐欺", "特殊詐欺（キャッシュカード詐欺盗）",
])
def test_case_types_from_the_closed_list(label, today):
    assert errors(validate_row(good_row(case_type=label), stations=STATIONS, today=today)) == []


@pytest.mark.parametrize("label", ["詐欺", "SNS型投資詐欺(オレオレ詐欺)", "特殊詐欺(ロマンス)", "恐喝"])
def test_case_type_outside_the_list_is_an_error(label, today):
    errs = errors(validate_row(good_row(case_type=label), stations=STATIONS, today=today), "case_type")
    assert len(errs) == 1 and "SNS型投資詐欺" in errs[0].message  # the message lists the choices


def test_refinement_given_beside_the_case_type(today):
    ok = good_row(case_type="特殊詐欺", refinement="預貯金詐欺")
    assert validate_row(ok, stations=STATIONS, today=today) == []
    bad = good_row(case_type="SNS型ロマンス詐欺", refinement="預貯金詐欺")
    assert errors(validate_row(bad, stations=STATIONS, today=today), "case_type")


def test_station_must_be_in_the_list(today):
    errs = errors(validate_row(good_row(station="南警察署"), stations=STATIONS, today=today), "station")
    assert len(errs) == 1 and "南警察署" in errs[0].message


def test_user_name_length_limit(today):
    assert validate_row(good_row(user_name="あ" * 100), stations=STATIONS, today=today) == []
    errs = errors(validate_row(good_row(user_name="あ" * 101), stations=STATIONS, today=today), "user_name")
    assert len(errs) == 1 and "100文字" in errs[0].message
