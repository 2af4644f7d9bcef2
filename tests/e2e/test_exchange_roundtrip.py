"""Station → HQ through the real command line: export, keys, trust, verify, inspect, test send."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from desktop_app.context import AppContext
from tests.fixtures.exchange_files import SAMPLE_VALUES, rewrite_zip, verified_rows

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def run(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("TEISHI_")}
    env.update(PYTHONPATH=str(ROOT), PYTHONIOENCODING="utf-8", TEISHI_KEY_PASSPHRASE="station passphrase")

    def _run(data: Path, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "desktop_app", "--data-dir", str(data), *args], env=env,
                              capture_output=True, text=True, encoding="utf-8", cwd=ROOT, timeout=120)
    return _run


@pytest.mark.slow
def test_station_to_hq_roundtrip(run, tmp_path):
    st, hq = tmp_path / "station data", tmp_path / "hq data"
    assert run(st, "init", "--tier", "station", "--prefecture", "27", "--station", "中央警察署").returncode == 0
    assert run(hq, "init", "--tier", "hq", "--prefecture", "大阪府").returncode == 0
    ctx = AppContext.open(st, log_to_file=False)  # rows typed and dual-entered (test shortcut for the latter)
    for no, name, pin in (("1001", "山田太郎", "1111"), ("1002", "佐藤花子", "2222")):
        ctx.officers.add(no, name, pin)
    verified_rows(ctx, {o.staff_no: o for o in ctx.officers.list()}, SAMPLE_VALUES[:3])
    ctx.close()

    out = tmp_path / "to hq.xlsx"
    r = run(st, "export", "--out", str(out))
    assert r.returncode == 0, r.stderr
    assert "3行" in r.stdout
    key = json.loads(run(st, "keys", "show", "--json").stdout)
    pub = tmp_path / "station.pub"
    assert run(st, "keys", "export-public", "--out", str(pub)).returncode == 0

    # HQ has not registered the key yet: refused, and inspect says why in JSON.
    r = run(hq, "inspect", str(out), "--json")
    assert r.returncode == 1
    refused = json.loads(r.stdout)
    assert (refused["signed"], refused["signature"], refused["rows"]) == (True, "unknown-key", [])
    assert refused["errors"][0]["message"].startswith("ファイル「to hq.xlsx」")
    assert run(hq, "verify", str(out)).returncode == 1

    r = run(hq, "trust", "add", str(pub), "--fingerprint", "0000", "--unit-name", "中央警察署")
    assert r.returncode == 1 and "指紋が一致しません" in r.stderr
    r = run(hq, "trust", "add", str(pub), "--fingerprint", key["fingerprint"], "--unit-name", "大阪府警察本部 中央警察署")
    assert r.returncode == 0, r.stderr
    listed = json.loads(run(hq, "trust", "list", "--json").stdout)
    assert [k["key_id"] for k in listed] == [key["key_id"]] and listed[0]["status"] == "active"

    r = run(hq, "inspect", str(out), "--json")
    assert r.returncode == 0, r.stdout + r.stderr
    doc = json.loads(r.stdout)
    assert set(doc) >= {"signed", "signature", "unit", "sequence", "prefecture", "rows", "warnings", "errors"}
    assert (doc["signed"], doc["signature"], doc["sequence"], doc["prefecture"]) == (True, "valid", 1, "大阪府")
    assert doc["rows"][0] == {"number": 1, "account_id": "fraud-01@example.co.jp", "user_name": "山田 花子",
                              "organization": "株式会社サンプル", "case_type": "SNS型投資詐欺", "station": "中央警察署",
                              "recognized_on": "2026-03-02"}
    assert doc["rows"][2]["user_name"].startswith("=HYPERLINK")
    assert run(hq, "verify", str(out)).returncode == 0

    tampered = rewrite_zip(out, tmp_path / "tampered.xlsx", change={
        "xl/worksheets/sheet1.xml": lambda d: d.replace(b"fraud-01", b"fraud-99")})
    r = run(hq, "verify", str(out), str(tampered))
    assert r.returncode == 1 and "有効" in r.stdout and "無効(invalid)" in r.stdout
    assert json.loads(run(hq, "inspect", str(tampered), "--json").stdout)["signature"] == "invalid"

    # a 試験送付 verifies end to end and is reported as a test
    test = tmp_path / "test.xlsx"
    assert run(st, "export", "--test", "--out", str(test)).returncode == 0
    doc = json.loads(run(hq, "inspect", str(test), "--json").stdout)
    assert doc["signature"] == "valid" and doc["test"] and any("試験" in w for w in doc["warnings"])

    # revocation: the same file is now refused
    assert run(hq, "trust", "revoke", key["key_id"]).returncode == 0
    r = run(hq, "inspect", str(out), "--json")
    assert r.returncode == 1 and json.loads(r.stdout)["signature"] == "revoked"


def test_hq_exports_its_trust_list_signed(run, tmp_path):
    hq = tmp_path / "hq"
    run(hq, "init", "--tier", "hq", "--prefecture", "27")
    out = tmp_path / "trust.xlsx"
    r = run(hq, "trust", "export", "--out", str(out))
    assert r.returncode == 0, r.stderr
    meta = json.loads(zipfile.ZipFile(out).read("teishi/exchange.json"))
    assert meta["kind"] == "trust_list"


def test_export_to_a_place_that_cannot_be_written_changes_nothing(run, tmp_path):
    st = tmp_path / "station data"
    assert run(st, "init", "--tier", "station", "--prefecture", "27", "--station", "中央警察署").returncode == 0
    ctx = AppContext.open(st, log_to_file=False)
    for no, name, pin in (("1001", "山田太郎", "1111"), ("1002", "佐藤花子", "2222")):
        ctx.officers.add(no, name, pin)
    verified_rows(ctx, {o.staff_no: o for o in ctx.officers.list()}, SAMPLE_VALUES[:2])
    ctx.close()
    not_a_folder = tmp_path / "USBメモリ"
    not_a_folder.write_text("a file where the officer thought a folder was")

    r = run(st, "export", "--out", str(not_a_folder / "to hq.xlsx"))
    assert r.returncode == 1 and "Traceback" not in r.stderr, r.stderr
    assert "ファイル「to hq.xlsx」を書き出せませんでした" in r.stderr
    assert not list(tmp_path.rglob("*.tmp"))

    good = tmp_path / "to hq.xlsx"
    r = run(st, "export", "--out", str(good))  # the rows and the sequence number were not used up
    assert r.returncode == 0, r.stderr
    assert "2行" in r.stdout and "送付番号 1" in r.stdout
