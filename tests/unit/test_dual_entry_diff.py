"""The character diff an adjudicator reads: where two entries differ, and why, in words."""
from __future__ import annotations

import pytest

from desktop_app.dual_entry import (
    DELETE, EQUAL, INSERT, REPLACE, compare, diff, raw_features, values_match,
)


def ops(a, b):
    return [(s.op, s.first, s.second) for s in diff(a, b) if s.op != EQUAL]


def test_equal_values_have_one_equal_segment():
    assert [(s.op, s.first) for s in diff("sato@ex.jp", "sato@ex.jp")] == [(EQUAL, "sato@ex.jp")]


def test_segments_rebuild_both_values():
    a, b = "yamada.taro-77@sample.co.jp", "yamda.tar0_77@sample.com"
    segs = diff(a, b)
    assert "".join(s.first for s in segs) == a
    assert "".join(s.second for s in segs) == b


@pytest.mark.parametrize("a, b, expected", [
    ("hiro0@x.jp", "hiroo@x.jp", [(REPLACE, "0", "o")]),
    ("suzuki@x.jp", "suzki@x.jp", [(DELETE, "u", "")]),
    ("sato@x.jp", "satoo@x.jp", [(INSERT, "", "o")]),
    ("korn@x.jp", "kom@x.jp", [(REPLACE, "rn", "m")]),
])
def test_diff_operations(a, b, expected):
    assert ops(a, b) == expected


def test_transposition_is_one_segment():
    segs = [s for s in diff("abcd@x.jp", "bacd@x.jp") if s.op != EQUAL]
    assert len(segs) == 1 and segs[0].transposed and (segs[0].first, segs[0].second) == ("ab", "ba")
    assert "入れ替わり" in compare("abcd@x.jp", "bacd@x.jp").differences[0].description


@pytest.mark.parametrize("a, b, words", [
    ("tanaka0@x.jp", "tanakao@x.jp", "「0(ゼロ)とo(オー小文字)」"),
    ("hiro1@x.jp", "hirol@x.jp", "「1(イチ)とl(エル小文字)」"),
    ("korn@x.jp", "kom@x.jp", "「r(アール)n(エヌ)とm(エム)」"),
    ("sato@x.jp", "sаto@x.jp", "キリル文字"),
    ("kato@x.jp", "katο@x.jp", "ギリシャ文字"),
    ("suzuki@x.jp", "suzki@x.jp", "1回目にだけu(ユー)があります"),
    ("ab@x.jp", "ab@x.jp.", "2回目にだけ末尾に.(ドット)があります"),
    ("mori@x.jp", "moro@x.jp", "「i(アイ小文字)とo(オー小文字)」"),
])
def test_every_difference_is_named_in_words(a, b, words):
    cmp = compare(a, b)
    assert not cmp.equal
    assert any(words in d for d in cmp.descriptions()), cmp.descriptions()


def test_full_width_input_matches_but_the_difference_is_still_named():
    cmp = compare("tanaka@ex.co.jp", "ｔａｎａｋａ@ex.co.jp")
    assert cmp.equal and not cmp.raw_equal
    assert cmp.differences == ()
    assert any("全角と半角" in d.description for d in cmp.raw_differences)
    assert all(d.kind == "width" for d in cmp.raw_differences)


def test_long_vowel_mark_for_hyphen_is_named():
    cmp = compare("yamada-t@ex.jp", "yamadaーt@ex.jp")
    assert cmp.equal
    assert cmp.raw_differences[0].description == "「-(ハイフン)とー(長音)」"
    assert cmp.raw_differences[0].kind == "hyphen"


def test_trailing_space_and_capitals_are_named_not_hidden():
    cmp = compare("Sato@ex.jp", "sato@ex.jp ")
    assert cmp.equal
    texts = [d.description for d in cmp.raw_differences]
    assert any("大文字と小文字" in t for t in texts)
    assert any("末尾に空白" in t for t in texts)


def test_invisible_character_is_named():
    cmp = compare("sato@ex.jp", "sa\u200bto@ex.jp")
    assert cmp.equal
    assert cmp.raw_differences[0].kind == "invisible"
    assert "見えない文字(U+200B)" in cmp.raw_differences[0].description


def test_values_match_requires_something_typed():
    assert not values_match("", "   ")
    assert values_match("Ｓato@ex.jp", "sato@ex.jp")
    assert not values_match("sato@ex.jp", "sat0@ex.jp")


def test_names_compare_with_case_kept():
    assert compare("Hiroshi", "hiroshi", kind="text").equal is False
    assert compare("田中　ひろし", "田中 ひろし ", kind="text").equal is True


def test_raw_features_describe_what_normalisation_will_change():
    assert raw_features("ＴＡＮＡＫＡ－t@ex.jp ") == [
        "全角文字を含む", "ハイフンに似た文字(ー・－など)を含む", "前後に空白がある", "英大文字を含む"]
    assert raw_features("tanaka@ex.jp") == []
    assert "英字に見える別の文字" in raw_features("tаnaka@ex.jp")[0]
