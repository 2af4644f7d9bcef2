"""The reader's column-by-column proof (``sheet_match``) that a signed sheet shows its metadata.

It must accept exactly the bytes ``workbook_writer.sheet_xml`` writes for the same metadata: on
random and hostile data it either renders the same bytes or declines (the general path then
decides), it never accepts a sheet that differs from the metadata in any cell, and what it declines
still reads through the general path.
"""
from __future__ import annotations

import datetime as dt
import json
import random

import minisign
import pytest

from desktop_app.exchange import sheet_match
from desktop_app.exchange.errors import ExchangeRefused
from desktop_app.exchange.reader import _row_values, _signed_spec, read_exchange_file
from desktop_app.exchange.signing import SignInfo, write_signed
from desktop_app.exchange.verify import StaticTrust, TrustedKey
from desktop_app.exchange.workbook_writer import FORMULA_TRIGGERS, build_package, sheet_xml, workbook_xml
from desktop_app.exchange.writer import OutgoingDocument, metadata, sheet_spec
from desktop_app.signing_keys import PublicKeyInfo

TEXTS = ["山田 花子", "user_01@example.co.jp", "A&B株式会社", "<b>", "x>y", "=HYPERLINK(\"http://e\")", "+cmd",
         "-2+3", "@SUM(1)", "＝全角", "＋", "－", "＠", "\tタブ", "a\rb", "改\n行", "_x0041_", "\x01ctl", "", None,
         "特殊詐欺", "]]>", "<!DOCTYPE x>", "<f>1</f>", "\ufffe", "😀", " 前後の空白 "]
DATES = ["2026-03-02", "2019-05-01", "2026-02-30", "令和8年3月2日", "R8.3.2", "2026/3/2", "", None,
         "2026-03-02T09:00:00", "=1+1", "_x0041_"]
CASES = [("特殊詐欺", None), ("特殊詐欺", "オレオレ詐欺"), ("SNS型投資詐欺", ""), (None, None), ("", "x")]


def _doc(rows, **kw) -> OutgoingDocument:
    return OutgoingDocument(kind="station_export", unit_id="S27-m", unit_name="中央警察署", tier="station", rows=rows,
                            sequence=1, prefecture_code="27", prefecture_name="大阪府",
                            created_at=dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.timezone.utc), **kw)


def _signed_meta(doc: OutgoingDocument) -> tuple[bytes, bytes, dict]:
    """(sheet, workbook.xml, metadata as a reader sees it) exactly as the writer produces them."""
    spec = sheet_spec(doc)
    meta = json.loads(json.dumps(metadata(doc, spec), ensure_ascii=False))
    return sheet_xml(spec), workbook_xml([spec]), meta


def _random_rows(rnd: random.Random, n: int) -> list[dict]:
    rows = []
    for i in range(n):
        case, refinement = rnd.choice(CASES)
        row = {"id": f"r{i}", "account_id": rnd.choice(TEXTS), "account_id_raw": rnd.choice(TEXTS),
               "user_name": rnd.choice(TEXTS), "organization": rnd.choice(TEXTS), "case_type": case,
               "refinement": refinement, "station": rnd.choice(TEXTS), "recognized_on": rnd.choice(DATES),
               "recognized_on_text": rnd.choice(DATES), "entered_by": "1001", "verified_by": "1002"}
        if rnd.random() < 0.2:
            row.pop(rnd.choice(["user_name", "station", "recognized_on"]))
        rows.append(row)
    return rows




def _signer():
    """A unit's key pair and a trust list that knows it."""
    kp = minisign.KeyPair.generate()
    info = PublicKeyInfo.from_minisign(kp.public_key)
    return kp, StaticTrust().add(TrustedKey(info.key_id, "S27-m", "中央警察署", "station", "27", info.public_key))


def _rows_named(names):
    return [{"id": f"r{i}", "account_id": f"u{i}@example.jp", "user_name": name, "case_type": "特殊詐欺",
             "recognized_on": "2026-03-02"} for i, name in enumerate(names)]

def _refused(path, package, doc, kp, trust):
    """Sign ``package`` as ``doc``'s unit, read it back, and return the first problem it is refused with."""
    write_signed(path, package, kp.secret_key, SignInfo(kind=doc.kind, unit_id=doc.unit_id, sequence=1, rows=3,
                                                        batch_id=doc.batch_id, signed_at=doc.created_at))
    with pytest.raises(ExchangeRefused) as err:
        read_exchange_file(path, trust, check_replay=False)
    return err.value.problems[0]

def test_an_ordinary_station_file_is_proven_by_the_fast_path():
    rows = [{"id": f"r{i}", "account_id": f"user_{i}@example.co.jp", "account_id_raw": f"user_{i}@example.co.jp",
             "user_name": f"利用者{i}", "organization": "A&B株式会社", "case_type": "特殊詐欺",
             "refinement": "オレオレ詐欺" if i % 2 else None, "station": "中央警察署", "recognized_on": "2026-03-02",
             "entered_by": "1001", "verified_by": "1002"} for i in range(25)]
    sheet, workbook, meta = _signed_meta(_doc(rows))
    assert sheet_match.signed_sheet_matches(sheet, workbook, meta) is True


@pytest.mark.parametrize("seed", range(40))
def test_on_random_hostile_data_it_renders_what_sheet_xml_renders_or_declines(seed):
    rnd = random.Random(seed)
    sheet, workbook, meta = _signed_meta(_doc(_random_rows(rnd, rnd.choice([0, 1, 5, 20, 23]))))
    plan = sheet_match._plan(meta)
    rows_text = sheet_match._rows_text(plan, meta["rows"])
    assert rows_text is not None  # all of these are strings, blanks and dates: rendered, not declined
    assert plan.head + rows_text.encode() + plan.foot == sheet
    assert sheet_match.signed_sheet_matches(sheet, workbook, meta) is True
    # the reader hands its row values over (columns then taken from them): same bytes, same verdict
    values = _row_values(meta["rows"])
    assert sheet_match._rows_text(plan, meta["rows"], values) == rows_text
    assert sheet_match.signed_sheet_matches(sheet, workbook, meta, values) is True


@pytest.mark.parametrize("seed", range(10))
def test_a_sheet_that_differs_from_its_metadata_in_any_one_cell_is_never_accepted(seed):
    rnd = random.Random(100 + seed)
    rows = _random_rows(rnd, 6)
    sheet, workbook, meta = _signed_meta(_doc(rows))
    other = [dict(r) for r in rows]
    victim = rnd.randrange(len(other))
    key = rnd.choice(["account_id", "user_name", "organization", "station", "recognized_on", "case_type"])
    other[victim][key] = "別の値" if other[victim].get(key) != "別の値" else "さらに別"
    tampered_sheet, _, _ = _signed_meta(_doc(other))
    assert tampered_sheet != sheet
    assert sheet_match.signed_sheet_matches(tampered_sheet, workbook, meta) is None
    assert sheet_match.signed_sheet_matches(tampered_sheet, workbook, meta, _row_values(meta["rows"])) is None


def test_a_different_workbook_part_or_layout_is_not_accepted():
    sheet, workbook, meta = _signed_meta(_doc(_random_rows(random.Random(1), 3)))
    hidden = workbook.replace(b'r:id="rId1"/>', b'r:id="rId1" state="hidden"/>')
    assert hidden != workbook
    assert sheet_match.signed_sheet_matches(sheet, hidden, meta) is None
    wider = json.loads(json.dumps(meta))
    wider["sheet"]["layout"]["columns"][1][3] = 40
    assert sheet_match.signed_sheet_matches(sheet, workbook, wider) is None


@pytest.mark.parametrize("key,value", [("user_name", 5), ("user_name", 0), ("organization", False),
                                       ("station", ["x"]), ("recognized_on", 20260302), ("number", "一"),
                                       ("number", True), ("user_name", {"a": 1})])
def test_values_it_does_not_render_are_declined(key, value):
    rows = _random_rows(random.Random(2), 3)
    sheet, workbook, meta = _signed_meta(_doc(rows))
    meta["rows"][1][key] = value
    assert sheet_match.signed_sheet_matches(sheet, workbook, meta) is None


@pytest.mark.parametrize("key,value", [("user_name", 5), ("organization", 0), ("recognized_on", 20260302)])
def test_a_declined_file_still_reads_through_the_general_path(tmp_path, key, value):
    """A (buggy but trusted) signer wrote a non-text value: the general path renders it as sheet_xml does."""
    kp = minisign.KeyPair.generate()
    info = PublicKeyInfo.from_minisign(kp.public_key)
    trust = StaticTrust().add(TrustedKey(info.key_id, "S27-m", "中央警察署", "station", "27", info.public_key))
    rows = _random_rows(random.Random(3), 2)
    rows[0][key] = value
    doc = _doc(rows)
    spec = sheet_spec(doc)
    meta = json.dumps(metadata(doc, spec), ensure_ascii=False).encode()
    package = build_package([spec], meta, creator=doc.unit_name, created=doc.created_at)
    write_signed(tmp_path / "odd.xlsx", package, kp.secret_key,
                 SignInfo(kind=doc.kind, unit_id=doc.unit_id, sequence=1, rows=2, batch_id=doc.batch_id,
                          signed_at=doc.created_at))
    assert sheet_match.signed_sheet_matches(sheet_xml(_signed_spec(json.loads(meta))),
                                            workbook_xml([spec]), json.loads(meta)) is None
    got = read_exchange_file(tmp_path / "odd.xlsx", trust, check_replay=False)
    assert got.rows[0].values[key] == value


def test_a_sheet_showing_other_values_than_signed_is_refused_with_the_cell(tmp_path):
    """Signed metadata says one thing, the signed sheet shows another: neither path accepts it."""
    kp, trust = _signer()
    rows = _rows_named(["佐藤", "山田", "鈴木"])
    doc = _doc(rows)
    spec = sheet_spec(doc)
    meta = json.dumps(metadata(doc, spec), ensure_ascii=False).encode()
    package = build_package([spec], meta, creator=doc.unit_name, created=doc.created_at)
    package.entries = [(n, d.replace("山田".encode(), "田中".encode()) if n.endswith("sheet1.xml") else d)
                       for n, d in package.entries]
    p = _refused(tmp_path / "lie.xlsx", package, doc, kp, trust)
    assert "一致しません" in p.message and p.row == spec.first_data_row + 1 and p.column == "C"


def test_the_kept_plans_and_dates_stay_bounded():
    for i in range(sheet_match._PLANS_MAX + 5):
        sheet, workbook, meta = _signed_meta(_doc(_random_rows(random.Random(i), 1), title=f"表{i}"))
        assert sheet_match.signed_sheet_matches(sheet, workbook, meta) is True
    assert len(sheet_match._PLANS) <= sheet_match._PLANS_MAX
    rows = [{"id": str(i), "recognized_on": f"2026-01-01x{i}"} for i in range(sheet_match._SERIALS_MAX + 10)]
    sheet, workbook, meta = _signed_meta(_doc(rows))
    assert sheet_match.signed_sheet_matches(sheet, workbook, meta) is True
    assert len(sheet_match._SERIALS) <= sheet_match._SERIALS_MAX
    for i in range(sheet_match._KNOWN_PLAIN_MAX // 20 + 5):
        assert sheet_match._plain_text([f"名前{i}-{j}" for j in range(20)])
        assert len(sheet_match._KNOWN_PLAIN) <= sheet_match._KNOWN_PLAIN_MAX


def test_values_known_plain_do_not_carry_an_odd_one_through():
    known = ["中央警察署", "特殊詐欺", "株式会社サンプル"]
    assert sheet_match._plain_text(known)  # now known
    for odd in ["=SUM(1)", "A&B", "", None, "_x0041_", "\tタブ", ["x"], 5]:
        assert not sheet_match._plain_text(known + [odd]), odd
    assert sheet_match._plain_text(known)


def test_signed_numbers_other_than_the_row_count_render_as_sheet_xml_renders_them():
    sheet, workbook, meta = _signed_meta(_doc(_random_rows(random.Random(9), 4)))
    for r, n in zip(meta["rows"], (7, 0, 3, 12)):
        r["number"] = n  # 0 falls back to the row's position, as in the writer
    plan = sheet_match._plan(meta)
    expected = sheet_xml(_signed_spec(meta))
    assert plan.head + sheet_match._rows_text(plan, meta["rows"]).encode() + plan.foot == expected
    assert sheet_match.signed_sheet_matches(expected, workbook, meta) is True
    assert sheet_match.signed_sheet_matches(sheet, workbook, meta) is None


@pytest.mark.parametrize("rows", [3, 20, 21])
def test_columns_of_ordinary_values_take_the_prepared_pieces_and_match(rows):
    """Full-width spaces, underscores, ampersands and triggers go cell by cell; plain columns do not;
    either way the bytes are sheet_xml's."""
    data = [{"id": str(i), "account_id": f"plain{i}@example.jp", "user_name": "山田\u3000花子" if i % 2 else "山田",
             "organization": "A&B" if i == 1 else "株式会社", "case_type": "特殊詐欺", "station": "=中央" if i == 2 else "中央",
             "recognized_on": "2026-03-02" if i % 3 else None, "recognized_on_text": "令和8年3月" if i == 3 else None}
            for i in range(rows)]
    sheet, workbook, meta = _signed_meta(_doc(data))
    assert sheet_match.signed_sheet_matches(sheet, workbook, meta) is True


def _plain_text_by_the_rule(values: list) -> bool:
    """The rule ``_plain_text`` implements, value by value: non-empty text, printable, nothing to
    escape (_ & < >), and no formula trigger as its first character."""
    return all(isinstance(v, str) and v and v.isprintable() and not set("_&<>") & set(v)
               and v[0] not in FORMULA_TRIGGERS for v in values)


@pytest.mark.parametrize("seed", range(20))
def test_plain_text_columns_are_recognised_exactly_by_the_rule(seed):
    rnd = random.Random(500 + seed)
    pool = TEXTS + ["a-b", "x@y", "全角＠後", "末尾＝", "ｱ", "-", "＋1", "a+b", "@", "中\u3000央", "a b"]
    for _ in range(50):
        values = [rnd.choice(pool) for _ in range(rnd.randint(1, 6))]
        if rnd.random() < 0.5:  # mostly ordinary columns, where a single odd value decides
            values = [rnd.choice(["山田", "user@example.jp", "中央警察署"]) for _ in range(5)] + values[:1]
        assert sheet_match._plain_text(values) == _plain_text_by_the_rule(values), values


def test_signed_metadata_holding_text_no_utf8_can_hold_is_refused_not_a_crash(tmp_path):
    """A lone surrogate in the signed metadata (only a hostile signer writes one): the sheet cannot show
    it, so the file is refused with the cell named, on every path."""
    kp, trust = _signer()
    rows = _rows_named(["佐藤", "ab", "鈴木"])
    doc = _doc(rows)
    spec = sheet_spec(doc)  # the sheet shows "ab"
    lying = metadata(doc, spec)
    lying["rows"][1]["user_name"] = "a\ud800b"
    meta = json.dumps(lying).encode()  # ASCII escapes: the surrogate survives as \ud800
    sheet, workbook = sheet_xml(spec), workbook_xml([spec])
    assert sheet_match.signed_sheet_matches(sheet, workbook, json.loads(meta)) is None
    package = build_package([spec], meta, creator=doc.unit_name, created=doc.created_at)
    p = _refused(tmp_path / "odd.xlsx", package, doc, kp, trust)
    assert "一致しません" in p.message and p.row == spec.first_data_row + 1 and p.column == "C"
