"""Characters a person easily confuses when reading or typing an account ID.

Used for the entry warning (an ID that contains O/0 or l/1 deserves a second look at the source)
and, in dual entry, to name the difference between two typed values in words.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# Spoken names, as an officer would read them over the phone.
CHAR_NAMES: dict[str, str] = {
    "0": "0(ゼロ)", "o": "o(オー小文字)", "O": "O(オー)",
    "1": "1(イチ)", "l": "l(エル小文字)", "I": "I(アイ大文字)", "i": "i(アイ小文字)", "|": "|(縦線)",
    "5": "5(ゴ)", "s": "s(エス)", "S": "S(エス)",
    "2": "2(ニ)", "z": "z(ゼット)", "Z": "Z(ゼット)",
    "8": "8(ハチ)", "B": "B(ビー)", "b": "b(ビー)", "6": "6(ロク)",
    "9": "9(キュウ)", "g": "g(ジー)", "q": "q(キュー)",
    "u": "u(ユー)", "v": "v(ブイ)", "w": "w(ダブリュー)",
    "m": "m(エム)", "n": "n(エヌ)", "r": "r(アール)", "c": "c(シー)", "d": "d(ディー)",
    "-": "-(ハイフン)", "_": "_(アンダーバー)", ".": ".(ドット)", ",": ",(カンマ)",
    "ー": "ー(長音)", "－": "－(全角ハイフン)", "−": "−(マイナス)", "‐": "‐(ハイフン記号)",
    "–": "–(エンダッシュ)", "—": "—(ダッシュ)", "ｰ": "ｰ(半角長音)",
}

# Readings for every other letter and digit, so any difference can be said over the phone
# (「a(エー)とe(イー)」), not only the famous confusable ones.
_LETTER_READINGS = dict(zip(
    "abcdefghijklmnopqrstuvwxyz",
    ("エー", "ビー", "シー", "ディー", "イー", "エフ", "ジー", "エイチ", "アイ", "ジェー", "ケー", "エル",
     "エム", "エヌ", "オー", "ピー", "キュー", "アール", "エス", "ティー", "ユー", "ブイ", "ダブリュー",
     "エックス", "ワイ", "ゼット"),
))
_DIGIT_READINGS = dict(zip("0123456789", ("ゼロ", "イチ", "ニ", "サン", "ヨン", "ゴ", "ロク", "ナナ", "ハチ", "キュウ")))
for _c, _r in _LETTER_READINGS.items():
    CHAR_NAMES.setdefault(_c, f"{_c}({_r})")
    CHAR_NAMES.setdefault(_c.upper(), f"{_c.upper()}({_r}大文字)")
for _c, _r in _DIGIT_READINGS.items():
    CHAR_NAMES.setdefault(_c, f"{_c}({_r})")
CHAR_NAMES.update({
    "@": "@(アットマーク)", "＠": "＠(全角アットマーク)", " ": "空白", "\u3000": "全角空白",
    "ｏ": "ｏ(全角オー)", "Ｏ": "Ｏ(全角オー大文字)", "０": "０(全角ゼロ)",
    "ｌ": "ｌ(全角エル)", "１": "１(全角イチ)", "Ｉ": "Ｉ(全角アイ大文字)", "．": "．(全角ドット)",
    "＿": "＿(全角アンダーバー)", "~": "~(チルダ)", "～": "～(全角チルダ)", "〜": "〜(波ダッシュ)", "・": "・(中点)",
})

# Pairs (or short sequences) that look alike in common fonts, with how the difference is said.
CONFUSABLE_PAIRS: tuple[tuple[str, str], ...] = (
    ("o", "0"), ("O", "0"), ("O", "o"),
    ("l", "1"), ("I", "1"), ("l", "I"), ("i", "l"), ("i", "1"),
    ("s", "5"), ("S", "5"), ("z", "2"), ("Z", "2"), ("b", "6"), ("B", "8"),
    ("g", "9"), ("q", "9"), ("g", "q"),
    ("rn", "m"), ("vv", "w"), ("cl", "d"), ("u", "v"),
    ("-", "_"), (".", ","), ("1", "7"), ("c", "e"), ("n", "h"), ("rn", "nn"), ("m", "nn"), ("ii", "u"),
    ("@", "a"), ("~", "-"), ("～", "-"), ("〜", "-"), ("・", "."),
    ("ー", "-"), ("－", "-"), ("−", "-"), ("‐", "-"), ("–", "-"), ("—", "-"), ("ｰ", "-"),
)

# Non-Latin letters that render like Latin ones (the attacker's and the OCR's favourites).
LOOKALIKES: dict[str, str] = {
    # Cyrillic
    "а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "у": "y", "х": "x", "і": "i", "ј": "j",
    "ѕ": "s", "ԁ": "d", "һ": "h", "ԛ": "q", "ԝ": "w", "к": "k", "м": "m", "т": "t", "в": "b",
    "А": "A", "В": "B", "Е": "E", "К": "K", "М": "M", "Н": "H", "О": "O", "Р": "P", "С": "C",
    "Т": "T", "Х": "X", "І": "I", "Ј": "J", "Ѕ": "S",
    # Greek
    "α": "a", "ο": "o", "ν": "v", "ρ": "p", "ι": "i", "κ": "k", "τ": "t", "υ": "u", "χ": "x",
    "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M", "Ν": "N",
    "Ο": "O", "Ρ": "P", "Τ": "T", "Υ": "Y", "Χ": "X",
}

# Sequences that read as one letter (rn → m); always worth a look.
AMBIGUOUS_SEQUENCES = ("rn", "vv", "cl")
_DIGIT_LIKE_LETTERS = frozenset("oli")
_LETTER_LIKE_DIGITS = frozenset("01")
_CANDIDATE_CHARS = re.compile("[01oli]")
_AMBIGUOUS_ASCII = re.compile("(?<=[A-Za-z])[01]|[01](?=[A-Za-z])|(?<=[0-9])[oli]|[oli](?=[0-9])")
_CAPITAL_I_O = re.compile("[IOＩＯ]")


@dataclass(frozen=True)
class Confusion:
    left: str
    right: str
    description: str  # 「O(オー)と0(ゼロ)」


def char_name(ch: str) -> str:
    """A spoken name for one character, for messages ("0(ゼロ)", "キリル文字 о")."""
    if ch in CHAR_NAMES:
        return CHAR_NAMES[ch]
    if ch in LOOKALIKES:
        script = "キリル文字" if "CYRILLIC" in unicodedata.name(ch, "") else "ギリシャ文字"
        return f"{ch}({script}・{LOOKALIKES[ch]}に似た字)"
    folded = unicodedata.normalize("NFKC", ch)
    if unicodedata.east_asian_width(ch) in ("F", "W") and folded != ch:
        inner = CHAR_NAMES.get(folded, "")
        reading = inner[inner.find("(") + 1:-1] if "(" in inner else ""
        return f"{ch}(全角{reading})" if reading else f"{ch}(全角)"
    if folded != ch and len(folded) == 1 and folded.isascii() and folded.isalnum():
        # 𝐚, ａ-like decorations and other compatibility forms: say what they stand for
        return f"{ch}({folded}の装飾文字)"
    if ch.isspace():
        return "空白"
    if not ch.isprintable():
        return f"見えない文字(U+{ord(ch):04X})"
    return ch


def describe_pair(a: str, b: str) -> str:
    return f"「{char_name_seq(a)}と{char_name_seq(b)}」"


def char_name_seq(seq: str) -> str:
    if not seq:
        return "(なし)"
    return "".join(char_name(c) for c in seq) if len(seq) > 1 else char_name(seq)


def _is_pair(a: str, b: str) -> bool:
    return any((a, b) in ((x, y), (y, x)) for x, y in CONFUSABLE_PAIRS)


def explain(a: str, b: str) -> Confusion | None:
    """Name why two differing fragments are easy to mix up, or None if they are not a known pair.

    Checked in this order: a listed confusable pair (O/0, l/1, rn/m, ー/-), a Cyrillic or Greek
    look-alike, full-width against half-width, capital against small letter, and a confusable pair
    hidden behind full-width forms (Ｏ against 0).
    """
    if a == b or not a or not b:
        return None
    if _is_pair(a, b):
        return Confusion(a, b, describe_pair(a, b))
    if len(a) == len(b) and all(LOOKALIKES.get(x) == y or LOOKALIKES.get(y) == x or x == y for x, y in zip(a, b)):
        return Confusion(a, b, describe_pair(a, b) + "(見た目が同じ別の文字)")
    na, nb = unicodedata.normalize("NFKC", a), unicodedata.normalize("NFKC", b)
    if na == nb:
        widths = any(unicodedata.east_asian_width(c) in ("F", "H") for c in a + b)
        return Confusion(a, b, describe_pair(a, b) + ("(全角と半角)" if widths else "(装飾文字と普通の文字)"))
    if na.lower() == nb.lower():
        kind = "(全角と半角・大文字と小文字)" if (na, nb) != (a, b) else "(大文字と小文字)"
        return Confusion(a, b, describe_pair(a, b) + kind)
    if (na, nb) != (a, b) and (_is_pair(na, nb) or _is_pair(na.lower(), nb.lower())):
        return Confusion(a, b, describe_pair(a, b) + "(全角と半角も違います)")
    if a.lower() != a or b.lower() != b:
        if _is_pair(a.lower(), b.lower()):
            return Confusion(a, b, describe_pair(a, b))
    return None


def width_of(ch: str) -> str:
    """"全角" for a full-width form that NFKC turns into an ASCII character, else "半角" / ""."""
    if unicodedata.east_asian_width(ch) == "F":
        return "全角"
    if unicodedata.east_asian_width(ch) == "H":
        return "半角"
    return ""


def ambiguous_characters(normalized_id: str, raw: str = "") -> list[str]:
    """Characters in an ID that a reader may have mistaken, in order of first appearance.

    Not every o or l: only a digit 0/1 among letters, a letter o/l/i among digits, sequences that
    read as one letter (rn, vv, cl), and capital I/O in what was typed (IDs are lower case, so a
    capital I on the source is probably an l).
    """
    found: list[str] = []

    def add(x: str) -> None:
        if x not in found:
            found.append(x)

    for seq in AMBIGUOUS_SEQUENCES:
        if seq in normalized_id:
            add(seq)
    s = normalized_id
    # Only the candidate characters are visited (this runs on every row HQ receives). For ASCII,
    # [A-Za-z] and [0-9] are exactly str.isalpha and str.isdigit, so one regex pass finds them all.
    if s.isascii():
        for m in _AMBIGUOUS_ASCII.finditer(s):
            add(m.group())
        for m in _CAPITAL_I_O.finditer(raw):
            add(m.group())
        return found
    for m in _CANDIDATE_CHARS.finditer(s):
        ch = m.group()
        if ch in found:
            continue
        i = m.start()
        is_kind = str.isalpha if ch in _LETTER_LIKE_DIGITS else str.isdigit
        if (i > 0 and is_kind(s[i - 1])) or (i + 1 < len(s) and is_kind(s[i + 1])):
            found.append(ch)
    for m in _CAPITAL_I_O.finditer(raw):
        add(m.group())
    return found


def lookalikes_in(text: str) -> list[str]:
    if text.isascii():  # every look-alike is a Cyrillic or Greek letter
        return []
    return [ch for ch in dict.fromkeys(text) if ch in LOOKALIKES]
