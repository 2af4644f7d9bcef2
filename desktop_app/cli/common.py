"""Helpers every command group shares, so that a flag, a lookup or the JSON format is spelled once.

- ``officer_arg(parser)``: the ``--officer 職員番号`` flag on commands that record who acted.
- ``find_officer_id(ctx, staff_no)``: the officer's id, or None when no officer has that number.
- ``officer_id(ctx, args)``: the id for ``--officer`` (None when not given); an unknown number is refused.
- ``print_json(obj)``: one line of UTF-8 JSON (Japanese kept as is, not escaped), as scripts read it.
"""
from __future__ import annotations

import json
import logging

from desktop_app.services.errors import ServiceError

log = logging.getLogger(__name__)


def officer_arg(p) -> None:
    p.add_argument("--officer", metavar="職員番号", help="操作した職員の職員番号(記録に残ります)")


def find_officer_id(ctx, staff_no: str) -> int | None:
    for o in ctx.officers.list():
        if o.staff_no == staff_no:
            return o.id
    return None


def officer_id(ctx, args) -> int | None:
    staff = getattr(args, "officer", None)
    if not staff:
        return None
    found = find_officer_id(ctx, staff)
    if found is None:
        raise ServiceError(f"職員番号「{staff}」の職員は登録されていません")
    return found


def print_json(obj) -> None:
    print(json.dumps(obj, ensure_ascii=False))
