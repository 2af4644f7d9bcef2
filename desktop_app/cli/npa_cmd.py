"""NPA commands (and outcomes/statistics at every tier).

- ``receive FILE|DIR... [--json]``: HQ's import pipeline with the NPA's handling (prefectures' daily
  files and mistaken-request reports at the NPA; signed outcomes files at HQ and stations). Prints
  ``{"files": [...]}`` like ``import``; exit 0 when every file was imported or already imported.
- ``national-duplicates [--json]``
- ``provider-file --out FILE [--json]`` (plus ``FILE_取下げ.xlsx`` when there are withdrawals)
- ``withdrawals --out FILE``
- ``outcomes import FILE`` · ``outcomes set ACCOUNT_ID OUTCOME [--date D]`` ·
  ``outcomes export --out FILE|DIR [--unit UNIT_ID | --per-unit]`` · ``outcomes list [--json]``
- ``stats [--by month|prefecture|station|case_type] [--from D --to D --prefecture P --case-type T] [--json]``
  · ``stats export --out FILE.xlsx``
"""
from __future__ import annotations

import sys
from pathlib import Path

from desktop_app.cli.common import officer_arg, officer_id, print_json
from desktop_app.services.errors import ServiceError
from desktop_app.wareki import WarekiError, format_wareki, parse_date


def _npa(ctx):
    return ctx.pipeline()


def _require_tier(ctx, *tiers: str) -> None:
    tier = ctx.settings.get("tier")
    if tier not in tiers:
        names = {"station": "警察署", "hq": "本部", "npa": "警察庁"}
        raise ServiceError(f"この操作は{'・'.join(names[t] for t in tiers)}の端末で行います(この端末: {names.get(tier, '未設定')})")


def register(sub) -> None:
    p = sub.add_parser("receive", help="警察庁: 都道府県のファイル・誤依頼報告を取り込む / 本部・警察署: 措置結果ファイルを取り込む")
    p.add_argument("paths", nargs="+", metavar="FILE|DIR")
    p.add_argument("--json", action="store_true")
    officer_arg(p)
    p.set_defaults(handler=run_receive)

    p = sub.add_parser("national-duplicates", help="警察庁: 複数の都道府県から届いた同じアカウントを一覧する")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=run_duplicates)

    p = sub.add_parser("provider-file", help="警察庁: LINE WORKS株式会社あての送付ファイル(署名付き)を作る")
    p.add_argument("--out", required=True, metavar="FILE")
    p.add_argument("--json", action="store_true")
    officer_arg(p)
    p.set_defaults(handler=run_provider_file)

    p = sub.add_parser("withdrawals", help="警察庁: 送付済みの誤依頼について取下げ依頼ファイルを作る")
    p.add_argument("--out", required=True, metavar="FILE")
    p.add_argument("--json", action="store_true")
    officer_arg(p)
    p.set_defaults(handler=run_withdrawals)

    p = sub.add_parser("outcomes", help="事業者の措置結果(利用停止・削除・措置なし・確認中)")
    osub = p.add_subparsers(dest="outcomes_command", metavar="SUBCOMMAND")
    q = osub.add_parser("import", help="警察庁: 事業者の結果ブック(アカウントID・結果・日付)を取り込む")
    q.add_argument("file", metavar="FILE")
    q.add_argument("--json", action="store_true")
    officer_arg(q)
    q.set_defaults(handler=run_outcomes_import)
    q = osub.add_parser("set", help="警察庁: 1件の結果を記録する")
    q.add_argument("account_id", metavar="ACCOUNT_ID")
    q.add_argument("outcome", metavar="OUTCOME", help="利用停止 / 削除 / 措置なし / 確認中")
    q.add_argument("--date", help="措置日(YYYY-MM-DD、令和8年5月1日など。既定: 今日)")
    q.add_argument("--note")
    q.add_argument("--json", action="store_true")
    officer_arg(q)
    q.set_defaults(handler=run_outcomes_set)
    q = osub.add_parser("export", help="措置結果を署名付きファイルで下位(本部・警察署)に送る")
    q.add_argument("--out", required=True, metavar="FILE|DIR")
    group = q.add_mutually_exclusive_group()
    group.add_argument("--unit", metavar="UNIT_ID", help="この送付元あての行だけ")
    group.add_argument("--per-unit", action="store_true", help="送付元ごとに1ファイル(--out はフォルダ)")
    q.add_argument("--json", action="store_true")
    officer_arg(q)
    q.set_defaults(handler=run_outcomes_export)
    q = osub.add_parser("list", help="依頼した行と措置結果を一覧する")
    q.add_argument("--json", action="store_true")
    q.set_defaults(handler=run_outcomes_list)
    p.set_defaults(handler=lambda args, ctx: (p.print_help(), 2)[1])

    p = sub.add_parser("stats", help="統計(依頼・措置・措置なし・確認中・措置率、所要日数)")
    p.add_argument("--by", default="month", choices=["month", "prefecture", "station", "case_type"])
    _filter_args(p)
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=run_stats)
    ssub = p.add_subparsers(dest="stats_command", metavar="SUBCOMMAND")
    q = ssub.add_parser("export", help="統計をExcelブックに出力する(区分ごとに1シート)")
    q.add_argument("--out", required=True, metavar="FILE.xlsx")
    _filter_args(q)
    q.set_defaults(handler=run_stats_export)


def _filter_args(p) -> None:
    p.add_argument("--from", dest="date_from", metavar="DATE", help="依頼日がこの日以降")
    p.add_argument("--to", dest="date_to", metavar="DATE", help="依頼日がこの日以前")
    p.add_argument("--prefecture", help="都道府県(名称またはコード)")
    p.add_argument("--station")
    p.add_argument("--case-type")


def _filter(args, ctx):
    from desktop_app import resources
    from desktop_app.npa.statistics import StatsFilter

    def day(text):
        if not text:
            return None
        try:
            return parse_date(text, today=ctx.today())
        except WarekiError as exc:
            raise ServiceError(f"日付: {exc}") from None

    pref = None
    if args.prefecture:
        try:
            pref = resources.prefecture(args.prefecture).name
        except KeyError:
            raise ServiceError(f"都道府県「{args.prefecture}」が見つかりません") from None
    return StatsFilter(date_from=day(args.date_from), date_to=day(args.date_to), prefecture=pref,
                       station=args.station, case_type=args.case_type)


# ---- handlers ------------------------------------------------------------------------------------
def run_receive(args, ctx) -> int:
    from desktop_app.cli.hq_cmd import report_import

    svc = _npa(ctx)
    results = svc.importer().import_paths(args.paths, officer_id=officer_id(ctx, args))
    status = report_import(results, as_json=args.json,
                           extra={"mistaken": svc.last_mistaken} if svc.last_mistaken else None)
    if not args.json and svc.last_mistaken and svc.last_mistaken["withdraw"]:
        print(f"誤依頼: 送付済みの{len(svc.last_mistaken['withdraw'])}行を取下げ対象にしました(withdrawals で取下げ依頼を作成)")
    return status


def run_duplicates(args, ctx) -> int:
    _require_tier(ctx, "npa")
    dups = _npa(ctx).national.duplicates()
    if args.json:
        print_json({"duplicates": [d.to_dict() for d in dups]})
    else:
        for d in dups:
            print(d.message)
        if not dups:
            print("都道府県をまたぐ重複はありません")
    return 0


def run_provider_file(args, ctx) -> int:
    _require_tier(ctx, "npa")
    res = _npa(ctx).provider.write(args.out, officer_id=officer_id(ctx, args))
    if args.json:
        print_json(res.to_json())
    else:
        if res.path:
            print(f"{res.path}: {res.accounts}アカウント(行{res.rows}、うち依頼済みアカウント{res.already_sent}行)")
        for s in res.skipped:
            print(f"  送付せず: {s['prefecture']} {s['station']} {s['account_id']}: {s['message']}")
        if res.withdrawal_path:
            print(f"{res.withdrawal_path}: 取下げ {res.withdrawals}アカウント")
    return 0


def run_withdrawals(args, ctx) -> int:
    _require_tier(ctx, "npa")
    w = _npa(ctx).provider.write_withdrawals(args.out, officer_id=officer_id(ctx, args))
    if args.json:
        print_json({"path": str(w.path), "rows": w.rows, "file_hash": w.file_hash, "sequence": w.sequence})
    else:
        print(f"{w.path}: 取下げ {w.rows}アカウント")
    return 0


def run_outcomes_import(args, ctx) -> int:
    _require_tier(ctx, "npa")
    res = _npa(ctx).outcomes.import_result_workbook(args.file, officer_id=officer_id(ctx, args))
    if args.json:
        print_json(res.to_json())
    else:
        if res.status == "imported":
            print(f"{args.file}: {res.rows}件を読み込み、{res.changed}件の結果を記録しました")
        for e in res.errors:
            print(f"エラー: {e['message']}", file=sys.stderr)
        for w in res.warnings:
            print(f"注意: {w}")
    return 0 if res.status in ("imported", "already_imported") else 1


def run_outcomes_set(args, ctx) -> int:
    _require_tier(ctx, "npa")
    from desktop_app.npa.outcome_kinds import label

    o = _npa(ctx).outcomes.set_outcome(args.account_id, args.outcome, args.date, officer_id=officer_id(ctx, args),
                                       note=args.note)
    if args.json:
        print_json(o)
    else:
        when = format_wareki(o["outcome_on"]) if o["outcome_on"] else "日付なし"
        print(f"{o['account_id']}: {label(o['outcome'])}({when})")
    return 0


def run_outcomes_export(args, ctx) -> int:
    _require_tier(ctx, "npa", "hq")
    svc = _npa(ctx).outcome_files
    officer = officer_id(ctx, args)
    out = Path(args.out)
    if args.per_unit or out.is_dir():
        done = svc.export_per_recipient(out, officer_id=officer)
    else:
        done = [svc.export(out, officer_id=officer, target_unit=args.unit)]
    if args.json:
        print_json({"files": [d.to_json() for d in done]})
    else:
        for d in done:
            print(f"{d.written.path}: {d.rows}行" + (f"({d.target_unit}あて)" if d.target_unit else ""))
    return 0


def run_outcomes_list(args, ctx) -> int:
    from desktop_app.npa.outcome_kinds import label

    rows = _npa(ctx).outcomes.rows()
    keys = ("row_id", "account_id", "prefecture", "station", "case_type", "recognized_on", "requested_on",
            "outcome", "outcome_on", "mistaken_on", "withdrawn_on")
    if args.json:
        print_json({"rows": [{k: r.get(k) for k in keys} for r in rows]})
    else:
        for r in rows:
            state = "取下げ" if r.get("withdrawn_on") else ("誤依頼" if r.get("mistaken_on") else label(r.get("outcome")))
            print(f"{r['requested_on']}\t{r.get('prefecture') or ''}\t{r.get('station') or ''}\t{r['account_id']}\t{state}")
    return 0


def run_stats(args, ctx) -> int:
    if getattr(args, "stats_command", None) == "export":
        return run_stats_export(args, ctx)
    from desktop_app.npa.statistics import COLUMNS, StatisticsService, cell_text, cell_value

    table = StatisticsService(ctx.database).table(args.by, _filter(args, ctx))
    if args.json:
        print_json(table.as_dict())
        return 0
    print(table.title)
    print("\t".join(h for _k, h in COLUMNS))
    for g in [*table.groups, table.total]:
        print("\t".join(str(cell_value(g, k)) if k == "label" else cell_text(cell_value(g, k)) for k, _h in COLUMNS))
    return 0


def run_stats_export(args, ctx) -> int:
    from desktop_app.npa.statistics import StatisticsService, groupings_for
    from desktop_app.npa.stats_export import write_statistics

    svc = StatisticsService(ctx.database)
    rows = svc.rows()
    flt = _filter(args, ctx)
    tier = ctx.settings.get("tier")
    tables = [svc.table(k, flt, rows=rows) for k in groupings_for(tier)]
    ident = ctx.setup.identity()
    path = write_statistics(args.out, tables, unit_name=ident.unit_name if ident else "", today=ctx.today())
    print(f"{path}: {len(tables)}シート")
    return 0
