"""Comparing a first and a second (blind) entry of the same field, and naming every difference.

Pure functions, used by the verification service, the adjudication dialog and the accuracy
benchmark alike, so that what the benchmark measures is what the station runs.

Two rules keep the comparison honest:

* values are compared exactly after the column's *named* normalisation (for account IDs: NFKC,
  hyphen-like characters to "-", invisible characters and spaces removed, lower case), never after
  a silent case fold or trim of its own;
* whatever the normalisation removed (one officer typed full-width, a capital, a trailing space) is
  still reported as a difference of the raw values, so no difference is hidden from the adjudicator
  or the audit log.
"""
from __future__ import annotations

import difflib
import logging
import re
import unicodedata
from dataclasses import dataclass

from desktop_app import confusables
from desktop_app.normalize import HYPHEN_LIKE, normalize_account_id, strip_invisible

log = logging.getLogger(__name__)

EQUAL, REPLACE, INSERT, DELETE = "equal", "replace", "insert", "delete"
_SPACE = re.compile(r"\s+")

# What each normalisation does, in words: shown to the adjudicator and written to the audit log.
NORMALIZATION_RULES = {
    "account_id": "全角→半角(NFKC)、ハイフンに似た文字→「-」、空白と見えない文字を削除、英大文字→小文字",
    "text": "全角→半角(NFKC)、見えない文字を削除、前後の空白を削除、続く空白を1つに",
}


def normalize_text_for_compare(raw: str | None) -> str:
    """ユーザー名 / 企業・団体名 as compared in dual entry (the stored value stays as typed).

    Case is kept: a display name's capitals are part of what the victim saw.
    """
    if raw is None:
        return ""
    text = unicodedata.normalize("NFKC", strip_invisible(str(raw)))
    return _SPACE.sub(" ", text).strip()


def normalizer(kind: str):
    """The comparison normalisation for a column kind ("account_id" or anything textual)."""
    return normalize_account_id if kind == "account_id" else normalize_text_for_compare


@dataclass(frozen=True)
class Segment:
    op: str  # EQUAL | REPLACE | INSERT | DELETE
    first: str  # the first entry's characters in this stretch ("" for an insert)
    second: str  # the second entry's characters ("" for a delete)
    transposed: bool = False  # two neighbouring characters swapped (ab ↔ ba)


@dataclass(frozen=True)
class Difference:
    first: str
    second: str
    description: str  # in words, for the adjudicator: 「O(オー)と0(ゼロ)」
    kind: str  # "confusable" | "width" | "case" | "lookalike" | "space" | "invisible" | "hyphen" | "transposition" | "missing" | "extra" | "other"


@dataclass(frozen=True)
class Comparison:
    first_raw: str
    second_raw: str
    first: str  # normalised
    second: str
    segments: tuple[Segment, ...]
    differences: tuple[Difference, ...]  # between the normalised values
    raw_differences: tuple[Difference, ...]  # removed by normalisation, still named

    @property
    def equal(self) -> bool:
        return self.first == self.second

    @property
    def raw_equal(self) -> bool:
        return self.first_raw == self.second_raw

    def descriptions(self) -> list[str]:
        out = [d.description for d in self.differences]
        out += [d.description + "(正規化で同じとみなされる違い)" for d in self.raw_differences]
        return out


def values_match(first_raw: str | None, second_raw: str | None, kind: str = "account_id") -> bool:
    """The one comparison dual entry makes: equal after the column's named normalisation."""
    norm = normalizer(kind)
    a, b = norm(first_raw), norm(second_raw)
    return bool(a) and a == b


# Results of one blind attempt, as stored and audited.
MATCH, MISMATCH, REPEAT, LIMIT = "match", "mismatch", "repeat", "limit"

# After this many differing values (all different from each other) the source is probably
# unreadable; more blind guesses would only let the verifier find the first value by trial.
MAX_MISMATCHES = 3


def classify_attempt(first_raw: str | None, typed: str | None, earlier_mismatches: list[str] | tuple[str, ...],
                     kind: str = "account_id", max_mismatches: int = MAX_MISMATCHES) -> str:
    """The verification rule, in one place (the service and the accuracy benchmark both call it).

    ``earlier_mismatches`` are the normalised values this column was already given, wrongly, in
    the current request. MATCH: equal after normalisation. REPEAT: the same differing value
    again (→ adjudication). LIMIT: ``max_mismatches`` different wrong values (→ adjudication).
    MISMATCH: type it again.
    """
    norm = normalizer(kind)
    value = norm(typed)
    if value and value == norm(first_raw):
        return MATCH
    if value in earlier_mismatches:
        return REPEAT
    if len(earlier_mismatches) + 1 >= max_mismatches:
        return LIMIT
    return MISMATCH


def diff(first: str, second: str) -> list[Segment]:
    """Character-level alignment of two strings; neighbouring swaps are reported as one segment."""
    sm = difflib.SequenceMatcher(None, first, second, autojunk=False)
    segments = [Segment(op, first[i1:i2], second[j1:j2]) for op, i1, i2, j1, j2 in sm.get_opcodes()]
    return _merge_transpositions(segments)


def _merge_transpositions(segs: list[Segment]) -> list[Segment]:
    """difflib spells "ab"→"ba" as delete a, equal b, insert a; say "swapped" instead."""
    out: list[Segment] = []
    i = 0
    while i < len(segs):
        if i + 2 < len(segs):
            a, mid, c = segs[i], segs[i + 1], segs[i + 2]
            if (mid.op == EQUAL and len(mid.first) == 1 and {a.op, c.op} == {INSERT, DELETE}):
                moved = a.first or a.second
                if len(moved) == 1 and moved == (c.first or c.second):
                    if a.op == DELETE:
                        out.append(Segment(REPLACE, moved + mid.first, mid.first + moved, transposed=True))
                    else:
                        out.append(Segment(REPLACE, mid.first + moved, moved + mid.first, transposed=True))
                    i += 3
                    continue
        out.append(segs[i])
        i += 1
    return out


def _char_kind(a: str, b: str) -> str:
    if any(c in confusables.LOOKALIKES for c in a + b):
        return "lookalike"
    na, nb = unicodedata.normalize("NFKC", a), unicodedata.normalize("NFKC", b)
    if na == nb:
        return "width"
    if na.lower() == nb.lower():
        return "case"
    if all(c in HYPHEN_LIKE + "-" for c in a + b):
        return "hyphen"
    return "confusable"


def _name_insertion(text: str, present_in: str, where: str) -> Difference:
    kind = "space" if text.isspace() else ("invisible" if not strip_invisible(text) else "extra")
    name = confusables.char_name_seq(text)
    if present_in == "second":
        return Difference("", text, f"2回目にだけ{where}{name}があります", kind if kind != "extra" else "extra")
    return Difference(text, "", f"1回目にだけ{where}{name}があります", kind if kind != "extra" else "missing")


def name_segment(seg: Segment, *, at_start: bool = False, at_end: bool = False) -> list[Difference]:
    """Every difference in one non-equal segment, in words."""
    where = "先頭に" if at_start else ("末尾に" if at_end else "")
    if seg.op == EQUAL:
        return []
    if seg.op == INSERT:
        return [_name_insertion(seg.second, "second", where)]
    if seg.op == DELETE:
        return [_name_insertion(seg.first, "first", where)]
    a, b = seg.first, seg.second
    if seg.transposed:
        return [Difference(a, b, f"{confusables.describe_pair(a, b)}(隣り合う文字の入れ替わり)", "transposition")]
    conf = confusables.explain(a, b)
    if conf is not None:
        return [Difference(a, b, conf.description, _char_kind(a, b))]
    if len(a) == len(b) and len(a) > 1:
        # name each differing character of an equal-length stretch separately
        out: list[Difference] = []
        for x, y in zip(a, b):
            if x != y:
                out.extend(name_segment(Segment(REPLACE, x, y)))
        return out
    return [Difference(a, b, confusables.describe_pair(a, b), "other")]


def name_differences(segments: list[Segment] | tuple[Segment, ...]) -> list[Difference]:
    out: list[Difference] = []
    last = len(segments) - 1
    for i, seg in enumerate(segments):
        out.extend(name_segment(seg, at_start=i == 0 and seg.op != REPLACE,
                                at_end=i == last and seg.op != REPLACE and i != 0))
    return out


def raw_differences(first_raw: str, second_raw: str, kind: str = "account_id") -> list[Difference]:
    """Differences between the typed values that the normalisation makes disappear.

    A stretch of the raw diff whose two sides normalise to the same text (Ｔ/t, a trailing
    space, ｰ/-) would be invisible in the normalised comparison; name it anyway.
    """
    norm = normalizer(kind)
    segs = diff(first_raw, second_raw)
    out: list[Difference] = []
    last = len(segs) - 1
    for i, seg in enumerate(segs):
        if seg.op == EQUAL:
            continue
        pieces = [seg]
        if seg.op == REPLACE and len(seg.first) == len(seg.second) and not seg.transposed:
            pieces = [Segment(REPLACE, x, y) for x, y in zip(seg.first, seg.second) if x != y]
        for piece in pieces:
            if norm(piece.first) != norm(piece.second):
                continue  # a real difference: already named on the normalised values
            if piece.op == REPLACE:
                conf = confusables.explain(piece.first, piece.second)
                text = conf.description if conf else confusables.describe_pair(piece.first, piece.second)
                kind_ = "hyphen" if all(c in HYPHEN_LIKE + "-" for c in piece.first + piece.second) else _char_kind(piece.first, piece.second)
                out.append(Difference(piece.first, piece.second, text, kind_))
            else:
                out.extend(name_segment(piece, at_start=i == 0, at_end=i == last and i != 0))
    return out


def compare(first_raw: str | None, second_raw: str | None, kind: str = "account_id") -> Comparison:
    """Compare two typed values of one field; see the module docstring for the rules."""
    fr, sr = str(first_raw or ""), str(second_raw or "")
    norm = normalizer(kind)
    a, b = norm(fr), norm(sr)
    segs = tuple(diff(a, b))
    return Comparison(
        first_raw=fr, second_raw=sr, first=a, second=b, segments=segs,
        differences=tuple(name_differences(segs)),
        raw_differences=tuple(raw_differences(fr, sr, kind)) if fr != sr else (),
    )


def raw_features(raw: str | None) -> list[str]:
    """What the normalisation will change in one typed value, in words (「全角文字を含む」)."""
    text = str(raw or "")
    notes = []
    if any(unicodedata.east_asian_width(c) == "F" and unicodedata.normalize("NFKC", c) != c for c in text):
        notes.append("全角文字を含む")
    if any(c in HYPHEN_LIKE for c in text):
        notes.append("ハイフンに似た文字(ー・－など)を含む")
    if text != text.strip():
        notes.append("前後に空白がある")
    elif _SPACE.search(text):
        notes.append("途中に空白がある")
    if strip_invisible(text) != text:
        notes.append("見えない文字を含む")
    if any(c.isupper() for c in text):
        notes.append("英大文字を含む")
    look = confusables.lookalikes_in(text)
    if look:
        notes.append("英字に見える別の文字を含む: " + "、".join(confusables.char_name(c) for c in look))
    return notes
