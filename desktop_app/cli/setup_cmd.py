"""``init``: first-run setup without a window."""
from __future__ import annotations

import json

from desktop_app.signing_keys import KeyUnavailable


def register(sub) -> None:
    p = sub.add_parser("init", help="初期設定(区分・都道府県・警察署)を行う")
    p.add_argument("--tier", required=True, choices=["station", "hq", "npa"], help="station=警察署 hq=本部 npa=警察庁")
    p.add_argument("--prefecture", help="都道府県コード(01〜47)または名称")
    p.add_argument("--station", help="警察署名(区分 station のとき)")
    p.add_argument("--regional-hq", help="北海道の方面本部(函館方面本部など)")
    p.add_argument("--json", action="store_true", help="結果をJSONで出力")
    p.set_defaults(handler=run_init)

    p = sub.add_parser("status", help="この端末の設定を表示する")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=run_status)


def run_init(args, ctx) -> int:
    ident = ctx.setup.initialise(args.tier, args.prefecture, args.station, args.regional_hq)
    fingerprint = None
    try:  # the unit's key pair is made at setup when it can be protected now
        fingerprint = ctx.key_service().ensure(ident).fingerprint
    except KeyUnavailable as exc:
        note = f"署名鍵はまだ作成していません(最初の送付時か keys show で作成します): {exc}"
    if args.json:
        print(json.dumps({**vars(ident), "fingerprint": fingerprint}, ensure_ascii=False))
    else:
        print(f"設定しました: {ident.unit_name}(ユニットID {ident.unit_id})")
        print(f"データフォルダ: {ctx.data_dir.root}")
        print(f"署名鍵の指紋: {fingerprint}" if fingerprint else note)
    return 0


def run_status(args, ctx) -> int:
    ident = ctx.setup.identity()
    data = {"set_up": ident is not None, "data_dir": str(ctx.data_dir.root), **(vars(ident) if ident else {})}
    if args.json:
        print(json.dumps(data, ensure_ascii=False))
    elif ident is None:
        print(f"未設定です。`init` で設定してください(データフォルダ: {ctx.data_dir.root})")
    else:
        print(f"{ident.unit_name}(ユニットID {ident.unit_id})\nデータフォルダ: {ctx.data_dir.root}")
    return 0
