"""The command line as HQ staff script it: a real ``python -m desktop_app`` in a subprocess."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


@pytest.fixture
def home(tmp_path):
    """A private HOME with no TEISHI_DATA_DIR: anything written to the default folder lands here."""
    h = tmp_path / "home"
    h.mkdir()
    return h


@pytest.fixture
def env(home):
    e = {k: v for k, v in os.environ.items() if not k.startswith(("TEISHI_", "XDG_"))}
    e.update(HOME=str(home), USERPROFILE=str(home), LOCALAPPDATA=str(home / "AppData" / "Local"),
             PYTHONIOENCODING="utf-8", PYTHONDONTWRITEBYTECODE="1")
    e["PYTHONPATH"] = str(ROOT) + os.pathsep + e.get("PYTHONPATH", "")
    return e


@pytest.fixture
def data(tmp_path):
    return tmp_path / "unit data"  # a space in the path, as under "C:\Users\..."


@pytest.fixture
def cli(env, data):
    def run(*args, stdin: str | None = None, data_dir: Path | None = data, extra_env=None):
        cmd = [sys.executable, "-m", "desktop_app"]
        if data_dir is not None:
            cmd += ["--data-dir", str(data_dir)]
        return subprocess.run(cmd + list(args), input=stdin, capture_output=True, text=True, encoding="utf-8",
                              cwd=ROOT, env={**env, **(extra_env or {})}, timeout=120)
    return run


@pytest.fixture
def station(cli):
    r = cli("init", "--tier", "station", "--prefecture", "27", "--station", "中央警察署")
    assert r.returncode == 0, r.stderr
    return cli


def refused(result, *words):
    assert result.returncode == 1, (result.stdout, result.stderr)
    assert JAPANESE.search(result.stderr), result.stderr
    assert "Traceback" not in result.stderr
    for w in words:
        assert w in result.stderr, result.stderr


def test_help(cli):
    r = cli("--help", data_dir=None)
    assert r.returncode == 0
    for word in ("--data-dir", "init", "status", "officer", "station", "rows"):
        assert word in r.stdout


def test_init_and_status(station, data):
    r = station("status", "--json")
    assert r.returncode == 0, r.stderr
    status = json.loads(r.stdout)
    assert status["set_up"] is True
    assert status["tier"] == "station" and status["prefecture_code"] == "27"
    assert status["station_name"] == "中央警察署"
    assert status["unit_name"] == "大阪府警察本部 中央警察署"
    assert Path(status["data_dir"]) == data.resolve()
    assert re.fullmatch(r"S27-[0-9a-f]{8}", status["unit_id"])
    assert (data / "teishi.sqlite3").exists()


def test_status_before_init(cli):
    r = cli("status", "--json")
    assert r.returncode == 0
    assert json.loads(r.stdout)["set_up"] is False


def test_init_twice_refused(station):
    refused(station("init", "--tier", "station", "--prefecture", "13", "--station", "丸の内警察署"), "設定済み")
    assert json.loads(station("status", "--json").stdout)["prefecture_code"] == "27"


@pytest.mark.parametrize("args,words", [
    (["--tier", "station", "--prefecture", "99", "--station", "中央警察署"], ["99"]),
    (["--tier", "station", "--prefecture", "27"], ["警察署名"]),
    (["--tier", "hq"], ["都道府県"]),
])
def test_bad_init_refused_and_nothing_set_up(cli, args, words):
    refused(cli("init", *args), *words)
    assert json.loads(cli("status", "--json").stdout)["set_up"] is False


def test_officer_add_with_pin_on_stdin(station, data):
    r = station("officer", "add", "--staff-no", "1001", "--name", "山田太郎", "--pin-stdin", stdin="48213907\n")
    assert r.returncode == 0, r.stderr
    assert "山田太郎" in r.stdout
    listed = json.loads(station("officer", "list", "--json").stdout)
    assert [(o["staff_no"], o["name"], o["active"]) for o in listed] == [("1001", "山田太郎", True)]
    assert b"48213907" not in b"".join(p.read_bytes() for p in data.rglob("*") if p.is_file())


def test_officer_bad_pin_and_duplicate_refused(station):
    refused(station("officer", "add", "--staff-no", "1001", "--name", "山田", "--pin-stdin", stdin="12\n"),
            "暗証番号")
    assert station("officer", "add", "--staff-no", "1001", "--name", "山田", "--pin-stdin",
                   stdin="1234\n").returncode == 0
    refused(station("officer", "add", "--staff-no", "1001", "--name", "別人", "--pin-stdin", stdin="5678\n"),
            "1001")


def test_station_import_shift_jis(station, tmp_path):
    csv_path = tmp_path / "署一覧.csv"
    csv_path.write_bytes("警察署名,コード\n天王寺警察署,27101\n浪速警察署,27102\n".encode("cp932"))
    r = station("station", "import", str(csv_path))
    assert r.returncode == 0, r.stderr
    assert "2件" in r.stdout
    names = [s["name"] for s in json.loads(station("station", "list", "--json").stdout)]
    assert {"中央警察署", "天王寺警察署", "浪速警察署"} <= set(names)


def test_bad_station_csv_names_the_line_and_imports_nothing(station, tmp_path):
    before = json.loads(station("station", "list", "--json").stdout)
    csv_path = tmp_path / "bad.csv"
    csv_path.write_text("警察署名,有効開始日\n天王寺警察署,\n浪速警察署,R8.2.30\n", encoding="utf-8")
    refused(station("station", "import", str(csv_path)), "bad.csv", "3行目")
    assert json.loads(station("station", "list", "--json").stdout) == before


def test_station_import_missing_file(station, tmp_path):
    refused(station("station", "import", str(tmp_path / "nothere.csv")), "nothere.csv")


def test_station_command_before_init(cli, tmp_path):
    refused(cli("station", "list"), "init")


def test_rows_json(station, data):
    assert json.loads(station("rows", "--json").stdout) == []
    # rows are typed in the GUI; write two through the same services the GUI uses
    import datetime as dt

    from desktop_app.context import AppContext

    ctx = AppContext.open(data, today=dt.date.today, log_to_file=False)
    try:
        o = ctx.officers.add("1001", "山田太郎", "1111")
        ctx.entries.create(o.id, {"account_id": "ＴＡＲＯ＠ｅｘａｍｐｌｅ．ｃｏ．ｊｐ", "user_name": "太郎",
                                  "case_type": "特殊詐欺(オレオレ詐欺)", "recognized_on": dt.date.today()})
        ctx.entries.create(o.id, {"account_id": "bad..id@x"})
    finally:
        ctx.close()
    r = station("rows", "--json")
    assert r.returncode == 0, r.stderr
    rows = json.loads(r.stdout)
    assert [row["number"] for row in rows] == [1, 2]
    first, second = rows
    assert first["account_id"] == "taro@example.co.jp"
    assert (first["case_type"], first["refinement"]) == ("特殊詐欺", "オレオレ詐欺")
    assert first["station"] == "中央警察署" and first["status"] == "draft"
    assert first["errors"] == []
    assert any("ドット" in e for e in second["errors"])
    assert {"id", "user_name", "organization", "recognized_on", "warnings"} <= set(first)


def test_data_dir_really_isolates(station, cli, home, data, tmp_path):
    station("officer", "add", "--staff-no", "1001", "--name", "山田", "--pin-stdin", stdin="1234\n")
    station("status", "--json")
    station("rows", "--json")
    # nothing anywhere under the user's home: not the default data folder, not a log
    assert [p for p in home.rglob("*")] == []
    assert (data / "teishi.sqlite3").exists()


def test_without_data_dir_the_environment_variable_is_used(cli, home, tmp_path):
    # the positive control for the isolation test: the default folder really would be written
    elsewhere = tmp_path / "from env"
    r = cli("init", "--tier", "hq", "--prefecture", "大阪府", data_dir=None,
            extra_env={"TEISHI_DATA_DIR": str(elsewhere)})
    assert r.returncode == 0, r.stderr
    assert (elsewhere / "teishi.sqlite3").exists()
    r = cli("status", "--json", data_dir=None)
    assert json.loads(r.stdout)["set_up"] is False  # HOME's default folder is another, fresh one
    assert any(home.rglob("teishi.sqlite3"))


@pytest.mark.parametrize("command", ["import", "receive"])
def test_import_and_receive_report_a_file_that_is_not_a_workbook_the_same_way(cli, tmp_path, command):
    r = cli("init", "--tier", "npa")
    assert r.returncode == 0, r.stderr
    bad = tmp_path / "not a workbook.xlsx"
    bad.write_bytes(b"this is not a zip file")
    r = cli(command, str(bad), "--json")
    assert r.returncode == 1, r.stderr
    [f] = json.loads(r.stdout)["files"]
    assert f["status"] == "refused" and f["rows_imported"] == 0
    assert f["errors"] and JAPANESE.search(f["errors"][0]["message"])
    assert set(f) >= {"path", "status", "signed", "unit", "sequence", "rows_imported", "duplicates", "errors",
                      "warnings"}
