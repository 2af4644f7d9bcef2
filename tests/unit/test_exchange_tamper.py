"""The tamper matrix: every change to a signed file after signing is refused; stock tools agree."""
from __future__ import annotations

import dataclasses
import datetime as dt
import shutil
import subprocess
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import openpyxl
import pytest

from desktop_app.exchange.errors import ExchangeRefused
from desktop_app.exchange.reader import read_exchange_file
from desktop_app.exchange.verify import StaticTrust, verify_file
from tests.fixtures.exchange_files import SAMPLE_VALUES, export_station_file, read_entries, rewrite_zip, trust_for

CUSTOM = "docProps/custom.xml"
SHEET = "xl/worksheets/sheet1.xml"


@pytest.fixture
def signed(station_ctx, officers, tmp_path):
    res = export_station_file(station_ctx, officers, tmp_path / "signed.xlsx")
    return res.written.path, trust_for(station_ctx)


def _sub(old: bytes, new: bytes):
    def fn(data: bytes) -> bytes:
        assert old in data
        return data.replace(old, new, 1)
    return fn


COMMENT_RELS = (b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
                b'2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
                b'2006/relationships/comments" Target="../comments1.xml"/></Relationships>')
COMMENTS = (b'<?xml version="1.0" encoding="UTF-8"?><comments xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
            b'2006/main"><authors><author>x</author></authors><commentList><comment ref="B7" authorId="0"><text><t>'
            b'\xe5\xae\x9f\xe3\x81\xaf\xe5\x88\xa5\xe4\xba\xba</t></text></comment></commentList></comments>')
HIDDEN_SHEET = (b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
                b'2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>hidden</t></is></c></row></sheetData></worksheet>')

TAMPERS = {
    "changed_cell": dict(change={SHEET: _sub(b"fraud-01@example.co.jp", b"fraud-02@example.co.jp")}),
    "changed_style": dict(change={"xl/styles.xml": _sub(b'<sz val="11"/>', b'<sz val="1"/>')}),
    "added_comment": dict(add={"xl/comments1.xml": COMMENTS, "xl/worksheets/_rels/sheet1.xml.rels": COMMENT_RELS}),
    "changed_core_property": dict(change={"docProps/core.xml": _sub(b"<dc:creator>", b"<dc:creator>X")}),
    "extra_custom_property": dict(change={CUSTOM: _sub(b"</Properties>", b'<property fmtid="{D5CDD505-2E9C-101B-9397-'
                                                       b'08002B2CF9AE}" pid="4" name="Note"><vt:lpwstr>x</vt:lpwstr>'
                                                       b"</property></Properties>")}),
    "sheet_hidden": dict(change={"xl/workbook.xml": _sub(b'sheetId="1"', b'sheetId="1" state="hidden"')}),
    "sheet_added": dict(add={"xl/worksheets/sheet2.xml": HIDDEN_SHEET},
                        change={"xl/workbook.xml": _sub(b"</sheets>", b'<sheet name="x" sheetId="2" state="veryHidden" '
                                                                      b'r:id="rId9"/></sheets>')}),
    "entry_added": dict(add={"xl/media/image1.png": b"\x89PNG"}),
    "entry_removed": dict(drop=["docProps/app.xml"]),
    "entry_renamed": dict(rename={"docProps/app.xml": "docProps/app2.xml"}),
    "metadata_changed": dict(change={"teishi/exchange.json": _sub(b'"verified_by":"1002"', b'"verified_by":"1003"')}),
    "signature_removed": dict(change={CUSTOM: _sub(b"TeishiSignature", b"TeishiSignatureX")}),
}


@pytest.mark.parametrize("case", sorted(TAMPERS))
def test_tampered_file_is_refused(signed, tmp_path, case):
    src, trust = signed
    bad = rewrite_zip(src, tmp_path / f"{case}.xlsx", **TAMPERS[case])
    v = verify_file(bad, trust)
    assert not v.ok and v.status == "invalid"
    with pytest.raises(ExchangeRefused) as err:
        read_exchange_file(bad, trust)
    assert f"{case}.xlsx" in str(err.value)  # every refusal names the file
    assert err.value.problems and all(p.message for p in err.value.problems)


@pytest.mark.parametrize("case,words", [
    ("entry_added", ["追加", "xl/media/image1.png"]),
    ("entry_removed", ["削除", "docProps/app.xml"]),
    ("entry_renamed", ["追加", "docProps/app2.xml", "削除", "docProps/app.xml"]),
    ("changed_style", ["内容が変更", "xl/styles.xml"]),
    ("metadata_changed", ["内容が変更", "teishi/exchange.json"]),
])
def test_an_entry_differing_from_the_manifest_is_named(signed, tmp_path, case, words):
    """The entry set and hashes are compared in one step; any difference is then named part by part."""
    src, trust = signed
    v = verify_file(rewrite_zip(src, tmp_path / f"{case}.xlsx", **TAMPERS[case]), trust)
    assert v.status == "invalid" and v.problems
    text = " ".join(p.message for p in v.problems)
    assert all(w in text for w in words), text


def test_untouched_file_verifies_and_reads(signed):
    src, trust = signed
    assert verify_file(src, trust).ok
    doc = read_exchange_file(src, trust, expect_prefecture="27")
    assert doc.signed and doc.signature == "valid" and len(doc.rows) == len(SAMPLE_VALUES)
    assert all(r.row_id for r in doc.rows)


def test_reordered_entries_still_verify(signed, tmp_path):
    src, trust = signed
    shuffled = rewrite_zip(src, tmp_path / "reordered.xlsx", order=lambda names: list(reversed(names)))
    assert [i.filename for i in zipfile.ZipFile(shuffled).infolist()] != [i.filename for i in zipfile.ZipFile(src).infolist()]
    assert verify_file(shuffled, trust).ok
    assert len(read_exchange_file(shuffled, trust).rows) == len(SAMPLE_VALUES)


def test_resave_by_openpyxl_is_refused(signed, tmp_path):
    src, trust = signed
    wb = openpyxl.load_workbook(src)
    out = tmp_path / "resaved.xlsx"
    wb.save(out)
    v = verify_file(out, trust)
    assert not v.ok


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed: apt install libreoffice-calc")
def test_resave_by_libreoffice_is_refused(signed, tmp_path):
    src, trust = signed
    outdir = tmp_path / "lo"
    subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp_path}/lo-profile", "--headless",
                    "--convert-to", "xlsx", "--outdir", str(outdir), str(src)], check=True, capture_output=True, timeout=180)
    resaved = outdir / src.name
    assert resaved.exists()
    v = verify_file(resaved, trust)
    assert not v.ok
    with pytest.raises(ExchangeRefused):
        read_exchange_file(resaved, trust)


def test_signature_from_another_file_is_refused(station_ctx, officers, signed, tmp_path):
    src, trust = signed
    other = export_station_file(station_ctx, officers, tmp_path / "other.xlsx", SAMPLE_VALUES[:1]).written.path
    stolen = read_entries(other)[CUSTOM]
    bad = rewrite_zip(src, tmp_path / "swapped.xlsx", change={CUSTOM: lambda _: stolen})
    v = verify_file(bad, trust)
    assert v.status == "invalid" and "変更" in v.problems[0].message


def test_unknown_key_is_refused(signed):
    src, _ = signed
    v = verify_file(src, StaticTrust())
    assert v.status == "unknown-key" and "信頼リスト" in v.problems[0].message


def test_revoked_key_is_refused(signed):
    src, trust = signed
    (key_id, key), = trust.keys.items()
    trust.keys[key_id] = dataclasses.replace(key, status="revoked", revoked_at=dt.datetime.now().astimezone())
    assert verify_file(src, trust).status == "revoked"
    with pytest.raises(ExchangeRefused) as err:
        read_exchange_file(src, trust)
    assert err.value.signature == "revoked"


def test_expired_key_is_refused(signed):
    src, trust = signed
    (key_id, key), = trust.keys.items()
    trust.keys[key_id] = dataclasses.replace(key, not_after=dt.datetime(2020, 1, 1).astimezone())
    v = verify_file(src, trust)
    assert not v.ok and "期限切れ" in v.problems[0].message


def test_key_of_another_unit_is_refused(signed):
    src, trust = signed
    (key_id, key), = trust.keys.items()
    trust.keys[key_id] = dataclasses.replace(key, unit_id="S27-someoneelse")
    assert not verify_file(src, trust).ok


def test_replayed_sequence_is_refused(signed):
    src, trust = signed
    unit = read_exchange_file(src, trust).unit_id
    trust.seen[unit] = {1}
    v = verify_file(src, trust)
    assert not v.ok and "すでに受け付けています" in v.problems[0].message
    trust.seen[unit] = set()
    assert verify_file(src, trust).ok


def test_gap_in_sequence_is_a_warning(station_ctx, officers, tmp_path):
    trust = trust_for(station_ctx)
    export_station_file(station_ctx, officers, tmp_path / "1.xlsx", SAMPLE_VALUES[:1])
    export_station_file(station_ctx, officers, tmp_path / "2.xlsx", SAMPLE_VALUES[1:2])
    third = export_station_file(station_ctx, officers, tmp_path / "3.xlsx", SAMPLE_VALUES[2:3]).written.path
    unit = station_ctx.setup.identity().unit_id
    trust.seen[unit] = {1}
    v = verify_file(third, trust)
    assert v.ok and any("2〜2" in w for w in v.warnings)


# ---- stock tools: sha256sum -c and minisign -V agree with the Python verifier ---------------------
def stock_verify(path: Path, pubkey_file: Path, workdir: Path) -> bool:
    """Exactly what docs/exchange-format.md tells a third party to do."""
    shutil.rmtree(workdir, ignore_errors=True)
    workdir.mkdir()
    try:
        with zipfile.ZipFile(path) as zf:
            names = set(zf.namelist())
            zf.extractall(workdir / "pkg")
        ns = {"p": "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties",
              "vt": "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"}
        root = ET.parse(workdir / "pkg" / CUSTOM).getroot()
        props = {p.get("name"): p.find("vt:lpwstr", ns).text for p in root.findall("p:property", ns)}
        if set(props) != {"TeishiManifest", "TeishiSignature"}:
            return False
    except (zipfile.BadZipFile, KeyError, ET.ParseError, FileNotFoundError, AttributeError):
        return False
    (workdir / "manifest").write_text(props["TeishiManifest"], encoding="ascii", newline="\n")
    (workdir / "manifest.minisig").write_text(props["TeishiSignature"], encoding="ascii", newline="\n")
    listed = {line.split("  ", 1)[1] for line in props["TeishiManifest"].splitlines()}
    if listed != names - {CUSTOM}:
        return False
    sums = subprocess.run(["sha256sum", "--quiet", "-c", str(workdir / "manifest")], cwd=workdir / "pkg",
                          capture_output=True)
    sig = subprocess.run(["minisign", "-Vm", str(workdir / "manifest"), "-p", str(pubkey_file)], capture_output=True)
    return sums.returncode == 0 and sig.returncode == 0


@pytest.mark.skipif(shutil.which("minisign") is None or shutil.which("sha256sum") is None,
                    reason="Debian minisign / coreutils not installed")
def test_stock_tools_agree_with_python_verifier_on_every_fixture(station_ctx, officers, signed, tmp_path):
    src, trust = signed
    from tests.fixtures.exchange_files import key_service

    pub = tmp_path / "station.pub"
    key_service(station_ctx).export_public(pub)
    fixtures = {"original": src,
                "reordered": rewrite_zip(src, tmp_path / "r.xlsx", order=lambda n: list(reversed(n)))}
    for case, how in TAMPERS.items():
        fixtures[case] = rewrite_zip(src, tmp_path / f"{case}.xlsx", **how)
    other = export_station_file(station_ctx, officers, tmp_path / "other.xlsx", SAMPLE_VALUES[:1]).written.path
    fixtures["swapped_signature"] = rewrite_zip(src, tmp_path / "swap.xlsx",
                                                change={CUSTOM: lambda _: read_entries(other)[CUSTOM]})
    results = {}
    for case, path in fixtures.items():
        ours = verify_file(path, trust).ok
        theirs = stock_verify(path, pub, tmp_path / f"w-{case}")
        results[case] = (ours, theirs)
    assert all(o == t for o, t in results.values()), results
    assert results["original"] == (True, True) and results["reordered"] == (True, True)
    assert sum(o for o, _ in results.values()) == 2
