"""What the HQ pipeline needs from a received file, whatever reader produced it.

``read_incoming`` wraps the exchange package's reader (signature, zip checks, tolerant reading of
unsigned hand-filled files) and turns its document into an ``IncomingFile``; the importer only
sees this shape, so the NPA tier and tests can feed it the same way.
"""
from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

# Document kinds as named in the exchange metadata.
STATION_EXPORT = "station_export"
HQ_DAILY = "hq_daily"
RETURN = "return"
MISTAKEN_REQUEST = "mistaken_request"


@dataclass
class IncomingRow:
    position: int  # row number in the file (番号 or order)
    values: dict[str, Any]  # form column keys → cell values (account_id raw as typed)
    row_id: str | None = None  # stable id across tiers (None in hand-filled files)
    reason: str | None = None  # for return / mistaken-request files
    sheet_row: int | None = None  # the worksheet row, for messages


@dataclass
class IncomingFile:
    path: Path
    file_hash: str  # sha256 of the file's bytes
    signed: bool
    kind: str
    rows: list[IncomingRow]
    unit_id: str | None = None
    unit_name: str | None = None
    key_id: str | None = None
    sequence: int | None = None
    batch_id: str | None = None
    prefecture_code: str | None = None
    target_unit: str | None = None  # for a return file: the station it is meant for
    warnings: list[str] = field(default_factory=list)
    metadata: dict[str, Any] = field(default_factory=dict)


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def reader_for(ctx, database):
    """The exchange reader bound to this unit's trust list and prefecture (see ``exchange_adapter``)."""
    from desktop_app.hq.exchange_adapter import make_reader

    return make_reader(ctx, database)
