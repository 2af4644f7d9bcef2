"""類型 and the 特殊詐欺 手口 refinement: how they are stored, shown and read back."""
from __future__ import annotations

import functools
import re
import unicodedata

from desktop_app import resources


def label(case_type: str, refinement: str | None = None) -> str:
    """"特殊詐欺(オレオレ詐欺)" when refined, else the case type alone."""
    return f"{case_type}({refinement})" if refinement else case_type


_LABEL = re.compile(r"^(?P<t>[^()]+?)\s*(?:\((?P<r>[^()]+)\))?$")


def parse_label(text: str) -> tuple[str, str | None] | None:
    """Read "特殊詐欺(オレオレ詐欺)", "オレオレ詐欺" (implies 特殊詐欺) or a plain case type.

    Returns None when the text names no known case type.
    """
    return _parse_label(str(text or ""))


# A file repeats the same few labels on every row, and the choices are fixed per process
# (resources.case_types()/refinements() are cached), so the answer for a text never changes.
@functools.lru_cache(maxsize=1024)
def _parse_label(text: str) -> tuple[str, str | None] | None:
    s = unicodedata.normalize("NFKC", text).strip().replace(" ", "").replace("　", "")
    if not s:
        return None
    m = _LABEL.match(s)
    if not m:
        return None
    t, r = m["t"], m["r"]
    types = resources.case_types()
    refs = resources.refinements()
    if t in types:
        if r is None:
            return t, None
        return (t, r) if r in refs.get(t, ()) else None
    for parent, options in refs.items():
        if t in options and r is None:
            return parent, t
    return None


def all_labels() -> list[str]:
    """Every choice, in the order the entry list offers them."""
    out: list[str] = []
    for t in resources.case_types():
        out.append(t)
        out.extend(label(t, r) for r in resources.refinements().get(t, ()))
    return out
