"""The reader's fast paths refuse exactly what the slow paths refused.

A signed sheet that is byte-identical to our own rendering is never parsed, so its content scan
(DOCTYPE/ENTITY, NUL, formulas) is deferred; these tests pin that a signed sheet that differs from
the rendering in any such way is still refused, that the rendering itself can never hold a formula
or a DOCTYPE whatever the data, and that the other shortcuts (docProps/custom.xml matched as written,
zip entries inflated from memory) agree with the general code.
"""
from __future__ import annotations

import datetime as dt
import json
import zipfile
from pathlib import Path

import minisign
import pytest

from desktop_app.exchange import verify as verify_mod
from desktop_app.exchange.errors import ExchangeRefused
from desktop_app.exchange.reader import read_exchange_file
from desktop_app.exchange.signing import SignInfo, write_signed
from desktop_app.exchange.verify import VALID, StaticTrust, TrustedKey, verify_file
from desktop_app.exchange.workbook_writer import (CUSTOM_PART, SHEET_PART, ColumnSpec, SheetSpec, build_package,
                                                  sheet_xml)
from desktop_app.exchange.writer import OutgoingDocument, metadata, sheet_spec
from desktop_app.exchange.zipcheck import _DTD, _FORMULA, open_package
from desktop_app.signing_keys import PublicKeyInfo
from tests.fixtures.exchange_files import read_entries, rewrite_zip

HOSTILE_TEXT = ["<f>1+1</f>", "<x:f>SUM(A1)</x:f>", '<!DOCTYPE x [<!ENTITY a "b">]>', "]]>", "&amp;", "=1+1",
                "_x0041_", "a\rb", "\x01", "<![CDATA[x]]>", "<!-- c -->"]


@pytest.fixture(scope="module")
def key():
    kp = minisign.KeyPair.generate()
    info = PublicKeyInfo.from_minisign(kp.public_key)
    trust = StaticTrust().add(TrustedKey(info.key_id, "S27-fast", "中央警察署", "station", "27", info.public_key))
    return kp.secret_key, trust


def _rows(n: int = 3) -> list[dict]:
    return [{"id": f"r{i}", "account_id": f"user{i}@example.co.jp", "account_id_raw": f"user{i}@example.co.jp",
             "user_name": f"利用者{i}", "organization": "株式会社テスト", "case_type": "特殊詐欺", "refinement": None,
             "station": "中央警察署", "recognized_on": "2026-03-02", "entered_by": "1001", "verified_by": "1002"}
            for i in range(n)]


def _signed_file(path: Path, secret, *, sheet_change=None, add: dict[str, bytes] | None = None,
                 change: dict | None = None) -> Path:
    """A signed station file whose package was altered BEFORE signing (as a hostile but trusted signer
    could), so the signature is valid and only the reader's content checks can refuse it."""
    doc = OutgoingDocument(kind="station_export", unit_id="S27-fast", unit_name="中央警察署", tier="station",
                           rows=_rows(), sequence=1, prefecture_code="27", prefecture_name="大阪府",
                           created_at=dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.timezone.utc))
    spec = sheet_spec(doc)
    meta = json.dumps(metadata(doc, spec), ensure_ascii=False).encode("utf-8")
    package = build_package([spec], meta, creator=doc.unit_name, created=doc.created_at)
    change = dict(change or {})
    if sheet_change:
        change[SHEET_PART] = sheet_change
    package.entries = [(n, change[n](d) if n in change else d) for n, d in package.entries]
    package.entries += list((add or {}).items())
    info = SignInfo(kind=doc.kind, unit_id=doc.unit_id, sequence=doc.sequence, rows=len(doc.rows),
                    batch_id=doc.batch_id, signed_at=doc.created_at)
    write_signed(path, package, secret, info)
    return path


def _refusal(path: Path, trust) -> str:
    with pytest.raises(ExchangeRefused) as err:
        read_exchange_file(path, trust, check_replay=False)
    return str(err.value)


def test_an_unaltered_signed_file_reads_through_the_byte_comparison(tmp_path, key):
    secret, trust = key
    doc = read_exchange_file(_signed_file(tmp_path / "ok.xlsx", secret), trust, check_replay=False)
    assert doc.signed and [r.values["account_id"] for r in doc.rows] == [f"user{i}@example.co.jp" for i in range(3)]


def test_a_signed_sheet_with_a_doctype_is_refused(tmp_path, key):
    secret, trust = key
    path = _signed_file(tmp_path / "dtd.xlsx", secret, sheet_change=lambda b: b.replace(
        b"?>\n", b'?>\n<!DOCTYPE worksheet [<!ENTITY v "x">]>', 1))
    assert "DOCTYPE" in _refusal(path, trust)


def test_a_signed_sheet_with_a_formula_cell_is_refused_even_when_its_cached_value_matches(tmp_path, key):
    secret, trust = key
    # 番号 1 in A-column of the first data row, computed by a formula whose cached value is still 1.
    path = _signed_file(tmp_path / "formula.xlsx", secret, sheet_change=lambda b: b.replace(
        b'><v>1</v></c>', b'><f>0+1</f><v>1</v></c>', 1))
    assert b"<f>" in read_entries(path)[SHEET_PART]
    assert "数式" in _refusal(path, trust)


def test_a_formula_in_another_signed_worksheet_is_refused(tmp_path, key):
    secret, trust = key
    extra = (b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
             b'spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1"><f>1+1</f></c></row></sheetData></worksheet>')
    path = _signed_file(tmp_path / "sheet2.xlsx", secret, add={"xl/worksheets/sheet2.xml": extra})
    assert "数式" in _refusal(path, trust)


def test_a_second_hidden_sheet_in_a_signed_workbook_is_refused(tmp_path, key):
    secret, trust = key
    path = _signed_file(tmp_path / "hidden.xlsx", secret, change={"xl/workbook.xml": lambda b: b.replace(
        b"</sheets>", b'<sheet name="x" sheetId="2" state="hidden" r:id="rId1"/></sheets>')})
    assert "シートの構成" in _refusal(path, trust)


def test_a_signed_sheet_that_differs_only_in_layout_is_compared_cell_by_cell(tmp_path, key):
    secret, trust = key
    # Not our bytes (an extra attribute), same cells: read through the parsed comparison.
    path = _signed_file(tmp_path / "layout.xlsx", secret, sheet_change=lambda b: b.replace(
        b"<sheetData>", b'<sheetData xmlns:x="urn:x">', 1))
    doc = read_exchange_file(path, trust, check_replay=False)
    assert len(doc.rows) == 3
    # ...and a changed cell there is found and named.
    bad = _signed_file(tmp_path / "layout_bad.xlsx", secret, sheet_change=lambda b: b.replace(
        b"<sheetData>", b'<sheetData xmlns:x="urn:x">', 1).replace(b"user1@", b"userX@"))
    assert "一致しません" in _refusal(bad, trust)


@pytest.mark.parametrize("text", HOSTILE_TEXT)
def test_our_rendering_never_holds_a_formula_or_a_declaration_whatever_the_data(text):
    # This is what lets a byte-identical signed sheet skip the content scan.
    cols = [ColumnSpec("number", "番号", "number"), ColumnSpec("a", "A", "text"), ColumnSpec("b", "B", "id"),
            ColumnSpec("d", "D", "date")]
    spec = SheetSpec(title=text, columns=cols, rows=[{"number": text, "a": text, "b": text, "d": text}],
                     header_fields=[(text, text)], corner_label=text, note=text, min_rows=2)
    xml = sheet_xml(spec)
    assert _FORMULA.search(xml) is None and _DTD.search(xml) is None and b"\x00" not in xml


def test_custom_properties_in_another_layout_take_the_parser_path_and_still_verify(tmp_path, key):
    secret, trust = key
    path = _signed_file(tmp_path / "custom.xlsx", secret)
    fast = verify_mod._signed_properties(open_package(path.read_bytes(), path.name), path.name)
    # docProps/custom.xml is outside the manifest: another program may lay it out differently.
    relaid = rewrite_zip(path, tmp_path / "custom2.xlsx", change={CUSTOM_PART: lambda b: b.replace(
        b"><property ", b">\n  <property ").replace(b'standalone="yes"', b"standalone='yes'")})
    assert verify_mod._EXACT_CUSTOM.fullmatch(read_entries(relaid)[CUSTOM_PART]) is None
    slow = verify_mod._signed_properties(open_package(relaid.read_bytes(), relaid.name), relaid.name)
    assert fast == slow
    assert verify_file(relaid, trust, check_replay=False).status == VALID


def test_an_entity_in_the_custom_properties_is_not_taken_by_the_exact_match(tmp_path, key):
    secret, trust = key
    path = _signed_file(tmp_path / "amp.xlsx", secret)
    changed = rewrite_zip(path, tmp_path / "amp2.xlsx", change={CUSTOM_PART: lambda b: b.replace(
        b"untrusted comment:", b"untrusted&#32;comment:", 1)})
    assert verify_mod._EXACT_CUSTOM.fullmatch(read_entries(changed)[CUSTOM_PART]) is None
    assert verify_file(changed, trust, check_replay=False).status == VALID  # the parser resolves &#32;


def test_a_local_header_that_names_another_entry_is_refused(tmp_path, key):
    secret, trust = key
    path = _signed_file(tmp_path / "names.xlsx", secret)
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as zf:
        first = zf.infolist()[0]
    name = first.filename.encode()
    start = first.header_offset + 30
    assert bytes(data[start:start + len(name)]) == name
    data[start] = ord("X")  # the central directory still says the original name
    (tmp_path / "names2.xlsx").write_bytes(bytes(data))
    assert "壊れています" in _refusal(tmp_path / "names2.xlsx", trust)
