"""Benchmark (issue 4): writing + signing, and verifying + reading, signed exchange files.

1. write and sign one 50,000-row workbook, against a plain openpyxl write-only write of the same rows;
2. verify and read 100 station files of 20 rows, against a bare python-calamine read of each file.
Targets: write + sign ≤ 1.25× the plain write; verify + read ≤ 3× the bare calamine read.
The two reads alternate round by round (best of ``--repeat`` each), so load from elsewhere on the
machine slows both alike; ``--stages`` also prints where verify + read spends its time.

    /tmp/venv/bin/python tests/bench/exchange.py [--rows 50000] [--files 100] [--repeat 3] [--stages]
"""
from __future__ import annotations

import argparse
import datetime as dt
import random
import string
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import minisign  # noqa: E402
import openpyxl  # noqa: E402
import python_calamine  # noqa: E402

from desktop_app.exchange.reader import read_exchange_file  # noqa: E402
from desktop_app.exchange.verify import StaticTrust, TrustedKey  # noqa: E402
from desktop_app.exchange.writer import OutgoingDocument, write_exchange_file  # noqa: E402
from desktop_app.signing_keys import PublicKeyInfo  # noqa: E402

CASES = ["SNS型投資詐欺", "SNS型ロマンス詐欺", "特殊詐欺"]


def make_rows(n: int, seed: int = 1) -> list[dict]:
    rnd = random.Random(seed)
    rows = []
    for i in range(n):
        local = "".join(rnd.choices(string.ascii_lowercase + string.digits, k=rnd.randint(6, 16)))
        rows.append({"id": f"{seed:04d}-{i:08d}", "account_id": f"{local}@example{i % 97}.co.jp",
                     "account_id_raw": f"{local}@example{i % 97}.co.jp", "user_name": f"ユーザー{i}",
                     "organization": f"株式会社サンプル{i % 300}", "case_type": CASES[i % 3], "refinement": None,
                     "station": f"第{i % 60}警察署", "recognized_on": (dt.date(2026, 1, 1) + dt.timedelta(days=i % 300)).isoformat(),
                     "entered_by": "1001", "verified_by": "1002"})
    return rows


def plain_openpyxl_write(path: Path, rows: list[dict]) -> None:
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("別添")
    ws.append(["番号", "アカウントID", "ユーザー名", "企業/団体名", "類型", "警察署", "認知日"])
    for n, r in enumerate(rows, start=1):
        ws.append([n, r["account_id"], r["user_name"], r["organization"], r["case_type"], r["station"],
                   dt.date.fromisoformat(r["recognized_on"])])
    wb.save(path)


def best(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def best_interleaved(fns: dict, repeat: int) -> dict[str, float]:
    """Best time of each function, the rounds alternating between them, so that a machine busy with
    something else for a while slows every contender alike instead of whichever ran then."""
    times: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(repeat):
        for name, fn in fns.items():
            t = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - t)
    return {name: min(ts) for name, ts in times.items()}


def stage_times(paths: list[Path], trust, repeat: int) -> dict[str, float]:
    """verify+read split into its stages (each run on its own over the same files; for finding where
    time goes, not part of the ratio)."""
    from desktop_app.exchange import reader, verify, zipcheck

    datas = [p.read_bytes() for p in paths]
    pkgs = [zipcheck.open_package(d, p.name, allow_hyperlinks=True, defer_worksheets=True)
            for d, p in zip(datas, paths)]
    checked = [verify.verify_package(pkg, p.name, trust, check_replay=False) for pkg, p in zip(pkgs, paths)]
    return best_interleaved({
        "read the files": lambda: [p.read_bytes() for p in paths],
        "zip checks, inflate and hash": lambda: [
            zipcheck.open_package(d, p.name, allow_hyperlinks=True, defer_worksheets=True) for d, p in zip(datas, paths)],
        "signature, trust, manifest": lambda: [
            verify.verify_package(pkg, p.name, trust, check_replay=False) for pkg, p in zip(pkgs, paths)],
        "signed content (metadata, sheet proof, rows)": lambda: [
            reader._read_signed(pkg, p, "", v) for pkg, p, v in zip(pkgs, paths, checked)],
    }, repeat)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=50_000)
    ap.add_argument("--files", type=int, default=100)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--stages", action="store_true", help="also print where verify+read spends its time")
    args = ap.parse_args(argv)
    kp = minisign.KeyPair.generate()
    info = PublicKeyInfo.from_minisign(kp.public_key)
    trust = StaticTrust().add(TrustedKey(info.key_id, "S27-bench", "大阪府警察本部 中央警察署", "station", "27",
                                         info.public_key))

    def doc(rows, seq):
        return OutgoingDocument(kind="station_export", unit_id="S27-bench", unit_name="大阪府警察本部 中央警察署",
                                tier="station", rows=rows, sequence=seq, prefecture_code="27", prefecture_name="大阪府")

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        big = make_rows(args.rows)
        t_plain = best(lambda: plain_openpyxl_write(tmp / "plain.xlsx", big), args.repeat)
        t_sign = best(lambda: write_exchange_file(tmp / "signed.xlsx", doc(big, 1), kp.secret_key), args.repeat)
        ratio_w = t_sign / t_plain
        print(f"write {args.rows} rows: plain openpyxl write-only {t_plain:.3f} s | Teishi write+sign {t_sign:.3f} s "
              f"| ratio {ratio_w:.2f}x (target <= 1.25x) {'OK' if ratio_w <= 1.25 else 'MISSED'}")
        t_big_read = best(lambda: read_exchange_file(tmp / "signed.xlsx", trust, check_replay=False), 1)
        print(f"   (verify+read of that {args.rows}-row file: {t_big_read:.3f} s)")

        paths = []
        for i in range(args.files):
            p = tmp / f"station{i:03d}.xlsx"
            write_exchange_file(p, doc(make_rows(20, seed=i + 2), i + 1), kp.secret_key)
            paths.append(p)

        def calamine_all():
            for p in paths:
                wb = python_calamine.CalamineWorkbook.from_path(str(p))
                wb.get_sheet_by_name("別添").to_python()

        def teishi_all():
            for p in paths:
                d = read_exchange_file(p, trust, check_replay=False)
                assert len(d.rows) == 20

        calamine_all()  # warm both (imports, caches of the layout) before timing either
        teishi_all()
        got = best_interleaved({"calamine": calamine_all, "teishi": teishi_all}, args.repeat)
        t_cal, t_read = got["calamine"], got["teishi"]
        ratio_r = t_read / t_cal
        print(f"read {args.files} files x 20 rows: bare python-calamine {t_cal:.3f} s | Teishi verify+read {t_read:.3f} s "
              f"| ratio {ratio_r:.2f}x (target <= 3x) {'OK' if ratio_r <= 3 else 'MISSED'}")
        if args.stages:
            for name, t in stage_times(paths, trust, args.repeat).items():
                print(f"   {name}: {t / args.files * 1e3:.3f} ms per file")
            print(f"   (bare calamine: {t_cal / args.files * 1e3:.3f} ms per file)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
