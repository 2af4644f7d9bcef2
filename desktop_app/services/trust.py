"""This unit's signing key and the trust list of the units whose files it accepts.

``KeyService`` creates the unit's key on first need and shows its fingerprint; ``TrustService`` is
the receiver's trust list (the ``TrustStore`` that ``exchange.verify`` consults): public keys are
registered only when the fingerprint read out by the sender (phone, stamped form) matches, with a
validity window, a status (active / retired / revoked) and the key a new key supersedes. It also
remembers the sequence numbers received from each unit (replay refusal, gap warnings), and HQ can
export the whole list as a signed workbook (document kind ``trust_list``).
"""
from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from desktop_app import resources
from desktop_app.exchange.verify import TrustedKey
from desktop_app.exchange.workbook_writer import ColumnSpec
from desktop_app.exchange.writer import OutgoingDocument, WrittenFile, write_exchange_file
from desktop_app.paths import DataDir
from desktop_app.services.errors import ServiceError
from desktop_app.signing_keys import KeyStore, PublicKeyInfo, normalize_fingerprint
from desktop_app.storage.audit_repo import AuditRepo
from desktop_app.storage.database import Database
from desktop_app.storage.keys_repo import KeysRepo
from desktop_app.storage.trust_repo import TrustRepo

log = logging.getLogger(__name__)

STATUSES = ("active", "retired", "revoked")
STATUS_LABELS = {"active": "有効", "retired": "切替済み", "revoked": "失効"}


def _now() -> dt.datetime:
    return dt.datetime.now().astimezone()


def _iso(t: dt.datetime | None) -> str | None:
    return t.isoformat(timespec="seconds") if t else None


def _parse_time(value: str | dt.date | dt.datetime | None, *, end_of_day: bool = False) -> dt.datetime | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.astimezone()
    if isinstance(value, dt.date):
        value = value.isoformat()
    text = str(value).strip()
    try:
        if len(text) == 10:
            d = dt.date.fromisoformat(text)
            t = dt.time(23, 59, 59) if end_of_day else dt.time(0, 0)
            return dt.datetime.combine(d, t).astimezone()
        t = dt.datetime.fromisoformat(text)
        return t if t.tzinfo else t.astimezone()
    except ValueError:
        raise ServiceError(f"日時「{text}」が読めません(例: 2026-04-01)") from None


def comment_fields(comment: str) -> dict[str, str]:
    """unit/tier/pref written into our public key files' (untrusted) comment, as defaults only."""
    return dict(part.split("=", 1) for part in comment.split() if "=" in part)


class KeyService:
    def __init__(self, database: Database, data_dir: DataDir, *, passphrase: Callable[[], str | None] | None = None,
                 protection: str = "auto", kdf_limits: tuple[int, int] | None = None):
        self._db = database
        self._repo = KeysRepo(database)
        self._audit = AuditRepo(database)
        self.store = KeyStore(data_dir.keys, passphrase, protection=protection, kdf_limits=kdf_limits)

    def has_key(self) -> bool:
        return self.store.exists()

    def ensure(self, identity) -> PublicKeyInfo:
        """The unit's public key, creating the pair on first need (setup or first export)."""
        if self.store.exists():
            return self.store.info()
        if identity is None:
            raise ServiceError("先に初期設定(区分・都道府県・警察署)を行ってください")
        comment = f"teishi unit={identity.unit_id} tier={identity.tier} pref={identity.prefecture_code or '00'}"
        info = self.store.generate(comment)
        with self._db.transaction():
            self._repo.add_own_key({"key_id": info.key_id, "public_key": info.public_key,
                                    "fingerprint": info.fingerprint, "protection": self.store.protection,
                                    "created_at": _iso(_now()), "status": "active"})
            self._audit.append("key.generate", entity="key", entity_id=info.key_id,
                               detail={"fingerprint": info.fingerprint, "protection": self.store.protection})
        return info

    def info(self) -> PublicKeyInfo:
        return self.store.info()

    def export_public(self, path: Path) -> PublicKeyInfo:
        info = self.store.info()
        Path(path).write_text(info.file_text(), encoding="ascii")
        return info


@dataclass(frozen=True)
class TrustEntry:
    key: TrustedKey
    fingerprint: str
    supersedes: str | None
    added_at: str

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.key.status, self.key.status)


def _trusted(row: dict) -> TrustedKey:
    return TrustedKey(key_id=row["key_id"], unit_id=row["unit_id"], unit_name=row["unit_name"] or row["unit_id"],
                      tier=row["tier"] or "", prefecture_code=row["prefecture_code"], public_key=row["public_key"],
                      status=row["status"], not_before=_parse_time(row["not_before"]),
                      not_after=_parse_time(row["not_after"]), revoked_at=_parse_time(row["revoked_at"]))


class TrustService:
    """The receiver's trust list; implements ``exchange.verify.TrustStore``."""

    def __init__(self, database: Database):
        self._db = database
        self._repo = TrustRepo(database)
        self._audit = AuditRepo(database)

    # ---- TrustStore ---------------------------------------------------------------------------
    def lookup(self, key_id: str) -> TrustedKey | None:
        row = self._repo.get(key_id)
        return _trusted(row) if row else None

    def sequence_seen(self, unit_id: str, sequence: int) -> bool:
        return self._repo.seen(unit_id, sequence) is not None

    def last_sequence(self, unit_id: str) -> int | None:
        return self._repo.max_seen(unit_id)

    def record_sequence(self, unit_id: str, sequence: int, *, file_sha256: str, batch_id: str | None,
                        kind: str) -> None:
        """Remember a received file's number; call in the import's transaction."""
        self._repo.record_seen({"unit_id": unit_id, "sequence": sequence, "file_sha256": file_sha256,
                                "batch_id": batch_id, "kind": kind, "seen_at": _iso(_now())})

    # ---- managing the list --------------------------------------------------------------------
    def entries(self) -> list[TrustEntry]:
        return [TrustEntry(_trusted(r), r["fingerprint"], r["supersedes"], r["added_at"]) for r in self._repo.all()]

    def add(self, public_key_text: str, confirm_fingerprint: str, *, unit_id: str | None = None,
            unit_name: str | None = None, tier: str | None = None, prefecture: str | None = None,
            not_before: str | dt.datetime | None = None, not_after: str | dt.datetime | None = None,
            supersedes: str | None = None, officer_id: int | None = None) -> TrustEntry:
        info = PublicKeyInfo.parse(public_key_text)
        if normalize_fingerprint(confirm_fingerprint) != normalize_fingerprint(info.fingerprint):
            raise ServiceError("指紋が一致しません。送付元に読み上げてもらった指紋と、公開鍵ファイルの指紋"
                               f"({info.fingerprint})を確認してください。一致しない鍵は登録できません")
        if self._repo.get(info.key_id):
            raise ServiceError(f"鍵ID {info.key_id} はすでに登録されています")
        defaults = comment_fields(info.comment)
        unit_id = (unit_id or defaults.get("unit") or "").strip()
        if not unit_id:
            raise ServiceError("送付元のユニットIDを指定してください")
        tier = tier or defaults.get("tier") or "station"
        pref_code = None
        pref_text = prefecture or defaults.get("pref")
        if pref_text and pref_text != "00":
            try:
                pref_code = resources.prefecture(pref_text).code
            except KeyError:
                raise ServiceError(f"都道府県「{pref_text}」が見つかりません") from None
        if supersedes and not self._repo.get(supersedes):
            raise ServiceError(f"置き換え元の鍵ID {supersedes} は登録されていません")
        nb, na = _parse_time(not_before), _parse_time(not_after, end_of_day=True)
        if nb and na and na < nb:
            raise ServiceError("有効期間の終わりが始まりより前です")
        row = {"key_id": info.key_id, "unit_id": unit_id, "unit_name": (unit_name or unit_id).strip(),
               "tier": tier, "prefecture_code": pref_code, "public_key": info.public_key,
               "fingerprint": info.fingerprint, "not_before": _iso(nb), "not_after": _iso(na),
               "status": "active", "revoked_at": None, "supersedes": supersedes,
               "added_at": _iso(_now()), "added_by": officer_id, "note": None}
        with self._db.transaction():
            self._repo.insert(row)
            if supersedes:
                self._repo.update(supersedes, {"status": "retired"})
            self._audit.append("trust.add", officer_id=officer_id, entity="trust_key", entity_id=info.key_id,
                               detail={k: row[k] for k in ("unit_id", "unit_name", "fingerprint", "supersedes")})
        log.info("trusted key %s for %s", info.key_id, unit_id)
        return next(e for e in self.entries() if e.key.key_id == info.key_id)

    def revoke(self, key_id: str, *, at: str | dt.datetime | None = None, officer_id: int | None = None,
               reason: str = "") -> None:
        key_id = key_id.strip().upper()
        if not self._repo.get(key_id):
            raise ServiceError(f"鍵ID {key_id} は信頼リストにありません")
        when = _parse_time(at) or _now()
        with self._db.transaction():
            self._repo.update(key_id, {"status": "revoked", "revoked_at": _iso(when), "note": reason or None})
            self._audit.append("trust.revoke", officer_id=officer_id, entity="trust_key", entity_id=key_id,
                               detail={"revoked_at": _iso(when), "reason": reason})

    def export_signed(self, path: Path, keys: KeyService, identity, *, sequence: int) -> WrittenFile:
        """HQ publishes the list it trusts (for its stations' records or the NPA), signed with its key."""
        cols = [ColumnSpec("number", "番号", "number", 6), ColumnSpec("unit_id", "ユニットID", "id", 16),
                ColumnSpec("unit_name", "所属", "text", 28), ColumnSpec("key_id", "鍵ID", "id", 18),
                ColumnSpec("fingerprint", "指紋", "id", 42), ColumnSpec("status", "状態", "text", 8),
                ColumnSpec("not_after", "有効期限", "text", 12)]
        rows = [{"unit_id": e.key.unit_id, "unit_name": e.key.unit_name, "key_id": e.key.key_id,
                 "fingerprint": e.fingerprint, "status": e.status_label,
                 "not_after": e.key.not_after.date().isoformat() if e.key.not_after else "",
                 "public_key": e.key.public_key, "tier": e.key.tier, "prefecture_code": e.key.prefecture_code,
                 "key_status": e.key.status, "supersedes": e.supersedes} for e in self.entries()]
        pref = identity.prefecture
        doc = OutgoingDocument(kind="trust_list", unit_id=identity.unit_id, unit_name=identity.unit_name,
                               tier=identity.tier, rows=rows, sequence=sequence,
                               prefecture_code=identity.prefecture_code, prefecture_name=pref.name if pref else None,
                               columns=cols, title="信頼する公開鍵の一覧")
        keys.ensure(identity)
        with keys.store.secret_key() as sk:
            return write_exchange_file(path, doc, sk)
