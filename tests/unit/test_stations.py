"""The prefecture's station list: added, renamed with a date, imported from CSV all-or-nothing."""
from __future__ import annotations

import datetime as dt

import pytest

from desktop_app.services.errors import ServiceError

D = dt.date
PREF = "27"


def test_setup_adds_the_own_station(station_ctx):
    assert {"中央警察署", "北警察署"} <= station_ctx.stations.known_names(PREF)


def test_add_and_list(station_ctx):
    st = station_ctx.stations.add(PREF, "  南警察署 ", code="27010")
    assert st.name == "南警察署" and st.code == "27010"
    assert "南警察署" in station_ctx.stations.names(PREF, on=D(2026, 11, 20))
    # another prefecture's list is separate
    assert "南警察署" not in station_ctx.stations.known_names("13")


def test_add_twice_refused(station_ctx):
    with pytest.raises(ServiceError, match="北警察署.*すでに登録"):
        station_ctx.stations.add(PREF, "北警察署")


def test_full_width_name_is_normalised_so_it_matches(station_ctx):
    st = station_ctx.stations.add(PREF, "東淀川警察署　")
    assert st.name == "東淀川警察署"


def test_add_is_audited(station_ctx):
    st = station_ctx.stations.add(PREF, "西警察署", by=None)
    rows = [r for r in station_ctx.audit.rows(entity_id=str(st.id)) if r["entity"] == "station"]
    assert [r["action"] for r in rows] == ["station.add"]
    assert rows[0]["detail"]["name"] == "西警察署"


def test_rename_keeps_old_rows_resolving(station_ctx, officers):
    ctx = station_ctx
    entry = ctx.entries.create(officers["1001"].id, {
        "account_id": "taro@example.co.jp", "user_name": "太郎", "case_type": "特殊詐欺",
        "station": "北警察署", "recognized_on": "R8.3.1"})
    old = next(s for s in ctx.stations.all(PREF) if s.name == "北警察署")
    new = ctx.stations.rename(old, "北淀警察署", D(2026, 10, 1))
    assert new.valid_from == "2026-10-01"
    old_now = next(s for s in ctx.stations.all(PREF) if s.name == "北警察署")
    assert old_now.valid_to == "2026-09-30" and old_now.successor == "北淀警察署"

    # choices: the old name before the date, the new one after
    assert "北警察署" in ctx.stations.names(PREF, on=D(2026, 9, 30))
    assert "北淀警察署" not in ctx.stations.names(PREF, on=D(2026, 9, 30))
    assert "北淀警察署" in ctx.stations.names(PREF, on=D(2026, 10, 1))
    assert "北警察署" not in ctx.stations.names(PREF, on=D(2026, 10, 1))
    # the row typed before the rename is still valid and resolves to the new station
    assert not [i for i in ctx.entries.issues(ctx.entries.get(entry.id)) if i.column == "station"]
    assert ctx.stations.resolve(PREF, "北警察署", on=D(2026, 11, 20)) == "北淀警察署"
    assert ctx.stations.resolve(PREF, "北警察署", on=D(2026, 9, 1)) == "北警察署"
    actions = [r["action"] for r in ctx.audit.rows(action_prefix="station.")]
    assert "station.update" in actions


def test_rename_chain_and_merger_resolve_to_the_last(station_ctx):
    ctx = station_ctx
    a = ctx.stations.add(PREF, "甲警察署")
    b = ctx.stations.rename(a, "乙警察署", D(2020, 4, 1))
    ctx.stations.rename(b, "丙警察署", D(2024, 4, 1))
    assert ctx.stations.resolve(PREF, "甲警察署", on=D(2026, 1, 1)) == "丙警察署"
    assert ctx.stations.resolve(PREF, "甲警察署", on=D(2022, 1, 1)) == "乙警察署"


CSV_TEXT = (
    "警察署名,コード,有効開始日,有効終了日,統合・改称先,備考\r\n"
    "天王寺警察署,27101,,,,\r\n"
    "浪速警察署,27102,R2.4.1,,,\r\n"
    "旧港警察署,27103,,令和5年3月31日,天王寺警察署,統合\r\n"
    ",,,,,\r\n"
)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp932"])
def test_csv_import_utf8_and_shift_jis(station_ctx, tmp_path, encoding):
    path = tmp_path / "stations.csv"
    path.write_bytes(CSV_TEXT.encode(encoding))
    assert station_ctx.stations.import_csv(PREF, path) == 3
    by_name = {s.name: s for s in station_ctx.stations.all(PREF)}
    assert by_name["浪速警察署"].valid_from == "2020-04-01"
    assert by_name["旧港警察署"].valid_to == "2023-03-31"
    assert by_name["旧港警察署"].successor == "天王寺警察署"
    assert station_ctx.stations.resolve(PREF, "旧港警察署", on=D(2026, 1, 1)) == "天王寺警察署"
    audit = list(station_ctx.audit.rows(action_prefix="station.import_csv"))
    assert audit[-1]["detail"] == {"file": "stations.csv", "rows": 3}


def test_importing_the_same_csv_twice_adds_nothing(station_ctx, tmp_path):
    path = tmp_path / "stations.csv"
    path.write_text(CSV_TEXT, encoding="utf-8")
    station_ctx.stations.import_csv(PREF, path)
    count = len(station_ctx.stations.all(PREF))
    assert station_ctx.stations.import_csv(PREF, path) == 0
    assert len(station_ctx.stations.all(PREF)) == count


def test_header_columns_in_any_order(station_ctx, tmp_path):
    path = tmp_path / "s.csv"
    path.write_text("備考,署名\nメモ,住吉警察署\n", encoding="utf-8")
    assert station_ctx.stations.import_csv(PREF, path) == 1
    assert "住吉警察署" in station_ctx.stations.known_names(PREF)


@pytest.mark.parametrize("body,line,words", [
    ("警察署名,有効開始日\n天王寺警察署,\n,R2.4.1\n", 3, "警察署名が空"),
    ("警察署名,有効開始日\n天王寺警察署,\n浪速警察署,\n港警察署,令和5年2月30日\n", 4, "存在しない日付"),
    ("警察署名,有効開始日,有効終了日\n天王寺警察署,2024-04-01,2023-03-31\n", 2, "有効終了日"),
    ("警察署名\n天王寺警察署\n" + "長" * 41 + "\n", 3, "正しくありません"),
])
def test_bad_csv_names_the_line_and_imports_nothing(station_ctx, tmp_path, body, line, words):
    before = station_ctx.stations.all(PREF)
    audit_before = station_ctx.database.db["audit_log"].count
    path = tmp_path / "bad.csv"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(ServiceError) as exc:
        station_ctx.stations.import_csv(PREF, path)
    message = str(exc.value)
    assert "bad.csv" in message and f"{line}行目" in message and words in message
    assert station_ctx.stations.all(PREF) == before
    assert station_ctx.database.db["audit_log"].count == audit_before


def test_csv_without_a_header_is_refused(station_ctx, tmp_path):
    path = tmp_path / "noheader.csv"
    path.write_text("天王寺警察署,27101\n", encoding="utf-8")
    with pytest.raises(ServiceError, match="noheader.csv 1行目.*警察署名"):
        station_ctx.stations.import_csv(PREF, path)


def test_empty_and_undecodable_files_are_refused(station_ctx, tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(ServiceError, match="empty.csv.*空"):
        station_ctx.stations.import_csv(PREF, empty)
    binary = tmp_path / "binary.csv"
    binary.write_bytes(b"\x81\xff\x80\xfe" * 10)
    with pytest.raises(ServiceError, match="binary.csv.*文字コード"):
        station_ctx.stations.import_csv(PREF, binary)


def test_missing_file_is_a_japanese_error(station_ctx, tmp_path):
    with pytest.raises(ServiceError, match="nothere.csv: ファイルを開けません"):
        station_ctx.stations.import_csv(PREF, tmp_path / "nothere.csv")
    with pytest.raises(ServiceError, match="ファイルを開けません"):
        station_ctx.stations.import_csv(PREF, tmp_path)  # a folder, not a file


def test_huge_file_is_refused_before_reading_it_all(station_ctx, tmp_path):
    path = tmp_path / "huge.csv"
    path.write_bytes(("警察署名\n" + "天王寺警察署\n" * 300_000).encode("utf-8"))
    with pytest.raises(ServiceError, match="大きすぎ"):
        station_ctx.stations.import_csv(PREF, path)


@pytest.mark.parametrize("new_name", ["北淀警察署", "  "])
def test_failed_rename_changes_nothing(station_ctx, new_name):
    ctx = station_ctx
    ctx.stations.rename(next(s for s in ctx.stations.all(PREF) if s.name == "北警察署"), "北淀警察署",
                        D(2026, 10, 1))
    before = ctx.stations.all(PREF)
    central = next(s for s in before if s.name == "中央警察署")
    # 北淀警察署 from 2026-10-01 exists already; a blank name is no name
    with pytest.raises(ServiceError):
        ctx.stations.rename(central, new_name, D(2026, 10, 1))
    assert ctx.stations.all(PREF) == before
    assert "中央警察署" in ctx.stations.names(PREF, on=D(2026, 11, 20))
    assert ctx.stations.resolve(PREF, "中央警察署", on=D(2026, 11, 20)) == "中央警察署"
