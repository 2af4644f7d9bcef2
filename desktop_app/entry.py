"""A row of the 別添 form and the states it goes through at a station."""
from __future__ import annotations

from dataclasses import dataclass, fields
from enum import StrEnum
from typing import Any


class Status(StrEnum):
    DRAFT = "draft"  # being typed by the 入力者
    AWAITING = "awaiting_verification"  # first entry complete, waiting for a blind second entry
    CONFLICT = "conflict"  # second entry differs twice the same way: needs adjudication
    VERIFIED = "verified"  # ready to export
    EXPORTED = "exported"  # written to a signed file for HQ
    RETURNED = "returned"  # sent back by HQ (差戻し) for correction


STATUS_LABELS = {
    Status.DRAFT: "下書き",
    Status.AWAITING: "確認待ち",
    Status.CONFLICT: "不一致(判定待ち)",
    Status.VERIFIED: "確認済み",
    Status.EXPORTED: "送付済み",
    Status.RETURNED: "差戻し",
}

EDITABLE = frozenset({Status.DRAFT, Status.AWAITING, Status.CONFLICT, Status.VERIFIED, Status.RETURNED})
DELETABLE = frozenset({Status.DRAFT, Status.AWAITING, Status.CONFLICT, Status.RETURNED})


@dataclass
class Entry:
    id: str
    position: int
    status: Status
    entered_by: int
    created_at: str
    updated_at: str
    form: str = "line_works"
    account_id_raw: str | None = None
    account_id: str | None = None
    user_name: str | None = None
    organization: str | None = None
    case_type: str | None = None
    refinement: str | None = None
    station: str | None = None
    recognized_on: str | None = None
    recognized_on_text: str | None = None
    verified_by: int | None = None
    verified_at: str | None = None
    exported_at: str | None = None
    export_id: str | None = None

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> "Entry":
        names = {f.name for f in fields(cls)}
        data = {k: v for k, v in row.items() if k in names}
        data["status"] = Status(data["status"])
        return cls(**data)

    def values(self) -> dict[str, Any]:
        """The form's fields as validation expects them."""
        return {
            "account_id": self.account_id,
            "account_id_raw": self.account_id_raw,
            "user_name": self.user_name,
            "organization": self.organization,
            "case_type": self.case_type,
            "refinement": self.refinement,
            "station": self.station,
            "recognized_on": self.recognized_on or self.recognized_on_text,
        }
