"""Schema history. Add a new function at the end; never edit one that has shipped."""
from __future__ import annotations

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

MIGRATIONS = Migrations("teishi")


@MIGRATIONS()
def m001_initial(db: Database) -> None:
    db["settings"].create({"key": str, "value": str}, pk="key")
    db["officers"].create(
        {"id": int, "staff_no": str, "name": str, "pin_hash": str, "active": int, "created_at": str},
        pk="id", not_null={"staff_no", "name", "pin_hash"}, defaults={"active": 1},
    )
    db["officers"].create_index(["staff_no"], unique=True)
    db["stations"].create(
        {"id": int, "prefecture_code": str, "name": str, "code": str, "valid_from": str,
         "valid_to": str, "successor": str, "note": str},
        pk="id", not_null={"prefecture_code", "name"},
    )
    db["stations"].create_index(["prefecture_code", "name", "valid_from"], unique=True)
    db["entries"].create(
        {
            "id": str,  # stable across tiers (uuid4)
            "form": str,
            "position": int,
            "account_id_raw": str,
            "account_id": str,
            "user_name": str,
            "organization": str,
            "case_type": str,
            "refinement": str,
            "station": str,
            "recognized_on": str,  # ISO, NULL while unreadable
            "recognized_on_text": str,  # what was typed
            "status": str,
            "entered_by": int,
            "created_at": str,
            "updated_at": str,
            "verified_by": int,
            "verified_at": str,
            "exported_at": str,
            "export_id": str,
        },
        pk="id",
        not_null={"form", "position", "status", "entered_by", "created_at", "updated_at"},
        foreign_keys=[("entered_by", "officers", "id"), ("verified_by", "officers", "id")],
        defaults={"form": "line_works", "status": "draft"},
    )
    db["entries"].create_index(["account_id"])
    db["entries"].create_index(["status"])
    db["entries"].create_index(["position"], unique=True)
    db["audit_log"].create(
        {"id": int, "at": str, "officer_id": int, "action": str, "entity": str, "entity_id": str,
         "detail": str, "prev_hash": str, "hash": str},
        pk="id", not_null={"at", "action", "hash"},
    )
    # The audit log is evidence: the application may only append to it.
    db.execute(
        "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log "
        "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END"
    )
    db.execute(
        "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log "
        "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END"
    )
