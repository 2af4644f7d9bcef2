"""What the provider can do with a requested account (circular 4(1): it decides), with labels."""
from __future__ import annotations

import unicodedata
from enum import StrEnum


class Outcome(StrEnum):
    SUSPENDED = "suspended"  # 利用停止
    DELETED = "deleted"  # 削除
    NO_ACTION = "no_action"  # 措置なし
    PENDING = "pending"  # 確認中


OUTCOME_LABELS = {
    Outcome.SUSPENDED: "利用停止",
    Outcome.DELETED: "削除",
    Outcome.NO_ACTION: "措置なし",
    Outcome.PENDING: "確認中",
}

ACTED = frozenset({Outcome.SUSPENDED, Outcome.DELETED})

# Words a provider's result sheet or a person may use for each outcome (compared after NFKC).
_ALIASES = {
    Outcome.SUSPENDED: ("利用停止", "停止", "停止済", "停止済み", "利用停止済", "suspended", "suspend"),
    Outcome.DELETED: ("削除", "削除済", "削除済み", "アカウント削除", "deleted", "delete"),
    Outcome.NO_ACTION: ("措置なし", "措置無し", "対応なし", "対応無し", "該当なし", "no_action", "none",
                        "no action"),
    Outcome.PENDING: ("確認中", "調査中", "対応中", "pending"),
}
_LOOKUP = {unicodedata.normalize("NFKC", w).strip().lower(): o for o, ws in _ALIASES.items() for w in ws}


def parse_outcome(text: object) -> Outcome | None:
    """The outcome a cell or argument names, or None when it names none."""
    if text is None:
        return None
    key = unicodedata.normalize("NFKC", str(text)).strip().lower()
    key = key.replace(" ", "") if key not in _LOOKUP else key
    if key in _LOOKUP:
        return _LOOKUP[key]
    # 「利用停止済み」「削除しました」「措置なし。」: the provider's wording around the same word
    for suffix in ("しました", "済み", "済", "完了", "。", "."):
        if key.endswith(suffix) and key[: -len(suffix)] in _LOOKUP:
            return _LOOKUP[key[: -len(suffix)]]
    return None


def label(outcome: str | None) -> str:
    if not outcome:
        return "未回答"
    try:
        return OUTCOME_LABELS[Outcome(outcome)]
    except ValueError:
        return outcome


def choices_text() -> str:
    return "・".join(OUTCOME_LABELS.values())
