"""``rows``: list the rows entered at this unit, with their state and problems."""
from __future__ import annotations

import json

from desktop_app.entry import STATUS_LABELS
from desktop_app.wareki import format_wareki


def register(sub) -> None:
    p = sub.add_parser("rows", help="入力済みの行を一覧する")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=run_rows)


def run_rows(args, ctx) -> int:
    out = []
    for n, e in enumerate(ctx.entries.list(), start=1):
        issues = ctx.entries.issues(e)
        out.append({
            "number": n, "id": e.id, "status": e.status.value, "account_id": e.account_id,
            "user_name": e.user_name, "organization": e.organization, "case_type": e.case_type,
            "refinement": e.refinement, "station": e.station, "recognized_on": e.recognized_on,
            "errors": [i.message for i in issues if i.is_error],
            "warnings": [i.message for i in issues if not i.is_error],
        })
    if args.json:
        print(json.dumps(out, ensure_ascii=False))
    else:
        for r in out:
            print(f"{r['number']:>4} {STATUS_LABELS[r['status']]:<8} {r['account_id'] or '':<40} "
                  f"{r['user_name'] or ''}  {format_wareki(r['recognized_on'])}")
    return 0
