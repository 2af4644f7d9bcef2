"""Normalisation of account IDs and names before they are compared.

LINE WORKS treats IDs as lower case, and paste from a victim's screenshot OCR or from Excel
brings full-width letters, look-alike hyphens and invisible characters. Comparisons are made on
the normalised form; what was typed is kept beside it as evidence.
"""
from __future__ import annotations

import re
import unicodedata

# Every character an officer's keyboard, IME or a pasted document can produce for "-".
HYPHEN_LIKE = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u30fc\uff70\uff0d\u2043\ufe58\ufe63\u02d7\u2e3a\u2e3b"

# Zero-width and formatting characters that are invisible on screen but break a comparison.
_INVISIBLE = re.compile(
    "[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e"
    "\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\U000e0000-\U000e0fff]"
)
_HYPHENS = re.compile(f"[{re.escape(HYPHEN_LIKE)}]")
_SPACE = re.compile(r"\s+")


def strip_invisible(text: str) -> str:
    return _INVISIBLE.sub("", text)


def normalize_account_id(raw: str | None) -> str:
    """NFKC, hyphen-like → "-", invisible characters and all spaces removed, lower case.

    Hyphens are mapped before NFKC because NFKC turns "ｰ" (half-width prolonged sound mark) into
    "ー", which is not a hyphen to Unicode but is one to a person copying an ID.
    """
    if raw is None:
        return ""
    text = str(raw)
    # Fast path: every invisible and hyphen-like character is non-ASCII and NFKC leaves ASCII
    # unchanged, so printable ASCII without a space only needs lower-casing (non-printable ASCII,
    # such as tabs and \x1c-\x1f, which ``\s`` also removes, takes the full path).
    if text.isascii() and text.isprintable() and " " not in text:
        return text.lower()
    return _normalize_slow(text)


def _normalize_slow(text: str) -> str:
    text = strip_invisible(text)
    text = _HYPHENS.sub("-", text)
    text = unicodedata.normalize("NFKC", text)
    text = _HYPHENS.sub("-", text)
    text = _SPACE.sub("", text)
    return text.lower()


def normalize_display_text(raw: str | None) -> str:
    """What is stored for ユーザー名 / 企業・団体名: exactly what was typed, minus surrounding blanks.

    Decorative characters are evidence, so nothing inside the text is changed.
    """
    if raw is None:
        return ""
    return str(raw).strip()


def name_key(text: str | None) -> str:
    """A comparison key for display names: NFKC + casefold, invisible characters and spaces dropped.

    Only used to find duplicates; never shown or exported.
    """
    if not text:
        return ""
    key = unicodedata.normalize("NFKC", strip_invisible(str(text))).casefold()
    return _SPACE.sub("", key)
