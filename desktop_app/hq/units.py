"""Units HQ receives from: their registered keys (the exchange trust list), last sequence number and
last file received, and key registration / revocation (delegated to the trust service, so the CLI
``trust`` commands and this screen change the same list)."""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from desktop_app.storage.received_repo import ReceivedRepo
from desktop_app.storage.trust_repo import TrustRepo

log = logging.getLogger(__name__)


@dataclass
class UnitInfo:
    unit_id: str
    unit_name: str | None
    keys: list[dict[str, Any]] = field(default_factory=list)
    last_sequence: int | None = None
    last_file: str | None = None
    last_received_at: str | None = None
    files: int = 0

    @property
    def active_keys(self) -> list[dict[str, Any]]:
        return [k for k in self.keys if k.get("status") == "active"]

    def to_json(self) -> dict[str, Any]:
        return {"unit_id": self.unit_id, "unit_name": self.unit_name, "last_sequence": self.last_sequence,
                "last_file": self.last_file, "last_received_at": self.last_received_at, "files": self.files,
                "keys": [{k: key.get(k) for k in ("key_id", "fingerprint", "status", "not_before", "not_after",
                                                  "revoked_at", "added_at")} for key in self.keys]}


class UnitsService:
    def __init__(self, ctx, database, received: ReceivedRepo):
        self._ctx = ctx
        self._db = database
        self._trust = TrustRepo(database)
        self._received = received

    def _service(self):
        from desktop_app.services.trust import TrustService

        return TrustService(self._db)

    def list(self) -> list[UnitInfo]:
        units: dict[str, UnitInfo] = {}
        for key in self._trust.all():
            if key.get("tier") not in (None, "station", "hq"):
                continue
            u = units.setdefault(key["unit_id"], UnitInfo(key["unit_id"], key.get("unit_name")))
            u.keys.append(key)
        for unit_id, s in self._received.unit_summaries().items():
            u = units.setdefault(unit_id, UnitInfo(unit_id, s.get("unit_name")))
            u.last_sequence = s["last_sequence"]
            u.last_file = s["last_file"]
            u.last_received_at = s["last_received_at"]
            u.files = s["files"]
            u.unit_name = u.unit_name or s.get("unit_name")
        return sorted(units.values(), key=lambda u: (u.unit_name or "", u.unit_id))

    def register(self, public_key_text: str, fingerprint: str, *, officer_id: int | None = None, **kw: Any) -> Any:
        """Register a station's public key; the fingerprint read back out of band must match."""
        return self._service().add(public_key_text, fingerprint, officer_id=officer_id, **kw)

    def revoke(self, key_id: str, *, officer_id: int | None = None, reason: str = "") -> None:
        self._service().revoke(key_id, officer_id=officer_id, reason=reason)
