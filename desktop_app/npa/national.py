"""National view of the rows the prefectures sent: duplicates across prefectures, mistaken requests.

Rows live in HQ's tables (``hq_rows`` / ``hq_files``, filled by HQ's importer running with tier
``npa``); the prefecture of a row is that of the signed file it came in. A national duplicate is the
same normalised account ID from two prefectures (or a confusable look-alike, by HQ's skeleton), or
an account already sent to the provider on an earlier day. Duplicates are shown, never dropped: the
provider file carries the account once and names every prefecture that asked.
"""
from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from desktop_app import resources
from desktop_app.hq.statuses import RowStatus
from desktop_app.storage.audit_repo import AuditRepo
from desktop_app.storage.database import Database
from desktop_app.storage.outcomes_repo import OutcomesRepo
from desktop_app.storage.received_repo import ReceivedRepo

log = logging.getLogger(__name__)

# Rows the NPA may still send to the provider.
OPEN = (RowStatus.RECEIVED.value, RowStatus.CONFIRMED.value)
LIVE = OPEN + (RowStatus.SENT.value,)


def prefecture_name(code: str | None) -> str:
    if not code:
        return ""
    try:
        return resources.prefecture(code).name
    except KeyError:
        return code


@dataclass
class NationalDuplicate:
    account_id: str
    kind: str  # "same" (identical after normalisation) | "confusable" (look-alike) | "sent" (already with the provider)
    rows: list[dict[str, Any]] = field(default_factory=list)
    first_requested_on: str | None = None

    @property
    def prefectures(self) -> list[str]:
        return sorted({r["prefecture"] for r in self.rows if r.get("prefecture")})

    @property
    def message(self) -> str:
        prefs = "・".join(self.prefectures)
        if self.kind == "sent":
            return f"{self.account_id} は{self.first_requested_on}に事業者へ依頼済みです(今回: {prefs})"
        if self.kind == "confusable":
            ids = "、".join(sorted({r["account_id"] for r in self.rows}))
            return f"紛らわしい文字だけが異なるID({ids})が複数の都道府県({prefs})から届いています"
        return f"{self.account_id} が複数の都道府県({prefs})から届いています"

    def to_dict(self) -> dict[str, Any]:
        return {"account_id": self.account_id, "kind": self.kind, "prefectures": self.prefectures,
                "first_requested_on": self.first_requested_on, "message": self.message,
                "rows": [{k: r.get(k) for k in ("row_id", "prefecture", "station", "status", "received_on")}
                         for r in self.rows]}


class NationalService:
    def __init__(self, database: Database, *, today: Callable[[], dt.date] = dt.date.today):
        self._db = database
        self.outcomes = OutcomesRepo(database)
        self._received = ReceivedRepo(database)
        self._audit = AuditRepo(database)
        self._today = today

    # ---- rows ------------------------------------------------------------------------------
    def rows(self, statuses: Sequence[str] = OPEN, *, where: str = "", args: Sequence[Any] = ()) -> list[dict[str, Any]]:
        """Received rows with the prefecture of the file they came in."""
        out = self._received.rows_with_source_file(statuses, where=where, args=args)
        for row in out:
            row["prefecture"] = prefecture_name(row["prefecture_code"])
        return out

    def duplicates(self) -> list[NationalDuplicate]:
        """Same account from two prefectures, look-alikes across prefectures, accounts already sent."""
        rows = self.rows(LIVE)
        by_account: dict[str, list[dict[str, Any]]] = {}
        by_skeleton: dict[str, list[dict[str, Any]]] = {}
        for r in rows:
            if r.get("account_id"):
                by_account.setdefault(r["account_id"], []).append(r)
            if r.get("skeleton"):
                by_skeleton.setdefault(r["skeleton"], []).append(r)
        out: list[NationalDuplicate] = []
        for acc, group in by_account.items():
            if len({g["prefecture_code"] for g in group}) > 1:
                out.append(NationalDuplicate(acc, "same", group))
        for skel, group in by_skeleton.items():
            ids = {g["account_id"] for g in group}
            if len(ids) > 1 and len({g["prefecture_code"] for g in group}) > 1:
                out.append(NationalDuplicate(sorted(ids)[0], "confusable", group))
        sent = self.outcomes.sent_accounts()
        sent_rows = self.outcomes.sent_row_ids()
        for acc, group in by_account.items():
            new = [g for g in group if g["status"] in OPEN and g["row_id"] not in sent_rows]
            if new and acc in sent:
                out.append(NationalDuplicate(acc, "sent", new, first_requested_on=sent[acc]))
        return sorted(out, key=lambda d: (d.kind, d.account_id))

    # ---- mistaken requests -----------------------------------------------------------------
    def handle_mistaken(self, row_ids: Iterable[str], *, reason: str | None, officer_id: int | None) -> dict[str, list[str]]:
        """A prefecture reported rows as 誤依頼 (HQ's importer has already marked them).

        Rows not yet sent simply stay out of the provider file. Rows already sent are listed for a
        withdrawal (取下げ) to the provider, written with the next provider file or at once by
        ``ProviderFileService.write_withdrawals``.
        """
        today = self._today().isoformat()
        withdraw, unsent = [], []
        with self._db.transaction():
            for rid in row_ids:
                req = self.outcomes.request(rid)
                if req is None:
                    unsent.append(rid)
                    continue
                if not req.get("mistaken_on"):
                    self.outcomes.mark_mistaken(rid, today, reason)
                withdraw.append(rid)
            self._audit.append("npa.mistaken", officer_id=officer_id, entity="rows", entity_id=",".join(withdraw + unsent)[:200],
                               detail={"withdraw": withdraw, "not_sent": unsent, "reason": reason})
        log.info("mistaken request: %d to withdraw, %d not yet sent", len(withdraw), len(unsent))
        return {"withdraw": withdraw, "not_sent": unsent}
