"""``station list|add|import``: the prefecture's station master list."""
from __future__ import annotations

import json

from desktop_app.services.errors import ServiceError


def register(sub) -> None:
    p = sub.add_parser("station", help="警察署一覧の表示・追加・CSV取込")
    s = p.add_subparsers(dest="station_command", metavar="ACTION", required=True)
    ls = s.add_parser("list", help="警察署一覧")
    ls.add_argument("--json", action="store_true")
    ls.set_defaults(handler=run_list)
    a = s.add_parser("add", help="警察署を追加する")
    a.add_argument("name")
    a.add_argument("--code")
    a.add_argument("--valid-from")
    a.set_defaults(handler=run_add)
    i = s.add_parser("import", help="CSV(見出し行: 警察署名,コード,有効開始日,有効終了日,統合・改称先,備考)を取り込む")
    i.add_argument("csv")
    i.set_defaults(handler=run_import)


def _prefecture(ctx) -> str:
    code = ctx.settings.get("prefecture_code")
    if not code:
        raise ServiceError("都道府県が設定されていません。先に init を実行してください")
    return code


def run_list(args, ctx) -> int:
    stations = ctx.stations.all(_prefecture(ctx))
    if args.json:
        print(json.dumps([vars(s) for s in stations], ensure_ascii=False))
    else:
        for s in stations:
            span = f"{s.valid_from or ''}〜{s.valid_to or ''}" if (s.valid_from or s.valid_to) else ""
            print("\t".join(x for x in (s.code or "", s.name, span, f"→{s.successor}" if s.successor else "") if x))
    return 0


def run_add(args, ctx) -> int:
    st = ctx.stations.add(_prefecture(ctx), args.name, code=args.code, valid_from=args.valid_from)
    print(f"追加しました: {st.name}")
    return 0


def run_import(args, ctx) -> int:
    n = ctx.stations.import_csv(_prefecture(ctx), args.csv)
    print(f"{n}件の警察署を取り込みました")
    return 0
