"""HQ commands: ``import``, ``received``, ``confirm``, ``return``, ``hold``, ``release``,
``mistaken``, ``aggregate``, ``deadlines``, ``units``, ``receipts export|verify``.

``import FILE|DIR... --json`` prints {"files": [...]} (issue 5) and exits 0 only when every file
was imported or already imported.
"""
from __future__ import annotations

import sys
from pathlib import Path

from desktop_app.cli.common import officer_arg, officer_id, print_json
from desktop_app.services.errors import ServiceError
from desktop_app.wareki import WarekiError, format_wareki, parse_date


def _hq(ctx):
    # The tier's whole pipeline: at the NPA a mistaken-request report is handled nationally, and at
    # every tier outcomes files coming down are accepted.
    return ctx.pipeline()


def register(sub) -> None:
    p = sub.add_parser("import", help="警察署のファイル(または本部からの差戻しファイル)を取り込む")
    p.add_argument("paths", nargs="+", metavar="FILE|DIR")
    p.add_argument("--json", action="store_true")
    officer_arg(p)
    p.set_defaults(handler=run_import)

    p = sub.add_parser("received", help="本部で受理した行を一覧する")
    p.add_argument("--status", action="append", default=[], help="received/confirmed/returned/held/sent/mistaken/unconfirmed")
    p.add_argument("--problems", action="store_true", help="問題のある行だけ")
    p.add_argument("--limit", type=int, default=1000)
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=run_received)

    p = sub.add_parser("confirm", help="受理した行を確認済にする(署名なしの行は受理にする)")
    p.add_argument("rids", nargs="*", type=int, metavar="受付番号")
    p.add_argument("--file", type=int, metavar="FILE_ID", help="署名なしファイルの行をまとめて確認する")
    p.add_argument("--all-ok", action="store_true", help="問題のない受理行をすべて確認済にする")
    officer_arg(p)
    p.set_defaults(handler=run_confirm)

    p = sub.add_parser("return", help="行を差し戻し、警察署あての署名付き差戻しファイルを作る")
    p.add_argument("rids", nargs="+", type=int, metavar="受付番号")
    p.add_argument("--reason", required=True)
    p.add_argument("--out-dir", help="差戻しファイルの保存先(既定: データフォルダの exports)")
    p.add_argument("--json", action="store_true")
    officer_arg(p)
    p.set_defaults(handler=run_return)

    p = sub.add_parser("hold", help="行を保留にする(日次の集約から外す)")
    p.add_argument("rids", nargs="+", type=int, metavar="受付番号")
    p.add_argument("--reason", required=True)
    p.add_argument("--until", required=True, metavar="見直し日", help="YYYY-MM-DD または 令和8年12月1日")
    officer_arg(p)
    p.set_defaults(handler=run_hold)

    p = sub.add_parser("release", help="保留を解除する(次の集約に入る)")
    p.add_argument("rids", nargs="+", type=int, metavar="受付番号")
    p.add_argument("--note", default="")
    officer_arg(p)
    p.set_defaults(handler=run_release)

    p = sub.add_parser("mistaken", help="誤依頼として報告する(署名付き報告ファイルを直ちに作る)")
    p.add_argument("ids", nargs="+", metavar="受付番号|行ID", help="本部: 受付番号 / 警察署: 行ID")
    p.add_argument("--reason", required=True)
    p.add_argument("--out", help="報告ファイル(既定: データフォルダの exports)")
    p.add_argument("--json", action="store_true")
    officer_arg(p)
    p.set_defaults(handler=run_mistaken)

    p = sub.add_parser("aggregate", help="指定日の確認済の行を、警察庁あての署名付き別添ファイルに集約する")
    p.add_argument("--date", required=True, metavar="YYYY-MM-DD")
    p.add_argument("--out", required=True, metavar="FILE")
    p.add_argument("--json", action="store_true")
    officer_arg(p)
    p.set_defaults(handler=run_aggregate)

    p = sub.add_parser("deadlines", help="未送付の日ごとの送付期限")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=run_deadlines)

    p = sub.add_parser("units", help="警察署ごとの最後の通し番号・ファイル")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=run_units)

    p = sub.add_parser("receipts", help="受信記録の書き出し・検証")
    s = p.add_subparsers(dest="receipts_command", metavar="ACTION", required=True)
    e = s.add_parser("export", help="受信記録を書き出す(.csv または署名付き .xlsx)")
    e.add_argument("--out", required=True)
    e.set_defaults(handler=run_receipts_export)
    v = s.add_parser("verify", help="受信記録(データベース、または書き出したCSV)のハッシュ連鎖を検証する")
    v.add_argument("file", nargs="?")
    v.set_defaults(handler=run_receipts_verify)


def run_import(args, ctx) -> int:
    results = _hq(ctx).importer().import_paths(args.paths, officer_id=officer_id(ctx, args))
    return report_import(results, as_json=args.json)


def report_import(results, *, as_json: bool, extra: dict | None = None) -> int:
    """Print import results (the ``import --json`` shape, plus ``extra`` keys); exit 0 only when every
    file was imported or already imported. ``receive`` reports through here too."""
    from desktop_app.hq.statuses import ALREADY_IMPORTED, IMPORTED, NEEDS_CONFIRMATION

    if as_json:
        print_json({"files": [r.to_json() for r in results], **(extra or {})})
    else:
        labels = {IMPORTED: "取込", NEEDS_CONFIRMATION: "取込(要確認・署名なし)",
                  ALREADY_IMPORTED: "取込済み", "refused": "拒否", "cancelled": "中止"}
        for r in results:
            print(f"[{labels.get(r.status, r.status)}] {r.path}  {r.rows_imported}行"
                  + (f"  重複{r.duplicates}行" if r.duplicates else ""))
            for e in r.errors:
                print(f"    エラー: {e['message']}")
            for w in r.warnings:
                print(f"    注意: {w}")
    return 0 if all(r.status in (IMPORTED, ALREADY_IMPORTED) for r in results) else 1


def run_received(args, ctx) -> int:
    from desktop_app.hq.statuses import label
    from desktop_app.storage.received_repo import RowFilter

    hq = _hq(ctx)
    rows = hq.rows.query(RowFilter(statuses=tuple(args.status), problems_only=args.problems), limit=args.limit)
    if args.json:
        print_json([{**{k: r.data[k] for k in ("rid", "row_id", "status", "account_id", "account_id_raw", "user_name",
                                                "organization", "case_type", "refinement", "station", "recognized_on",
                                                "unit_id", "received_at", "reason", "hold_until", "batch_day", "file_id")},
                     "issues": r.issues, "duplicates": r.dups} for r in rows])
    else:
        for r in rows:
            print(f"{r.rid:>7} {label(r.status):<4} {r.account_id or r.account_id_raw or '':<40} {r.station or ''}"
                  + (f"  ※{r.problem_text}" if r.problem else ""))
    return 0


def run_confirm(args, ctx) -> int:
    from desktop_app.hq.statuses import RowStatus
    from desktop_app.storage.received_repo import RowFilter

    hq = _hq(ctx)
    officer = officer_id(ctx, args)
    n = 0
    if args.file is not None:
        n += hq.rows.confirm_file(args.file, officer)
    rids = list(args.rids)
    if args.all_ok:
        rids += [r for r in hq.rows.repo.rids(RowFilter(statuses=(RowStatus.RECEIVED.value,))) if r not in rids]
        rids = [r.rid for r in hq.rows.many(rids) if not r.problem]
    if rids:
        n += len(hq.rows.confirm(rids, officer))
    print(f"{n}行を確認しました")
    return 0


def run_return(args, ctx) -> int:
    hq = _hq(ctx)
    res = hq.returns.return_rows(args.rids, reason=args.reason, officer_id=officer_id(ctx, args),
                                 out_dir=args.out_dir or hq.default_out_dir())
    if args.json:
        print_json(res.to_json())
    else:
        print(f"{res.rows}行を差し戻しました")
        for w in res.files:
            print(f"  差戻しファイル: {w.path}({w.rows}行)")
        if res.without_file:
            print(f"  署名なしファイルの行({len(res.without_file)}行)は差戻しファイルを作れません。警察署へ直接連絡してください")
    return 0


def run_hold(args, ctx) -> int:
    rows = _hq(ctx).holds.hold(args.rids, reason=args.reason, review_on=args.until, officer_id=officer_id(ctx, args))
    print(f"{len(rows)}行を保留にしました(見直し日 {format_wareki(rows[0].hold_until)})")
    return 0


def run_release(args, ctx) -> int:
    rows = _hq(ctx).holds.release(args.rids, officer_id=officer_id(ctx, args), note=args.note)
    print(f"{len(rows)}行の保留を解除しました")
    return 0


def run_mistaken(args, ctx) -> int:
    from desktop_app.hq.mistaken import report_name

    hq = _hq(ctx)
    out = Path(args.out) if args.out else hq.default_out_dir() / report_name()
    officer = officer_id(ctx, args)
    if hq.tier == "station":
        written = hq.station_mistaken.report(args.ids, reason=args.reason, officer_id=officer, out=out)
    else:
        try:
            rids = [int(x) for x in args.ids]
        except ValueError:
            raise ServiceError("本部では受付番号(数字)を指定してください") from None
        written = hq.mistaken.report(rids, reason=args.reason, officer_id=officer, out=out)
    if args.json:
        print_json({"path": str(written.path), "file_hash": written.file_hash, "sequence": written.sequence,
                "rows": written.rows})
    else:
        print(f"誤依頼報告を作成しました: {written.path}({written.rows}行)。直ちに送付してください")
    return 0


def run_aggregate(args, ctx) -> int:
    try:
        day = parse_date(args.date, today=ctx.today())
    except WarekiError as exc:
        raise ServiceError(f"--date: {exc}") from None
    res = _hq(ctx).aggregation.aggregate(day, args.out, officer_id=officer_id(ctx, args))
    if args.json:
        print_json(res.to_json())
    else:
        print(f"{format_wareki(day)}分 {res.rows}行を集約しました: {res.written.path}")
        print(f"  出典ファイル: {len(res.sources)}件  {res.deadline.message}")
    return 0


def run_deadlines(args, ctx) -> int:
    items = _hq(ctx).aggregation.deadlines()
    if args.json:
        print_json([{"day": d.day.isoformat(), "deadline": d.deadline.isoformat(timespec="minutes"),
                 "pending_rows": d.pending_rows, "state": d.state, "message": d.message} for d in items])
    else:
        if not items:
            print("未送付の行はありません")
        for d in items:
            print(d.message)
    return 1 if any(d.state == "late" for d in items) else 0


def run_units(args, ctx) -> int:
    units = _hq(ctx).units.list()
    if args.json:
        print_json([u.to_json() for u in units])
    else:
        for u in units:
            print(f"{u.unit_id:<16} {u.unit_name or '':<30} 鍵{len(u.keys)}件  最終通し番号 {u.last_sequence or '-'}"
                  f"  最終ファイル {u.last_file or '-'}")
    return 0


def run_receipts_export(args, ctx) -> int:
    hq = _hq(ctx)
    out = Path(args.out)
    if out.suffix.lower() == ".csv":
        n = hq.receipts.export_csv(out)
        print(f"受信記録{n}件を書き出しました: {out}")
    else:
        w = hq.receipts.export_signed(out)
        print(f"受信記録{w.rows}件を署名付きで書き出しました: {w.path}")
    return 0


def run_receipts_verify(args, ctx) -> int:
    from desktop_app.hq.receipt_log import verify_csv

    broken = verify_csv(args.file) if args.file else _hq(ctx).receipts.verify()
    if broken is None:
        print("受信記録のハッシュ連鎖は正常です")
        return 0
    print(f"受信記録の{broken}番目の記録でハッシュ連鎖が途切れています(改ざんの可能性)", file=sys.stderr)
    return 1


