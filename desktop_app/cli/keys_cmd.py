"""``keys show|export-public`` and ``trust add|list|revoke|export``: the unit's key and its trust list.

The key's passphrase (non-Windows) comes from ``TEISHI_KEY_PASSPHRASE`` or is asked on the terminal.
"""
from __future__ import annotations

import getpass
import json
import os
import sys
from pathlib import Path

from desktop_app.services.errors import ServiceError
from desktop_app.services.trust import KeyService, TrustService
from desktop_app.signing_keys import PASSPHRASE_ENV
from desktop_app.storage.keys_repo import KeysRepo


def ask_passphrase() -> str | None:
    env = os.environ.get(PASSPHRASE_ENV)
    if env:
        return env
    if sys.stdin and sys.stdin.isatty():
        return getpass.getpass("署名鍵のパスフレーズ: ")
    return None


def key_service(ctx) -> KeyService:
    return ctx.key_service()


def register(sub) -> None:
    p = sub.add_parser("keys", help="この端末の署名鍵(指紋の表示・公開鍵の書き出し)")
    ks = p.add_subparsers(dest="keys_command", metavar="SUBCOMMAND", required=True)
    q = ks.add_parser("show", help="公開鍵の指紋を表示する(鍵がなければ作成する)")
    q.add_argument("--json", action="store_true")
    q.set_defaults(handler=run_keys_show)
    q = ks.add_parser("export-public", help="公開鍵ファイル(minisign形式)を書き出す")
    q.add_argument("--out", required=True, metavar="FILE")
    q.set_defaults(handler=run_keys_export)

    p = sub.add_parser("trust", help="受け入れる送付元の公開鍵(信頼リスト)")
    ts = p.add_subparsers(dest="trust_command", metavar="SUBCOMMAND", required=True)
    q = ts.add_parser("add", help="公開鍵を登録する(電話等で確認した指紋が一致したときだけ)")
    q.add_argument("public_key", metavar="PUBKEY_FILE")
    q.add_argument("--fingerprint", required=True, help="送付元から聞き取った指紋(空白・ハイフンは無視)")
    q.add_argument("--unit-id", help="送付元のユニットID(公開鍵ファイルに記載があれば省略可)")
    q.add_argument("--unit-name", help="送付元の名称(例: 大阪府警察本部 中央警察署)")
    q.add_argument("--tier", choices=["station", "hq", "npa"])
    q.add_argument("--prefecture", help="都道府県コードまたは名称")
    q.add_argument("--not-before", help="有効期間の始まり(YYYY-MM-DD)")
    q.add_argument("--not-after", help="有効期間の終わり(YYYY-MM-DD)")
    q.add_argument("--supersedes", metavar="KEY_ID", help="この鍵が置き換える旧鍵の鍵ID")
    q.add_argument("--json", action="store_true")
    q.set_defaults(handler=run_trust_add)
    q = ts.add_parser("list", help="信頼リストを表示する")
    q.add_argument("--json", action="store_true")
    q.set_defaults(handler=run_trust_list)
    q = ts.add_parser("revoke", help="鍵を失効させる")
    q.add_argument("key_id", metavar="KEY_ID")
    q.add_argument("--at", help="失効日時(既定: 現在)")
    q.add_argument("--reason", default="")
    q.set_defaults(handler=run_trust_revoke)
    q = ts.add_parser("export", help="信頼リストを署名付きExcelファイルに書き出す(本部)")
    q.add_argument("--out", required=True, metavar="FILE")
    q.set_defaults(handler=run_trust_export)


def _key_json(info) -> dict:
    return {"key_id": info.key_id, "fingerprint": info.fingerprint, "public_key": info.public_key}


def run_keys_show(args, ctx) -> int:
    info = key_service(ctx).ensure(ctx.setup.identity())
    if args.json:
        print(json.dumps(_key_json(info), ensure_ascii=False))
    else:
        print(f"鍵ID: {info.key_id}\n指紋: {info.fingerprint}\n公開鍵: {info.public_key}")
    return 0


def run_keys_export(args, ctx) -> int:
    svc = key_service(ctx)
    svc.ensure(ctx.setup.identity())
    info = svc.export_public(Path(args.out))
    print(f"公開鍵を書き出しました: {args.out}\n指紋: {info.fingerprint}")
    return 0


def run_trust_add(args, ctx) -> int:
    try:
        text = Path(args.public_key).read_text(encoding="ascii", errors="replace")
    except OSError as exc:
        raise ServiceError(f"公開鍵ファイルを開けません: {args.public_key}({exc.strerror})") from None
    entry = TrustService(ctx.database).add(
        text, args.fingerprint, unit_id=args.unit_id, unit_name=args.unit_name, tier=args.tier,
        prefecture=args.prefecture, not_before=args.not_before, not_after=args.not_after, supersedes=args.supersedes)
    if args.json:
        print(json.dumps(_entry_json(entry), ensure_ascii=False))
    else:
        print(f"登録しました: {entry.key.unit_name}(鍵ID {entry.key.key_id})")
    return 0


def _entry_json(e) -> dict:
    k = e.key
    return {"key_id": k.key_id, "unit_id": k.unit_id, "unit_name": k.unit_name, "tier": k.tier,
            "prefecture_code": k.prefecture_code, "fingerprint": e.fingerprint, "status": k.status,
            "not_before": k.not_before.isoformat() if k.not_before else None,
            "not_after": k.not_after.isoformat() if k.not_after else None,
            "revoked_at": k.revoked_at.isoformat() if k.revoked_at else None, "supersedes": e.supersedes}


def run_trust_list(args, ctx) -> int:
    entries = TrustService(ctx.database).entries()
    if args.json:
        print(json.dumps([_entry_json(e) for e in entries], ensure_ascii=False))
        return 0
    if not entries:
        print("信頼リストは空です")
    for e in entries:
        print(f"{e.key.key_id}  {e.status_label:<4} {e.key.unit_id:<14} {e.key.unit_name}  指紋 {e.fingerprint}")
    return 0


def run_trust_revoke(args, ctx) -> int:
    TrustService(ctx.database).revoke(args.key_id, at=args.at, reason=args.reason)
    print(f"失効させました: {args.key_id.upper()}")
    return 0


def run_trust_export(args, ctx) -> int:
    ident = ctx.setup.identity()
    if ident is None:
        raise ServiceError("先に初期設定を行ってください")
    with ctx.database.transaction():
        seq = KeysRepo(ctx.database).next_sequence()
    written = TrustService(ctx.database).export_signed(Path(args.out), key_service(ctx), ident, sequence=seq)
    print(f"信頼リストを書き出しました: {written.path}({written.rows}件)")
    return 0
