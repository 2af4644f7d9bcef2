"""LINE WORKS account ID rules: many real-looking IDs an officer may meet, good and bad."""
from __future__ import annotations

import pytest

from desktop_app.account_id import LOCAL_MAX, MAX_LENGTH, check_account_id, is_valid
from desktop_app.normalize import normalize_account_id

L40 = "k" * 40
# 40 + 1 + 49 = 90 characters exactly
AT_LIMIT = L40 + "@" + "g" * 49
assert len(AT_LIMIT) == MAX_LENGTH

GOOD = [
    "taro.yamada@example.co.jp",
    "sales01@d-lighted",
    "hanako_suzuki@works-example.jp",
    "info@example.com",
    "support-desk@example.net",
    "ab@x",
    "a1@grp",
    "00@group",
    "9z@tenant-01",
    "user.name-01_x@sub.domain.example.co.jp",
    "k.tanaka@kabushiki-gaisha.co.jp",
    "toushi.support@fx-trade.biz",
    "romance_2025@lovers.jp",
    "line.works@works-mobile.com",
    "admin@a.io",
    "tokyo.office@xn--eckwd4c7c.jp",  # punycode of a Japanese domain
    "yamada.t@tenant123",
    "no-reply@mail.example.org",
    "a.b.c.d@e-f",
    "x_y-z.0@grp9",
    "investment.advisor88@d-lighted",
    "ceo@startup.ai",
    "m.sato@example.ne.jp",
    "r-2@abc",
    "kanri01@school.ed.jp",
    "shinsa.k@example.or.jp",
    "ab-@x",  # a trailing hyphen in the local part is allowed
    "ab_@x",
    "a-b_c.d@example.tokyo",
    "happy.money@lucky-7",
    "0123456789@numbers",
    L40 + "@x",  # 40-character local part
    AT_LIMIT,  # exactly 90 characters
    "qq@" + "a" * 63 + ".jp",  # longest DNS label
    "tanaka@a-b-c.d-e-f.jp",
    "ichiro.s@e.x.a.m.p.l.e.jp",
    "uketsuke@clinic-tokyo",
    "ms.kobayashi@fund-japan.co.jp",
    "trader.ken@crypto-asia.com",
    "z9@a1",
    "sato_h@d-lighted",
    "line-support@worksmobile.com",
    "info@example.xn--tckwe",  # punycode top-level domain (.コム)
]

BAD = {
    "missing @": ("taro.yamada.example.co.jp", "id.at_count"),
    "two @": ("taro@yamada@example.co.jp", "id.at_count"),
    "empty": ("", "id.empty"),
    "empty domain": ("taro@", "id.domain_empty"),
    "empty local": ("@example.co.jp", "id.local_length"),
    "one-char local": ("t@example.co.jp", "id.local_length"),
    "41-char local": ("k" * 41 + "@x", "id.local_length"),
    "91 characters": (L40 + "@" + "g" * 50, "id.too_long"),
    "leading dot": (".taro@example.co.jp", "id.local_start"),
    "trailing dot": ("taro.@example.co.jp", "id.local_trailing_dot"),
    "double dot": ("taro..yamada@example.co.jp", "id.local_double_dot"),
    "leading hyphen": ("-taro@example.co.jp", "id.local_start"),
    "leading underscore": ("_taro@example.co.jp", "id.local_start"),
    "plus sign": ("taro+spam@example.co.jp", "id.local_chars"),
    "apostrophe": ("o'neil@example.com", "id.local_chars"),
    "slash": ("ta/ro@example.com", "id.local_chars"),
    "Cyrillic a": ("t\u0430ro@example.co.jp", "id.local_chars"),
    "Cyrillic o": ("tar\u043e@example.co.jp", "id.local_chars"),
    "Greek omicron": ("tar\u03bf@example.co.jp", "id.local_chars"),
    "Japanese in local": ("たろう@example.co.jp", "id.local_chars"),
    "Cyrillic in domain": ("taro@ex\u0430mple.co.jp", "id.domain_invalid"),
    "domain label starts with hyphen": ("taro@-example.co.jp", "id.domain_invalid"),
    "domain label ends with hyphen": ("taro@example-.co.jp", "id.domain_invalid"),
    "group starts with hyphen": ("sales01@-dlighted", "id.domain_invalid"),
    "group ends with hyphen": ("sales01@dlighted-", "id.domain_invalid"),
    "underscore in domain": ("taro@ex_ample.jp", "id.domain_invalid"),
    "Japanese domain not punycoded": ("taro@例え.jp", "id.domain_invalid"),
    "64-char label": ("qq@" + "a" * 64 + ".jp", "id.domain_invalid"),
    "numeric TLD": ("taro@example.123", "id.domain_tld"),
    "digit in TLD": ("taro@example.c0m", "id.domain_tld"),
    "one-letter TLD": ("taro@example.c", "id.domain_tld"),
    "domain double dot": ("taro@example..jp", "id.domain_dot"),
    "domain leading dot": ("taro@.example.jp", "id.domain_dot"),
    "domain trailing dot": ("taro@example.jp.", "id.domain_dot"),
    "comma for dot": ("taro,yamada@example.co.jp", "id.local_chars"),
    "comma in domain": ("taro@example,co.jp", "id.domain_invalid"),
    "at only": ("@", "id.local_length"),
    "exclamation": ("hello!@example.com", "id.local_chars"),
    "emoji": ("taro\U0001f600@example.com", "id.local_chars"),
    "hash": ("no#1@example.com", "id.local_chars"),
    "trailing dot with digits": ("user01.@grp", "id.local_trailing_dot"),
    "dot only local": ("..@x", "id.local_start"),
}


@pytest.mark.parametrize("raw", GOOD)
def test_real_looking_ids_are_valid(raw):
    norm = normalize_account_id(raw)
    assert check_account_id(norm) == []
    assert is_valid(norm)


@pytest.mark.parametrize("raw,code", list(BAD.values()), ids=list(BAD))
def test_bad_ids_are_refused_with_the_right_reason(raw, code):
    problems = check_account_id(normalize_account_id(raw))
    assert code in [p.code for p in problems]


def test_lists_are_large_enough():
    # The issue asks for many real-looking IDs; keep the lists from shrinking unnoticed.
    assert len(GOOD) >= 40 and len(BAD) >= 40


@pytest.mark.parametrize("raw", [
    "TARO.YAMADA@EXAMPLE.CO.JP",
    "Sales01@D-Lighted",
    "ｔａｒｏ＠ｅｘａｍｐｌｅ．ｃｏ．ｊｐ",
    "taro ー yamada@example.co.jp",
    "\u200btaro@example.co.jp",
])
def test_typed_variants_are_valid_after_normalisation(raw):
    assert is_valid(normalize_account_id(raw))


def test_upper_case_is_not_valid_before_normalisation():
    # The rules are for the normalised form: callers must normalise first.
    assert not is_valid("TARO@EXAMPLE.CO.JP")


def test_length_limits_exactly():
    assert is_valid("k" * LOCAL_MAX + "@x")
    assert not is_valid("k" * (LOCAL_MAX + 1) + "@x")
    assert is_valid(AT_LIMIT)
    too_long = AT_LIMIT + "g"
    assert [p.code for p in check_account_id(too_long)] == ["id.too_long"]


def test_several_problems_are_all_reported():
    codes = {p.code for p in check_account_id(".a..b.@x")}
    assert {"id.local_start", "id.local_trailing_dot", "id.local_double_dot"} <= codes
