"""States of a row received at HQ, with their Japanese labels (issue 5: 受理 … 誤依頼, 未確認)."""
from __future__ import annotations

from enum import StrEnum


class RowStatus(StrEnum):
    UNCONFIRMED = "unconfirmed"  # from an unsigned hand-filled file: a person must confirm it
    RECEIVED = "received"  # 受理: imported from a signed file (or confirmed unsigned)
    CONFIRMED = "confirmed"  # 確認済: HQ checked it; goes into the next daily batch
    RETURNED = "returned"  # 差戻し: sent back to the station for correction
    HELD = "held"  # 保留: kept out of daily batches (捜査に支障)
    SENT = "sent"  # 送付済: in a daily batch for the NPA
    MISTAKEN = "mistaken"  # 誤依頼: reported to the NPA as a mistaken request
    SUPERSEDED = "superseded"  # a returned row whose corrected version arrived later


STATUS_LABELS = {
    RowStatus.UNCONFIRMED: "未確認",
    RowStatus.RECEIVED: "受理",
    RowStatus.CONFIRMED: "確認済",
    RowStatus.RETURNED: "差戻し",
    RowStatus.HELD: "保留",
    RowStatus.SENT: "送付済",
    RowStatus.MISTAKEN: "誤依頼",
    RowStatus.SUPERSEDED: "再送により置換",
}

# Rows HQ may still change its mind about (confirm, return, hold).
OPEN_STATUSES = frozenset({RowStatus.UNCONFIRMED, RowStatus.RECEIVED, RowStatus.CONFIRMED})

# Import outcomes of one file (the JSON "status" of ``import --json``).
IMPORTED = "imported"
NEEDS_CONFIRMATION = "needs_confirmation"
ALREADY_IMPORTED = "already_imported"
REFUSED = "refused"
CANCELLED = "cancelled"


def label(status: str) -> str:
    try:
        return STATUS_LABELS[RowStatus(status)]
    except ValueError:
        return status
