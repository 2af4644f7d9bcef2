"""The confusable table: how a difference between two typed characters is said to an officer."""
from __future__ import annotations

import pytest

from desktop_app import confusables
from desktop_app.confusables import char_name, explain


@pytest.mark.parametrize("a, b, text", [
    ("O", "0", "「O(オー)と0(ゼロ)」"),
    ("l", "1", "「l(エル小文字)と1(イチ)」"),
    ("ー", "-", "「ー(長音)と-(ハイフン)」"),
    ("I", "1", "「I(アイ大文字)と1(イチ)」"),
    ("rn", "m", "「r(アール)n(エヌ)とm(エム)」"),
    ("－", "-", "「－(全角ハイフン)と-(ハイフン)」"),
])
def test_listed_pairs_are_named(a, b, text):
    assert explain(a, b).description == text
    assert explain(b, a) is not None  # either order


def test_full_width_against_half_width():
    assert explain("ａ", "a").description == "「ａ(全角エー)とa(エー)」(全角と半角)"
    assert explain("０", "0").description.endswith("(全角と半角)")


def test_full_width_hiding_a_confusable_pair():
    text = explain("Ｏ", "0").description
    assert "Ｏ(全角オー大文字)" in text and "0(ゼロ)" in text and "全角と半角も違います" in text


def test_cyrillic_and_greek_lookalikes():
    assert "キリル文字" in explain("о", "o").description
    assert "見た目が同じ別の文字" in explain("о", "o").description
    assert "ギリシャ文字" in explain("ο", "o").description
    assert "キリル文字" in explain("Т", "T").description


def test_case_only():
    assert explain("T", "t").description == "「T(ティー大文字)とt(ティー)」(大文字と小文字)"


def test_decorated_letter():
    assert explain("𝐚", "a").description.endswith("(装飾文字と普通の文字)")


def test_unrelated_characters_are_not_called_confusable():
    assert explain("a", "k") is None
    assert explain("x", "x") is None
    assert explain("", "x") is None


def test_every_ascii_letter_and_digit_has_a_spoken_name():
    for ch in "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.@":
        assert char_name(ch) != ch, ch
    assert char_name("\u200b") == "見えない文字(U+200B)"
    assert char_name(" ") == "空白" and char_name("\u3000") == "全角空白"


def test_every_listed_pair_is_nameable():
    for a, b in confusables.CONFUSABLE_PAIRS:
        assert explain(a, b) is not None
        for ch in a + b:
            assert "(" in char_name(ch), ch
