"""Command line: ``python -m desktop_app [--data-dir DIR] COMMAND ...``.

Each command group lives in its own module with ``register(subparsers)``; commands receive the
parsed arguments and an opened ``AppContext`` and return the exit status. HQ staff script these:
flags, JSON keys and exit codes are an interface.
"""
from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

import desktop_app
from desktop_app.cli import exchange_cmd, hq_cmd, keys_cmd, npa_cmd, officers_cmd, rows_cmd, setup_cmd, stations_cmd
from desktop_app.services.errors import ServiceError

log = logging.getLogger(__name__)

COMMAND_MODULES = [setup_cmd, officers_cmd, stations_cmd, rows_cmd, hq_cmd, exchange_cmd, keys_cmd, npa_cmd]

EXIT_OK, EXIT_REFUSED, EXIT_USAGE = 0, 1, 2


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m desktop_app",
        description="Teishi: LINE WORKS 犯行利用アカウントの利用停止依頼(警察署・本部・警察庁)",
    )
    parser.add_argument("--version", action="version", version=f"Teishi {desktop_app.__version__}")
    parser.add_argument("--data-dir", metavar="DIR",
                        help="データフォルダ(既定: ユーザーのデータフォルダ。環境変数 TEISHI_DATA_DIR でも指定可)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in COMMAND_MODULES:
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    _utf8_stdio()
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return EXIT_USAGE
    from desktop_app.context import AppContext

    ctx = AppContext.open(args.data_dir)
    ctx.passphrase = keys_cmd.ask_passphrase
    try:
        return int(args.handler(args, ctx) or 0)
    except ServiceError as exc:
        print(f"エラー: {exc}", file=sys.stderr)
        return EXIT_REFUSED
    except OSError as exc:  # a destination that cannot be written, a file still open in Excel …
        from desktop_app.os_errors import FileWriteError, describe_os_error

        where = "" if isinstance(exc, FileWriteError) or not exc.filename else f"「{exc.filename}」"
        print(f"エラー: {where}{exc if isinstance(exc, FileWriteError) else describe_os_error(exc)}", file=sys.stderr)
        return EXIT_REFUSED
    finally:
        ctx.close()


def _utf8_stdio() -> None:
    # Windows consoles default to cp932; JSON for scripts must be UTF-8 whatever the console.
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.reconfigure(encoding="utf-8")
        except (AttributeError, ValueError):
            pass
