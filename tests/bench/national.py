"""NPA: 47 prefectures' daily files of 1,000 rows each, imported and aggregated nationally.

    /tmp/venv/bin/python tests/bench/national.py [--files 47] [--rows 1000]

Each of 47 HQ units signs its own daily file (document kind hq_daily) with its own key; the NPA
trusts the 47 keys by fingerprint. Measured on the same files in the same run:

- baseline: a plain openpyxl read (read_only, every cell of every row; no checks at all);
- Teishi: the NPA's import (HQ's pipeline: zip checks, signature, trust list, replay, row checks,
  duplicate lookups, one transaction per file, receipt log) + the national aggregation (national
  duplicates + the signed provider file marking every row as requested).

Prints each time, the ratio to the baseline, and the peak Python memory (tracemalloc, measured in
a second, separate import into a fresh data folder so the timing runs undisturbed).
2 % of the accounts are reported by two prefectures (national duplicates).
"""
from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import minisign  # noqa: E402
import openpyxl  # noqa: E402

from desktop_app import resources  # noqa: E402
from desktop_app.context import AppContext  # noqa: E402
from desktop_app.exchange.workbook_writer import ColumnSpec  # noqa: E402
from desktop_app.exchange.writer import OutgoingDocument, write_exchange_file  # noqa: E402
from desktop_app.npa.services import NpaServices  # noqa: E402
from desktop_app.services.trust import TrustService  # noqa: E402
from desktop_app.signing_keys import PublicKeyInfo  # noqa: E402

TODAY = dt.date(2026, 11, 20)
CASES = ("SNS型投資詐欺", "SNS型ロマンス詐欺", "特殊詐欺")


def make_files(folder: Path, n_files: int, n_rows: int, rng: random.Random):
    """Write the prefectures' signed daily files; return them with the public keys to trust."""
    prefs = resources.prefectures()[:n_files]
    shared = [f"shared{i:05d}@example.co.jp" for i in range(int(n_files * n_rows * 0.01))]
    files, keys = [], []
    for p in prefs:
        kp = minisign.KeyPair.generate()
        info = PublicKeyInfo.from_minisign(kp.public_key)
        unit = f"H{p.code}-bench"
        keys.append((info, unit, p))
        rows = []
        for i in range(n_rows):
            acc = rng.choice(shared) if rng.random() < 0.02 else f"u{p.code}x{i:05d}{rng.randrange(10**6):06d}@example.co.jp"
            rec = TODAY - dt.timedelta(days=rng.randrange(1, 60))
            rows.append({"id": f"{p.code}-{i:05d}-{rng.randrange(10**9)}", "account_id": acc, "account_id_raw": acc,
                         "user_name": f"投資アドバイザー{i}", "organization": "株式会社サンプル",
                         "case_type": rng.choice(CASES), "station": f"第{i % 40 + 1}警察署",
                         "recognized_on": rec.isoformat()})
        doc = OutgoingDocument(kind="hq_daily", unit_id=unit, unit_name=p.police, tier="hq", rows=rows, sequence=1,
                               prefecture_code=p.code, prefecture_name=p.name,
                               extra={"day": TODAY.isoformat(), "sources": []})
        path = folder / f"daily_{p.code}.xlsx"
        write_exchange_file(path, doc, kp.secret_key)
        files.append(path)
    return files, keys


def npa_folder(root: Path, keys) -> tuple[AppContext, NpaServices]:
    ctx = AppContext.open(root, today=lambda: TODAY, log_to_file=False)
    ctx.setup.initialise("npa")
    kp = minisign.KeyPair.generate()
    raw = bytes(kp.secret_key)
    trust = TrustService(ctx.database)
    for info, unit, p in keys:
        trust.add(info.file_text(), info.fingerprint, unit_id=unit, unit_name=p.police, tier="hq", prefecture=p.code)
    return ctx, NpaServices(ctx, secret_key=lambda: minisign.SecretKey.from_bytes(raw))


def plain_openpyxl(files) -> int:
    cells = 0
    for f in files:
        wb = openpyxl.load_workbook(f, read_only=True)
        for ws in wb.worksheets:
            for row in ws.iter_rows(values_only=True):
                cells += len(row)
        wb.close()
    return cells


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--files", type=int, default=47)
    ap.add_argument("--rows", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=6)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        (tmp / "in").mkdir()
        t = time.perf_counter()
        files, keys = make_files(tmp / "in", args.files, args.rows, rng)
        print(f"wrote {len(files)} signed daily files x {args.rows} rows in {time.perf_counter() - t:.1f} s "
              f"({sum(f.stat().st_size for f in files) / 2**20:.1f} MiB)")

        t = time.perf_counter()
        cells = plain_openpyxl(files)
        base = time.perf_counter() - t
        print(f"baseline  plain openpyxl read-only read: {base:7.2f} s  ({cells:,} cells)")

        ctx, svc = npa_folder(tmp / "npa", keys)
        t = time.perf_counter()
        results = svc.importer().import_paths(files)
        t_import = time.perf_counter() - t
        bad = [r for r in results if r.status != "imported"]
        if bad:
            print("import failed:", bad[0].errors[:3])
            return 1
        rows = sum(r.rows_imported for r in results)
        t = time.perf_counter()
        dups = svc.national.duplicates()
        res = svc.provider.write(tmp / "provider.xlsx", officer_id=None)
        t_agg = time.perf_counter() - t
        ctx.close()
        total = t_import + t_agg
        print(f"teishi    import {len(files)} files ({rows:,} rows):  {t_import:7.2f} s  ratio {t_import / base:5.2f}x")
        print(f"teishi    national aggregation:          {t_agg:7.2f} s  "
              f"({len(dups)} national duplicates, provider file {res.accounts:,} accounts from {res.rows:,} rows)")
        print(f"teishi    import + aggregation:          {total:7.2f} s  ratio {total / base:5.2f}x to plain openpyxl")

        ctx2, svc2 = npa_folder(tmp / "npa2", keys)
        tracemalloc.start()
        svc2.importer().import_paths(files)
        svc2.national.duplicates()
        svc2.provider.write(tmp / "provider2.xlsx", officer_id=None)
        _cur, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        ctx2.close()
        tracemalloc.start()
        plain_openpyxl(files)
        _cur, peak_base = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(f"peak Python memory: teishi {peak / 2**20:.1f} MiB, plain openpyxl {peak_base / 2**20:.1f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
