"""The zip checks read a plain zip's central directory themselves (``zip_entries.central_directory``);
these tests pin that this reader is at least as strict as zipfile, which it replaced on the fast path:

- on every plain file it reads exactly zipfile's directory, and on any mutation of a file's
  directory it either hands the file to zipfile or agrees with zipfile entry for entry;
- a local header that disagrees with the directory (name, method, flags, CRC, sizes) is refused, even
  in a signed file whose signature still verifies (the signature covers contents, not the zip layout);
- duplicate names (also differing only in case), backslash and absolute names, encrypted entries,
  oversized or lying size claims and zip64 records are handled as before;
- data-descriptor entries (a zip written to a stream) and zip64 records (read through zipfile) still
  verify and read.
"""
from __future__ import annotations

import datetime as dt
import io
import random
import struct
import zipfile
import zlib
from pathlib import Path

import minisign
import pytest

from desktop_app.exchange.errors import ExchangeRefused
from desktop_app.exchange.reader import read_exchange_file
from desktop_app.exchange.verify import VALID, StaticTrust, TrustedKey, verify_bytes, verify_file
from desktop_app.exchange.writer import OutgoingDocument, write_exchange_file
from desktop_app.exchange.zip_entries import central_directory
from desktop_app.exchange.zipcheck import DEFAULT_LIMITS, ZipLimits, open_package
from desktop_app.signing_keys import PublicKeyInfo
from tests.fixtures.exchange_files import minimal_xlsx, read_entries


@pytest.fixture(scope="module")
def signed(tmp_path_factory):
    """(path of a signed station file, trust list holding its key)."""
    kp = minisign.KeyPair.generate()
    info = PublicKeyInfo.from_minisign(kp.public_key)
    trust = StaticTrust().add(TrustedKey(info.key_id, "S27-zip", "中央警察署", "station", "27", info.public_key))
    rows = [{"id": f"r{i}", "account_id": f"user{i}@example.co.jp", "account_id_raw": f"user{i}@example.co.jp",
             "user_name": f"利用者{i}", "organization": "株式会社テスト", "case_type": "特殊詐欺", "refinement": None,
             "station": "中央警察署", "recognized_on": "2026-03-02", "entered_by": "1001", "verified_by": "1002"}
            for i in range(3)]
    doc = OutgoingDocument(kind="station_export", unit_id="S27-zip", unit_name="中央警察署", tier="station",
                           rows=rows, sequence=1, prefecture_code="27", prefecture_name="大阪府",
                           created_at=dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.timezone.utc))
    path = tmp_path_factory.mktemp("zip") / "signed.xlsx"
    write_exchange_file(path, doc, kp.secret_key)
    return path, trust


def _records(infos) -> list[tuple]:
    # orig_filename: zipfile cuts a name at a NUL byte in ``filename``; the lean reader keeps the whole
    # name, so the name check refuses it (stricter than before).
    return [(i.orig_filename, i.flag_bits, i.compress_type, i.CRC, i.compress_size, i.file_size, i.header_offset)
            for i in infos]


def _zipfile_view(data: bytes) -> tuple[list[tuple], int] | None:
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError, NotImplementedError):
        return None
    return _records(zf.infolist()), zf.start_dir


def _refusal(data: bytes, name: str = "x.xlsx") -> str:
    with pytest.raises(ExchangeRefused) as err:
        open_package(data, name)
    return str(err.value)


def _locate(data: bytes, name: bytes) -> tuple[int, int]:
    """(local header offset, central directory header offset) of the entry called ``name``."""
    central = data.find(b"PK\x01\x02")
    while central >= 0:
        name_len = struct.unpack_from("<H", data, central + 28)[0]
        if data[central + 46:central + 46 + name_len] == name:
            return struct.unpack_from("<L", data, central + 42)[0], central
        central = data.find(b"PK\x01\x02", central + 4)
    raise AssertionError(f"{name!r} not in the directory")


# ---- a zip written field by field (every field under the test's control) -----------------------
def _raw_zip(entries: list[dict]) -> bytes:
    """Each entry: name (str), data (bytes), and optional overrides: method, flags, descriptor (bool),
    local / central (dicts of crc, csize, usize, name overriding that header's field)."""
    out = bytearray()
    central = bytearray()
    for e in entries:
        name = e["name"].encode()
        method = e.get("method", 8)
        body = e["data"]
        payload = body if method == 0 else _deflate(body)
        crc, csize, usize = zlib.crc32(body), len(payload), len(body)
        flags = e.get("flags", 0) | (0x08 if e.get("descriptor") else 0)
        local = {"crc": crc, "csize": csize, "usize": usize, "name": name}
        if e.get("descriptor"):
            local.update(crc=0, csize=0, usize=0)
        local.update(e.get("local", {}))
        cent = {"crc": crc, "csize": csize, "usize": usize, "name": name, **e.get("central", {})}
        extra = b""
        if e.get("zip64"):  # sizes in a zip64 extra field, 0xFFFFFFFF in both headers
            big_usize, big_csize = e.get("zip64_sizes", (None, None))
            extra = struct.pack("<HHQQ", 1, 16, big_usize or usize, big_csize or csize)
            for header in (local, cent):
                header.update(csize=0xFFFFFFFF, usize=0xFFFFFFFF)
        offset = len(out)
        out += struct.pack("<4s5H3L2H", b"PK\x03\x04", 45 if extra else 20, flags, e.get("local_method", method), 0,
                           0x21, local["crc"], local["csize"], local["usize"], len(local["name"]), len(extra)) \
            + local["name"] + extra + payload
        if e.get("descriptor"):
            out += struct.pack("<4s3L", b"PK\x07\x08", crc, csize, usize)
        central += struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 45, 45 if extra else 20, flags, method, 0, 0x21,
                               cent["crc"], cent["csize"], cent["usize"], len(cent["name"]), len(extra), 0, 0, 0, 0,
                               offset) + cent["name"] + extra
    start = len(out)
    out += central
    out += struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(entries), len(entries), len(central), start, 0)
    return bytes(out)


def _deflate(data: bytes) -> bytes:
    c = zlib.compressobj(6, zlib.DEFLATED, -15)
    return c.compress(data) + c.flush()


def _plain_parts() -> list[dict]:
    with zipfile.ZipFile(io.BytesIO(minimal_xlsx(b'<worksheet xmlns="x"/>'))) as zf:
        return [{"name": i.filename, "data": zf.read(i)} for i in zf.infolist()]


# ---- the lean directory reader agrees with zipfile ----------------------------------------------
def test_the_directory_of_a_signed_file_is_read_exactly_as_zipfile_reads_it(signed):
    data = signed[0].read_bytes()
    lean = central_directory(data, "x", DEFAULT_LIMITS.max_entries)
    assert lean is not None  # the fast path is taken for our own files
    assert (_records(lean[0]), lean[1]) == _zipfile_view(data)


def test_a_hand_built_zip_is_read_exactly_as_zipfile_reads_it():
    data = _raw_zip(_plain_parts())
    lean = central_directory(data, "x", DEFAULT_LIMITS.max_entries)
    assert lean is not None and (_records(lean[0]), lean[1]) == _zipfile_view(data)


def test_any_damage_to_the_directory_is_either_left_to_zipfile_or_read_as_zipfile_reads_it(signed):
    data = signed[0].read_bytes()
    directory = data.find(b"PK\x01\x02")
    rnd = random.Random(4)
    taken = 0
    for _ in range(600):
        damaged = bytearray(data)
        for _ in range(rnd.randint(1, 3)):
            at = rnd.randrange(directory, len(data))
            damaged[at] = rnd.choice([0, 0xFF, damaged[at] ^ (1 << rnd.randrange(8)), rnd.randrange(256)])
        damaged = bytes(damaged)
        try:
            lean = central_directory(damaged, "x", 70_000)
        except ExchangeRefused:
            continue  # an entry count over the cap, refused at once
        if lean is None:
            continue  # zipfile decides, as before
        taken += 1
        assert (_records(lean[0]), lean[1]) == _zipfile_view(damaged)
    assert taken > 50  # most single-byte changes (names, CRCs, sizes) still take the fast path


def test_an_archive_comment_is_read_and_trailing_bytes_are_left_to_zipfile(signed):
    data = signed[0].read_bytes()
    commented = data[:-2] + struct.pack("<H", 5) + b"hello"
    lean = central_directory(commented, "x", DEFAULT_LIMITS.max_entries)
    assert lean is not None and (_records(lean[0]), lean[1]) == _zipfile_view(commented)
    assert central_directory(data + b"junk", "x", DEFAULT_LIMITS.max_entries) is None


# ---- local headers must agree with the directory -----------------------------------------------
@pytest.mark.parametrize("field_at,value", [
    (14, b"\0\0\0\0"),  # CRC-32
    (18, b"\x01\0\0\0"),  # compressed size
    (22, b"\x02\0\0\0"),  # uncompressed size
    (8, b"\0\0"),  # method: stored instead of deflated
    (6, b"\0\x08"),  # flags: UTF-8 name bit set only locally
])
def test_a_signed_file_whose_local_header_disagrees_with_the_directory_is_refused(signed, tmp_path, field_at, value):
    path, trust = signed
    data = bytearray(path.read_bytes())
    local, _ = _locate(bytes(data), b"xl/worksheets/sheet1.xml")
    data[local + field_at:local + field_at + len(value)] = value
    bad = tmp_path / "local.xlsx"
    bad.write_bytes(bytes(data))
    v = verify_file(bad, trust, check_replay=False)
    assert not v.ok and "壊れています" in v.problems[0].text and "sheet1.xml" in v.problems[0].text
    with pytest.raises(ExchangeRefused, match="壊れています"):
        read_exchange_file(bad, trust, check_replay=False)


def test_a_directory_entry_that_points_into_another_entry_is_refused():
    parts = _plain_parts()
    data = bytearray(_raw_zip(parts))
    _, central = _locate(bytes(data), parts[-1]["name"].encode())
    struct.pack_into("<L", data, central + 42, 10)  # the last entry's local header "inside" the first
    assert "壊れています" in _refusal(bytes(data))


def test_a_compressed_size_that_runs_past_the_next_entry_is_refused():
    parts = _plain_parts()
    first = parts[0]
    data = _raw_zip([{**first, "local": {"csize": 10_000}, "central": {"csize": 10_000}}] + parts[1:])
    assert "壊れています" in _refusal(data)


@pytest.mark.parametrize("claim", ["smaller", "larger"])
def test_an_uncompressed_size_claim_that_is_not_the_real_size_is_refused(claim):
    parts = _plain_parts()
    real = len(parts[0]["data"])
    size = real - 1 if claim == "smaller" else real + 1
    data = _raw_zip([{**parts[0], "local": {"usize": size}, "central": {"usize": size}}] + parts[1:])
    assert "壊れています" in _refusal(data)


# ---- names, flags, caps -------------------------------------------------------------------------
@pytest.mark.parametrize("second", ["xl/workbook.xml", "XL/Workbook.xml"])
def test_duplicate_entry_names_are_refused(second):
    parts = _plain_parts()
    data = _raw_zip(parts + [{"name": second, "data": b"<x/>"}])
    assert "重複" in _refusal(data)


@pytest.mark.parametrize("name", ["xl\\evil.xml", "/etc/evil.xml", "C:evil.xml", "xl/../../evil.xml", "xl/a\0.xml"])
def test_backslash_absolute_drive_dotdot_and_nul_names_are_refused(name):
    data = _raw_zip(_plain_parts() + [{"name": name, "data": b"x"}])
    assert "不正な名前" in _refusal(data)


def test_an_encrypted_entry_is_refused():
    parts = _plain_parts()
    data = _raw_zip(parts[:-1] + [{**parts[-1], "flags": 0x1}])
    assert "暗号化" in _refusal(data)


def test_oversized_claims_in_the_directory_are_refused_before_anything_is_inflated():
    parts = _plain_parts()
    huge = _raw_zip(parts[:-1] + [{**parts[-1], "central": {"usize": 300 << 20}}])
    assert "大きすぎ" in _refusal(huge)
    ratio = _raw_zip(parts[:-1] + [{**parts[-1], "central": {"usize": 5 << 20, "csize": 100}}])
    assert "圧縮" in _refusal(ratio)
    many = _raw_zip(parts + [{"name": f"x/{i}.bin", "data": b""} for i in range(DEFAULT_LIMITS.max_entries)])
    assert "多すぎ" in _refusal(many)


def test_a_directory_whose_entry_count_disagrees_is_left_to_zipfile():
    data = bytearray(_raw_zip(_plain_parts()))
    end = data.rindex(b"PK\x05\x06")
    struct.pack_into("<HH", data, end + 8, 9, 9)
    assert central_directory(bytes(data), "x", DEFAULT_LIMITS.max_entries) is None
    # zipfile reads the directory by its size, as before: the entries it holds are all checked
    assert open_package(bytes(data), "x.xlsx").names == [p["name"] for p in _plain_parts()]


def test_a_version_zipfile_cannot_read_is_refused_not_crashed_on():
    parts = _plain_parts()
    data = bytearray(_raw_zip(parts))
    _, central = _locate(bytes(data), parts[0]["name"].encode())
    struct.pack_into("<H", data, central + 6, 87)  # "version needed to extract" 8.7
    assert central_directory(bytes(data), "x", DEFAULT_LIMITS.max_entries) is None
    assert "壊れています" in _refusal(bytes(data))


# ---- layouts other programs write still verify ---------------------------------------------------
def _rezip(src: Path, *, descriptor: bool = False, zip64: bool = False) -> bytes:
    """The signed file's entries, unchanged, in another zip layout (contents, hence the signature, stay)."""
    entries = read_entries(src)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, body in entries.items():
            with zf.open(name, "w", force_zip64=zip64) as fh:
                fh.write(body)
    if not descriptor:
        return buf.getvalue()
    return _raw_zip([{"name": n, "data": d, "descriptor": True} for n, d in entries.items()])


def test_data_descriptor_entries_verify_and_read(signed, tmp_path):
    path, trust = signed
    data = _rezip(path, descriptor=True)
    assert central_directory(data, "x", DEFAULT_LIMITS.max_entries) is not None
    assert verify_bytes(data, "dd.xlsx", trust, check_replay=False).status == VALID
    (tmp_path / "dd.xlsx").write_bytes(data)
    assert len(read_exchange_file(tmp_path / "dd.xlsx", trust, check_replay=False).rows) == 3


def test_a_data_descriptor_entry_with_wrong_local_sizes_is_refused():
    parts = _plain_parts()
    data = _raw_zip(parts[:-1] + [{**parts[-1], "descriptor": True, "local": {"csize": 3}}])
    assert "壊れています" in _refusal(data)


@pytest.mark.parametrize("where", ["local", "both"])
def test_zip64_records_still_verify_and_read(signed, tmp_path, where):
    """zip64 sizes only in local headers (zipfile's force_zip64) take the fast path; zip64 records in
    the directory go to zipfile. Either way the same checks and hashes apply."""
    path, trust = signed
    if where == "local":
        data = _rezip(path, zip64=True)
        assert central_directory(data, "x", DEFAULT_LIMITS.max_entries) is not None
    else:
        data = _raw_zip([{"name": n, "data": d, "zip64": True} for n, d in read_entries(path).items()])
        assert _zipfile_view(data) is not None
        assert central_directory(data, "x", DEFAULT_LIMITS.max_entries) is None
    assert verify_bytes(data, "z64.xlsx", trust, check_replay=False).status == VALID
    (tmp_path / "z64.xlsx").write_bytes(data)
    assert len(read_exchange_file(tmp_path / "z64.xlsx", trust, check_replay=False).rows) == 3


def test_a_zip64_record_whose_sizes_lie_is_refused():
    parts = _plain_parts()
    lying = _raw_zip(parts[:-1] + [{**parts[-1], "zip64": True, "zip64_sizes": (len(parts[-1]["data"]) + 5, None)}])
    assert central_directory(lying, "x", DEFAULT_LIMITS.max_entries) is None
    assert "壊れています" in _refusal(lying)
    sentinel_only = _raw_zip(parts[:-1] + [{**parts[-1], "central": {"usize": 0xFFFFFFFF}}])
    assert central_directory(sentinel_only, "x", DEFAULT_LIMITS.max_entries) is None
    _refusal(sentinel_only)  # zipfile takes 4 GiB as the size: refused by the caps


def test_the_all_names_at_once_precheck_never_passes_what_the_entry_by_entry_checks_refuse():
    from desktop_app.exchange.zip_entries import Entry
    from desktop_app.exchange.zipcheck import _check_each_entry, _plainly_acceptable

    pieces = ["xl", "worksheets", "sheet1.xml", "..", ".", "a..b", "C:", "c:x", "/", "\\", "\x00", "\n", "VbaProject.bin",
              "externalLinks", "Embeddings", "activeX", "oleObject1.bin", "querytables", "connections.xml", "Sheet1.XML"]
    rnd = random.Random(11)
    limits = ZipLimits(max_entry_bytes=1000, max_total_bytes=3000, ratio_floor=500)
    passed = 0
    for _ in range(3000):
        infos = []
        for _ in range(rnd.randint(1, 5)):
            name = "/".join(rnd.choice(pieces) for _ in range(rnd.randint(1, 3)))
            if rnd.random() < 0.3:
                name = name.replace("/", "", 1)
            size = rnd.choice([0, 10, 499, 500, 501, 999, 1000, 1001])
            infos.append(Entry(name, rnd.choice([0, 0, 0, 1, 8]), 8, 0, rnd.choice([1, 2, size]), size, 0, name))
        if _plainly_acceptable(infos, limits):
            passed += 1
            _check_each_entry(infos, "x.xlsx", limits)  # must not raise
    assert passed > 30  # the precheck did pass plenty of sets, and none of them was refused below


def test_a_file_over_the_size_cap_is_refused_before_it_is_read_and_a_folder_is_named(signed, tmp_path):
    from desktop_app.exchange.zipcheck import read_capped

    path, trust = signed
    size = path.stat().st_size
    assert read_capped(path, size) == path.read_bytes()
    assert read_capped(path, size - 1) is None
    small = ZipLimits(max_file_bytes=size - 1)
    with pytest.raises(ExchangeRefused, match="大きすぎ"):
        read_exchange_file(path, trust, check_replay=False, limits=small)
    assert "大きすぎ" in verify_file(path, trust, check_replay=False, limits=small).problems[0].text
    with pytest.raises(ExchangeRefused, match="開けません"):
        read_exchange_file(tmp_path / "missing.xlsx", trust)


# ---- parts that recur from file to file -----------------------------------------------------------
def test_a_recurring_part_gives_the_same_bytes_and_hashes_as_inflating_it(signed):
    from desktop_app.exchange import zip_entries

    data = signed[0].read_bytes()
    zip_entries._RECURRING.clear()
    fresh = open_package(data, "a.xlsx")
    assert zip_entries._RECURRING  # the parts were kept for the next file
    again = open_package(data, "b.xlsx")  # every part now found among the recurring ones
    assert again.hashes == fresh.hashes and again.small == fresh.small
    with zipfile.ZipFile(signed[0]) as zf:
        assert again.small == {i.filename: zf.read(i) for i in zf.infolist()}


def test_a_known_part_under_another_crc_or_size_is_still_refused():
    """The same compressed bytes with a CRC or size that does not fit them: the check runs as if the
    part had never been seen (the key holds CRC and size, not only the bytes)."""
    from desktop_app.exchange import zip_entries

    parts = _plain_parts()
    good = _raw_zip(parts)
    zip_entries._RECURRING.clear()
    open_package(good, "good.xlsx")
    victim = parts[-1]
    wrong_crc = zlib.crc32(victim["data"]) ^ 1
    assert "壊れています" in _refusal(_raw_zip(parts[:-1] + [{**victim, "local": {"crc": wrong_crc},
                                                                  "central": {"crc": wrong_crc}}]))
    size = len(victim["data"]) + 1
    assert "壊れています" in _refusal(_raw_zip(parts[:-1] + [{**victim, "local": {"usize": size},
                                                                  "central": {"usize": size}}]))
    open_package(good, "good-again.xlsx")  # and the real part still reads


def test_the_recurring_parts_stay_bounded_and_the_ones_in_use_stay_kept():
    from desktop_app.exchange import zip_entries

    zip_entries._RECURRING.clear()
    parts = _plain_parts()
    for i in range(zip_entries.RECURRING_ENTRIES * 2):
        unique = {"name": "docProps/custom.xml", "data": f"<x>{i}</x>".encode()}
        open_package(_raw_zip(parts + [unique]), f"{i}.xlsx")
        assert len(zip_entries._RECURRING) <= zip_entries.RECURRING_ENTRIES
    kept = {key[3] for key in zip_entries._RECURRING}
    assert all(_deflate(p["data"]) in kept for p in parts)  # used by every file: never pushed out
    big = {"name": "xl/media/big.bin", "data": bytes(zip_entries.RECURRING_ENTRY_BYTES + 1)}
    before = len(zip_entries._RECURRING)
    open_package(_raw_zip(parts + [big]), "big.xlsx")
    assert len(zip_entries._RECURRING) == before  # too large to keep
