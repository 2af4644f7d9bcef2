"""Normalisation of account IDs: what an officer types or pastes must compare equal to the real ID."""
from __future__ import annotations

import pytest

from desktop_app.normalize import name_key, normalize_account_id, normalize_display_text

HYPHENS = ["\u2010", "\u2011", "\u2212", "\u2013", "\u2014", "\u2015", "\u30fc", "\uff70", "\uff0d"]
INVISIBLE = {
    "zero-width space": "\u200b",
    "BOM": "\ufeff",
    "soft hyphen": "\u00ad",
    "word joiner": "\u2060",
    "zero-width joiner": "\u200d",
    "zero-width non-joiner": "\u200c",
    "left-to-right mark": "\u200e",
}


@pytest.mark.parametrize("hyphen", HYPHENS, ids=[f"U+{ord(h):04X}" for h in HYPHENS])
def test_every_hyphen_like_character_becomes_ascii_hyphen(hyphen):
    assert normalize_account_id(f"sales{hyphen}01@d{hyphen}lighted") == "sales-01@d-lighted"


@pytest.mark.parametrize("name", list(INVISIBLE))
def test_invisible_characters_are_removed(name):
    ch = INVISIBLE[name]
    assert normalize_account_id(f"{ch}ta{ch}ro{ch}@example.co.jp{ch}") == "taro@example.co.jp"


def test_nfkc_turns_full_width_into_ascii_and_lower_case():
    assert normalize_account_id("ＴＡＲＯ．ＹＡＭＡＤＡ＠ＥＸＡＭＰＬＥ．ＣＯ．ＪＰ") == "taro.yamada@example.co.jp"


def test_full_width_at_and_dot():
    assert normalize_account_id("taro＠example．co．jp") == "taro@example.co.jp"
    # the small commercial at and the full-width low line that IMEs produce
    assert normalize_account_id("ta＿ro﹫x") == "ta_ro@x"


def test_upper_case_typed_is_lowered():
    assert normalize_account_id("Taro.Yamada@Example.CO.JP") == "taro.yamada@example.co.jp"


@pytest.mark.parametrize("raw", [
    "  taro@example.co.jp  ",
    "\ttaro@example.co.jp\n",
    "\u3000taro@example.co.jp\u3000",  # ideographic space from a Japanese IME
    "\u00a0taro@example.co.jp\u00a0",  # no-break space from a web page
    "ta ro @ example.co.jp",
    "taro@exam\u3000ple.co.jp",
    "taro\r\n@example.co.jp",
])
def test_surrounding_and_internal_spaces_removed(raw):
    assert normalize_account_id(raw) == "taro@example.co.jp"


def test_everything_at_once_as_pasted_from_a_document():
    raw = "\ufeff Ｓａｌｅｓ\u200b０１ー\u00adｔｋ＠ｄ－ｌｉｇｈｔｅｄ\u2060 "
    assert normalize_account_id(raw) == "sales01-tk@d-lighted"


def test_normalisation_is_idempotent():
    once = normalize_account_id("ＴＡＲＯ－\u200b01＠ｄ－ｌｉｇｈｔｅｄ")
    assert normalize_account_id(once) == once


@pytest.mark.parametrize("raw", [None, "", "   ", "\u200b\ufeff"])
def test_empty_input_gives_empty_id(raw):
    assert normalize_account_id(raw) == ""


def test_look_alike_letters_are_not_silently_made_latin():
    # A Cyrillic а is a different ID to LINE WORKS: normalisation must not hide it.
    assert normalize_account_id("t\u0430ro@x") == "t\u0430ro@x"


def test_display_text_is_kept_exactly_except_surrounding_blanks():
    assert normalize_display_text("  ★Ｔａｒｏ★　ﾔﾏﾀﾞ ") == "★Ｔａｒｏ★　ﾔﾏﾀﾞ"
    assert normalize_display_text(None) == ""


def test_name_key_matches_width_case_and_spacing_variants():
    assert name_key("ＡＢＣ　商事") == name_key("abc商事") == name_key("Abc 商事")
    assert name_key("ﾔﾏﾀﾞ\u200bﾀﾛｳ") == name_key("ヤマダタロウ")
    assert name_key("山田") != name_key("山口")
    assert name_key(None) == ""
