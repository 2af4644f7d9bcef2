"""``officer add|list``: the station roster."""
from __future__ import annotations

import getpass
import json
import sys


def register(sub) -> None:
    p = sub.add_parser("officer", help="職員(入力者・確認者)の登録と一覧")
    s = p.add_subparsers(dest="officer_command", metavar="ACTION", required=True)
    a = s.add_parser("add", help="職員を登録する")
    a.add_argument("--staff-no", required=True, help="職員番号")
    a.add_argument("--name", required=True, help="氏名")
    a.add_argument("--pin-stdin", action="store_true", help="暗証番号を標準入力から読む(対話入力の代わり)")
    a.set_defaults(handler=run_add)
    ls = s.add_parser("list", help="職員の一覧")
    ls.add_argument("--json", action="store_true")
    ls.set_defaults(handler=run_list)


def run_add(args, ctx) -> int:
    if args.pin_stdin:
        pin = sys.stdin.readline().strip()
    else:
        pin = getpass.getpass("暗証番号(数字4〜12桁): ")
        if getpass.getpass("もう一度: ") != pin:
            print("エラー: 暗証番号が一致しません", file=sys.stderr)
            return 1
    officer = ctx.officers.add(args.staff_no, args.name, pin)
    print(f"登録しました: {officer.label}")
    return 0


def run_list(args, ctx) -> int:
    officers = ctx.officers.list(include_inactive=True)
    if args.json:
        print(json.dumps([{"id": o.id, "staff_no": o.staff_no, "name": o.name, "active": o.active}
                          for o in officers], ensure_ascii=False))
    else:
        for o in officers:
            print(f"{o.staff_no}\t{o.name}\t{'' if o.active else '(無効)'}")
    return 0
