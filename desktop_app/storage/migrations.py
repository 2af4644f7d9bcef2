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


@MIGRATIONS()
def m002_hq_received(db: Database) -> None:
    """HQ tier: files and rows received from stations, outgoing batches, the receipt log;
    station tier: the reasons HQ gave for returned rows."""
    db["hq_files"].create(
        {"id": int, "file_hash": str, "file_name": str, "kind": str, "unit_id": str, "unit_name": str,
         "key_id": str, "sequence": int, "batch_id": str, "prefecture_code": str, "signed": int,
         "status": str, "rows": int, "received_at": str, "received_on": str, "confirmed_by": int,
         "confirmed_at": str},
        pk="id", not_null={"file_hash", "kind", "signed", "status", "received_at"},
    )
    db["hq_files"].create_index(["file_hash"], unique=True)
    db["hq_files"].create_index(["unit_id", "sequence"])
    db["hq_rows"].create(
        {"rid": int, "row_id": str, "file_id": int, "position": int, "unit_id": str,
         "account_id_raw": str, "account_id": str, "skeleton": str, "user_name": str,
         "organization": str, "case_type": str, "refinement": str, "station": str,
         "recognized_on": str, "recognized_on_text": str, "status": str, "errors": int,
         "warnings": int, "issues": str, "dups": str, "problem": int, "received_on": str,
         "received_at": str, "reason": str, "hold_until": str, "batch_day": str, "batch_id": str,
         "sent_at": str, "sent_by": str, "decided_by": int, "decided_at": str},
        pk="rid", not_null={"status", "received_at"}, defaults={"problem": 0, "errors": 0, "warnings": 0},
    )
    for cols in (["account_id"], ["skeleton"], ["row_id"], ["file_id"], ["status", "received_on"],
                 ["received_on"], ["station"], ["batch_day"]):
        db["hq_rows"].create_index(cols)
    db["hq_batches"].create(
        {"id": int, "kind": str, "day": str, "batch_id": str, "file_name": str, "file_hash": str,
         "rows": int, "created_at": str, "created_by": int, "deadline": str, "target_unit": str},
        pk="id", not_null={"kind", "created_at"},
    )
    db["hq_batches"].create_index(["kind", "day"])
    db["receipt_log"].create(
        {"id": int, "at": str, "file_hash": str, "file_name": str, "unit_id": str, "key_id": str,
         "sequence": int, "kind": str, "result": str, "detail": str, "prev_hash": str, "hash": str},
        pk="id", not_null={"at", "file_hash", "result", "hash"},
    )
    db["receipt_log"].create_index(["file_hash"])
    db["receipt_log"].create_index(["unit_id", "sequence"])
    # The receipt log is the evidence of what arrived when: the application may only append to it.
    db.execute("CREATE TRIGGER receipt_log_no_update BEFORE UPDATE ON receipt_log "
               "BEGIN SELECT RAISE(ABORT, 'receipt_log is append-only'); END")
    db.execute("CREATE TRIGGER receipt_log_no_delete BEFORE DELETE ON receipt_log "
               "BEGIN SELECT RAISE(ABORT, 'receipt_log is append-only'); END")
    db["station_returns"].create(
        {"id": int, "entry_id": str, "reason": str, "file_hash": str, "from_unit": str, "returned_at": str,
         "kind": str},
        pk="id", not_null={"entry_id", "returned_at"},
    )
    db["station_returns"].create_index(["entry_id"])


@MIGRATIONS()
def m003_npa_outcomes(db: Database) -> None:
    """What was asked of LINE WORKS Corp. (per row) and what the provider did (per account).

    The same tables exist at every tier: the NPA fills them when it sends the provider file and records
    results; HQ and stations fill them from the signed outcomes files that flow back down, so every
    tier's statistics are computed the same way from the same shape of rows.
    """
    db["provider_requests"].create(
        {
            "row_id": str,  # the row's stable id across tiers
            "account_id": str,  # normalised; the provider acts per account
            "account_id_raw": str,
            "user_name": str,
            "organization": str,
            "case_type": str,
            "refinement": str,
            "prefecture_code": str,
            "prefecture": str,
            "station": str,
            "recognized_on": str,  # ISO
            "requested_on": str,  # ISO: the day the row went to the provider
            "provider_file": str,  # id of the provider file that carried it
            "mistaken_on": str,  # ISO: reported as 誤依頼 after it was sent
            "mistaken_reason": str,
            "withdrawn_on": str,  # ISO: listed in a withdrawal list for the provider
            "withdrawal_file": str,
            "received_from": str,  # how this tier learnt of the row (npa / file sha256)
        },
        pk="row_id", not_null={"account_id", "requested_on"},
    )
    db["provider_requests"].create_index(["account_id"])
    db["provider_requests"].create_index(["requested_on"])
    db["account_outcomes"].create(
        {"account_id": str, "outcome": str, "outcome_on": str, "recorded_at": str, "recorded_by": int,
         "source": str, "note": str},
        pk="account_id", not_null={"outcome", "recorded_at"},
    )
    db["provider_files"].create(
        {"id": str, "kind": str, "created_at": str, "file_name": str, "sha256": str, "rows": int,
         "detail": str},
        pk="id", not_null={"kind", "created_at"},
    )


@MIGRATIONS()
def m004_dual_entry(db: Database) -> None:
    # One request per time a row is handed to verification (EntryService.mark_ready); attempts and
    # decisions belong to a request, so a row whose ID was edited starts its blind check afresh.
    db["verification_requests"].create(
        {"id": int, "entry_id": str, "requested_by": int, "at": str},
        pk="id", not_null={"entry_id", "at"},
    )
    db["verification_requests"].create_index(["entry_id"])
    db["verification_attempts"].create(
        {"id": int, "entry_id": str, "request_id": int, "column": str, "officer_id": int,
         "typed_raw": str, "normalized": str, "attempt": int, "result": str, "at": str},
        pk="id", not_null={"entry_id", "request_id", "column", "officer_id", "attempt", "result", "at"},
        foreign_keys=[("officer_id", "officers", "id")],
    )
    db["verification_attempts"].create_index(["entry_id", "request_id", "column"])
    db["adjudications"].create(
        {"id": int, "entry_id": str, "request_id": int, "column": str, "officer_id": int,
         "chosen_raw": str, "chosen": str, "choice": str, "first_raw": str, "second_raw": str,
         "first_officer_id": int, "second_officer_id": int, "reason": str, "at": str},
        pk="id", not_null={"entry_id", "request_id", "column", "officer_id", "chosen", "reason", "at"},
        foreign_keys=[("officer_id", "officers", "id")],
    )
    db["adjudications"].create_index(["entry_id", "request_id", "column"])


@MIGRATIONS()
def m005_exchange_keys_trust(db: Database) -> None:
    """Signed exchange files: this unit's keys and export numbering, the trust list of other units'
    public keys, and the sequence numbers seen from each unit (replay refusal, gap warnings)."""
    db["own_keys"].create(
        {"key_id": str, "public_key": str, "fingerprint": str, "protection": str, "created_at": str,
         "status": str, "retired_at": str},
        pk="key_id", not_null={"public_key", "fingerprint", "created_at", "status"},
    )
    db["export_counter"].create({"name": str, "value": int}, pk="name", not_null={"value"})
    db["exports"].create(
        {"id": str, "kind": str, "sequence": int, "batch_id": str, "file_name": str, "sha256": str,
         "rows": int, "test": int, "key_id": str, "created_at": str, "created_by": int},
        pk="id", not_null={"kind", "created_at"},
    )
    db["trust_keys"].create(
        {"key_id": str, "unit_id": str, "unit_name": str, "tier": str, "prefecture_code": str,
         "public_key": str, "fingerprint": str, "not_before": str, "not_after": str, "status": str,
         "revoked_at": str, "supersedes": str, "added_at": str, "added_by": int, "note": str},
        pk="key_id", not_null={"unit_id", "public_key", "fingerprint", "status", "added_at"},
    )
    db["trust_keys"].create_index(["unit_id"])
    db["seen_sequences"].create(
        {"unit_id": str, "sequence": int, "file_sha256": str, "batch_id": str, "kind": str, "seen_at": str},
        pk=("unit_id", "sequence"), not_null={"seen_at"},
    )


@MIGRATIONS()
def m006_hq_rows_lookup_by_skeleton(db: Database) -> None:
    """HQ duplicate lookups go through the skeleton index alone: an equal account ID has an equal
    skeleton, so ``skeleton IN (...)`` finds exact and look-alike duplicates in one index search.
    The account_id index was a third random-key index every received row had to be written into
    (about a third of an import's time at a million rows). Because exact duplicates now depend on
    stored skeletons being computed by today's rules, ``hq_meta`` records the rules' fingerprint
    and the import recomputes every skeleton when it differs (desktop_app/hq/skeleton.py)."""
    db.execute("DROP INDEX IF EXISTS idx_hq_rows_account_id")
    db["hq_meta"].create({"key": str, "value": str}, pk="key", not_null={"value"})
