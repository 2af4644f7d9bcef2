"""The roster: officers who enter and verify rows, each with their own PIN."""
from __future__ import annotations

import datetime as dt
import logging
import threading
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from desktop_app import pin as pins
from desktop_app.services.errors import AuthError, ServiceError
from desktop_app.storage.audit_repo import AuditRepo
from desktop_app.storage.database import Database
from desktop_app.storage.officers_repo import OfficersRepo

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Officer:
    id: int
    staff_no: str
    name: str
    active: bool

    @property
    def label(self) -> str:
        return f"{self.name}({self.staff_no})"


def _officer(row: dict) -> Officer:
    return Officer(row["id"], row["staff_no"], row["name"], bool(row["active"]))


class OfficerService:
    def __init__(self, database: Database):
        self._db = database
        self._repo = OfficersRepo(database)
        self._audit = AuditRepo(database)

    def add(self, staff_no: str, name: str, pin: str, *, by: int | None = None) -> Officer:
        staff_no = unicodedata.normalize("NFKC", staff_no).strip()
        name = name.strip()
        pin = unicodedata.normalize("NFKC", pin).strip()
        if not staff_no:
            raise ServiceError("職員番号を入力してください")
        if not name:
            raise ServiceError("氏名を入力してください")
        if not pins.PIN_PATTERN.match(pin):
            raise ServiceError("暗証番号は数字4〜12桁です")
        if self._repo.by_staff_no(staff_no):
            raise ServiceError(f"職員番号 {staff_no} はすでに登録されています")
        with self._db.transaction():
            oid = self._repo.insert({
                "staff_no": staff_no, "name": name, "pin_hash": pins.hash_pin(pin), "active": 1,
                "created_at": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
            })
            self._audit.append("officer.add", officer_id=by, entity="officer", entity_id=str(oid),
                               detail={"staff_no": staff_no, "name": name})
        log.info("officer %s added", staff_no)
        return Officer(oid, staff_no, name, True)

    def list(self, *, include_inactive: bool = False) -> list[Officer]:
        return [_officer(r) for r in self._repo.all() if include_inactive or r["active"]]

    def get(self, officer_id: int) -> Officer | None:
        row = self._repo.get(officer_id)
        return _officer(row) if row else None

    def authenticate(self, staff_no: str, pin: str, *,
                     meanwhile: Callable[[Officer], object] | None = None) -> Officer:
        """Return the officer whose PIN this is; every attempt is audited.

        ``meanwhile(officer)`` runs on the calling thread while the deliberately slow PIN hash is
        computed on another (scrypt releases the GIL): the front end builds the officer's window in
        that time and throws it away unless this returns. It gets the officer the staff number names,
        before the PIN is known to be right, so it must not show or change anything.
        """
        staff_no = unicodedata.normalize("NFKC", staff_no or "").strip()
        pin = unicodedata.normalize("NFKC", pin or "").strip()
        row = self._repo.by_staff_no(staff_no)
        ok = bool(row and row["active"]) and self._check_pin(pin, row, meanwhile)
        with self._db.transaction():
            self._audit.append("officer.login" if ok else "officer.login_failed",
                               officer_id=row["id"] if ok else None, entity="officer",
                               entity_id=str(row["id"]) if row else "", detail={"staff_no": staff_no})
        if not ok:
            raise AuthError("職員番号または暗証番号が違います")
        return _officer(row)

    @staticmethod
    def _check_pin(pin: str, row: dict, meanwhile: Callable[[Officer], object] | None) -> bool:
        if meanwhile is None:
            return pins.check_pin(pin, row["pin_hash"])
        result: list[bool] = []
        worker = threading.Thread(target=lambda: result.append(pins.check_pin(pin, row["pin_hash"])),
                                  name="teishi-pin-check", daemon=True)
        worker.start()
        try:
            meanwhile(_officer(row))
        finally:
            worker.join()
        return bool(result and result[0])

    def change_pin(self, officer_id: int, new_pin: str, *, by: int | None = None) -> None:
        new_pin = unicodedata.normalize("NFKC", new_pin).strip()
        if not pins.PIN_PATTERN.match(new_pin):
            raise ServiceError("暗証番号は数字4〜12桁です")
        with self._db.transaction():
            self._repo.update(officer_id, {"pin_hash": pins.hash_pin(new_pin)})
            self._audit.append("officer.change_pin", officer_id=by, entity="officer", entity_id=str(officer_id))

    def set_active(self, officer_id: int, active: bool, *, by: int | None = None) -> None:
        with self._db.transaction():
            self._repo.update(officer_id, {"active": int(active)})
            self._audit.append("officer.activate" if active else "officer.deactivate", officer_id=by,
                               entity="officer", entity_id=str(officer_id))
