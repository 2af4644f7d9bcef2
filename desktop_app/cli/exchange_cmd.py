"""``export``, ``inspect`` and ``verify``: signed exchange files from the command line.

    python -m desktop_app export --out FILE [--test]
    python -m desktop_app inspect FILE --json     exit 0 readable, 1 refused
    python -m desktop_app verify FILE...          exit 0 only if every file is valid
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

from desktop_app.cli.common import find_officer_id
from desktop_app.cli.keys_cmd import key_service
from desktop_app.exchange.errors import ExchangeRefused
from desktop_app.exchange.reader import assert_safe_xml_parsing, read_exchange_file
from desktop_app.exchange.verify import verify_file
from desktop_app.services.export import ExportService
from desktop_app.services.trust import TrustService


def register(sub) -> None:
    p = sub.add_parser("export", help="確認済みの行を署名付きExcelファイルに書き出す(警察署→本部)")
    p.add_argument("--out", required=True, metavar="FILE", help="書き出すファイル(.xlsx)")
    p.add_argument("--test", action="store_true", help="試験送付(試験用の行だけの署名付きファイル。行は送付済みにしない)")
    p.add_argument("--officer", metavar="職員番号", help="操作した職員の職員番号(監査ログ用)")
    p.set_defaults(handler=run_export)

    p = sub.add_parser("inspect", help="受け取ったファイルを取り込まずに読み、署名と内容を表示する")
    p.add_argument("file", metavar="FILE")
    p.add_argument("--json", action="store_true", help="JSONで出力")
    p.set_defaults(handler=run_inspect)

    p = sub.add_parser("verify", help="ファイルの署名だけを確認する(すべて有効なら終了コード0)")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.set_defaults(handler=run_verify)


def run_export(args, ctx) -> int:
    # An unknown number only leaves the audit line without an officer: the export itself goes ahead.
    officer_id = find_officer_id(ctx, args.officer) if args.officer else None
    svc = ExportService(ctx, key_service(ctx))
    res = svc.export(Path(args.out), officer_id, test=args.test)
    kind = "試験送付" if res.test else "送付"
    print(f"{kind}ファイルを書き出しました: {res.written.path}({res.written.rows}行、送付番号 {res.written.sequence})")
    if res.held_back and not res.test:
        print(f"送付しなかった行: {res.held_back}行(確認済みでない、または誤りのある行)")
    print(f"SHA-256: {res.written.sha256}")
    return 0


def run_inspect(args, ctx) -> int:
    assert_safe_xml_parsing()
    trust = TrustService(ctx.database)
    path = Path(args.file)
    try:
        doc = read_exchange_file(path, trust)
        out, code = doc.to_inspect_json(), 0
    except ExchangeRefused as exc:
        out = {"signed": exc.signed, "signature": exc.signature, "unit": None, "sequence": None,
               "prefecture": None, "rows": [], "warnings": [], "errors": [p.to_dict() for p in exc.problems]}
        code = 1
    if args.json:
        print(json.dumps(out, ensure_ascii=False))
        return code
    print(f"ファイル: {path.name}")
    print(f"署名: {'あり' if out['signed'] else 'なし'}({out['signature']})  送付元: {out['unit'] or '-'}  "
          f"送付番号: {out['sequence'] if out['sequence'] is not None else '-'}  都道府県: {out['prefecture'] or '-'}")
    for r in out["rows"]:
        print(f"{r['number']:>4} {r['account_id'] or '':<40} {r['user_name'] or ''}  {r['case_type'] or ''}  "
              f"{r['station'] or ''}  {r['recognized_on'] or ''}")
    for w in out["warnings"]:
        print(f"注意: {w}")
    for e in out["errors"]:
        print(f"エラー: {e['message']}", file=sys.stderr)
    return code


def run_verify(args, ctx) -> int:
    trust = TrustService(ctx.database)
    all_ok = True
    for f in args.files:
        v = verify_file(Path(f), trust)
        if v.ok:
            print(f"有効: {f}(送付元 {v.key.unit_name if v.key else v.info.unit_id}、送付番号 {v.info.sequence}、"
                  f"{v.info.rows}行、鍵ID {v.key_id})")
            for w in v.warnings:
                print(f"  注意: {w}")
        else:
            all_ok = False
            reason = v.problems[0].text if v.problems else "署名がありません(Teishiで作成された署名付きファイルではありません)"
            print(f"無効({v.status}): {reason}")
    return 0 if all_ok else 1
