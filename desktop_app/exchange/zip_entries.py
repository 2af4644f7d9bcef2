"""A plain zip read straight from its bytes: the central directory with ``struct``, and each entry's
local header checked against it, inflated, CRC-checked and hashed in one pass.

zipfile's per-entry objects and reader cost several times the inflating itself for the small parts of
a workbook, and an HQ opens hundreds of them. Everything here answers exactly as zipfile would or
declines: ``central_directory`` returns None for any layout it does not take (zip64, comments that do
not end the file, prepended data, odd extra fields), and ``inflate`` hands unusual entries to the
caller's zipfile. The checks around them (names, caps, content) are ``zipcheck``'s.
"""
from __future__ import annotations

import hashlib
import struct
import zipfile
import zlib
from collections.abc import Callable
from typing import NamedTuple

from desktop_app.exchange.errors import ExchangeRefused, refuse

# local file header: signature, version, flags, method, time, date, CRC, sizes, name and extra lengths
_LOCAL = struct.Struct("<4s5H3L2H")
_CENTRAL = struct.Struct("<4s6H3L5H2L")  # central directory file header (46 bytes)
_END = struct.Struct("<4s4H2LH")  # end of central directory record (22 bytes)
_PLAIN_FLAGS = 0x0808 | 0x0006  # data descriptor, UTF-8 names, deflate speed options
_DESCRIPTOR = 0x0008
_LEAN_METHODS = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)
_MAX_COMMENT = 0xFFFF
_MAX_VERSION = 63  # zipfile.MAX_EXTRACT_VERSION: a later "version needed" is refused by zipfile
# (method, CRC, size, compressed bytes) → (entry bytes, SHA-256 hex), least recently used first.
# Bounded in count and entry size: a hostile file can only push the useful parts out.
_RECURRING: dict[tuple[int, int, int, bytes], tuple[bytes, str]] = {}
RECURRING_ENTRIES = 64
RECURRING_ENTRY_BYTES = 64 * 1024


class Entry(NamedTuple):
    """One central directory record, under zipfile.ZipInfo's attribute names (zipcheck's checks take
    either: zipfile's records are used for any zip the lean reader does not take). A tuple: a few
    hundred of these are made per second at an HQ."""

    filename: str
    flag_bits: int
    compress_type: int
    CRC: int
    compress_size: int
    file_size: int
    header_offset: int
    orig_filename: str  # the same as filename (zipfile's cuts a name at NUL; this one does not)


def central_directory(data: bytes, file: str, max_entries: int) -> tuple[list[Entry], int] | None:
    """The entries of a plain zip and where its central directory starts, read with ``struct``;
    None for anything else (zip64, an archive comment that does not end the file, data before the
    first entry or between directory and end record, a malformed record or extra field), which then
    goes to zipfile. The end record is found exactly as zipfile finds it, so both read one directory.
    """
    size = len(data)
    end = size - _END.size
    if end < 0:
        return None
    if not (data.startswith(b"PK\x05\x06", end) and data.endswith(b"\x00\x00")):
        end = data.rfind(b"PK\x05\x06", max(size - _MAX_COMMENT - _END.size, 0))
        if end < 0 or end + _END.size > size:
            return None
    _, disk, dir_disk, on_disk, count, dir_size, dir_start, comment = _END.unpack_from(data, end)
    if (disk or dir_disk or on_disk != count or end + _END.size + comment != size
            or dir_start + dir_size != end or count == 0xFFFF or dir_start == 0xFFFFFFFF):
        return None
    if count > max_entries:
        raise refuse(file, f"ファイル内の部品が多すぎます({count}個)")
    entries: list[Entry] = []
    pos = dir_start
    unpack = _CENTRAL.unpack_from
    for _ in range(count):
        if pos + _CENTRAL.size > end:
            return None
        (sig, _made, need, flags, method, _time, _date, crc, csize, usize, name_len, extra_len, comment_len,
         disk_start, _iattr, _xattr, offset) = unpack(data, pos)
        name_at = pos + _CENTRAL.size
        extra_at = name_at + name_len
        pos = extra_at + extra_len + comment_len
        if (sig != b"PK\x01\x02" or pos > end or disk_start or need > _MAX_VERSION
                or 0xFFFFFFFF in (csize, usize, offset)):  # zip64 values: zipfile's job
            return None
        if extra_len and not _plain_extra(data[extra_at:extra_at + extra_len]):
            return None
        try:
            name = _decode_name(data[name_at:extra_at], flags)
        except UnicodeDecodeError:
            return None  # zipfile refuses it as corrupt
        entries.append(Entry(name, flags, method, crc, csize, usize, offset, name))
    if pos != end:
        return None
    return entries, dir_start


def _decode_name(raw: bytes, flags: int) -> str:
    """As zipfile decodes a name (UTF-8 when flagged, else cp437); ASCII, the same in both, without
    the pure-Python cp437 codec."""
    if raw.isascii():
        return raw.decode("ascii")
    return raw.decode("utf-8" if flags & 0x800 else "cp437")


def _plain_extra(extra: bytes) -> bool:
    """Extra fields well formed (as zipfile requires) and none of them zip64's."""
    at = 0
    while at + 4 <= len(extra):
        kind, length = struct.unpack_from("<HH", extra, at)
        if kind == 0x0001:
            return False
        at += 4 + length
    return at == len(extra)


def corrupt(file: str, name: str) -> ExchangeRefused:
    return refuse(file, f"ファイルが壊れています(部品「{name[:60]}」を展開できません)")


def inflate(data: bytes, info: zipfile.ZipInfo, file: str, bound: int,
            read_unusual: Callable[[zipfile.ZipInfo], bytes]) -> tuple[bytes, str]:
    """One entry's bytes, inflated straight from the file in memory, and their SHA-256 (hex).

    zipfile's per-entry reader costs several times the inflating itself for the small parts of a
    workbook. The checks are zipfile's (local header signature and name, the declared size, the
    CRC) plus one zipfile 3.11 lacks: the compressed data may not run into the next entry. Anything
    unusual (another compression method, unknown flags) goes through zipfile instead.

    Parts that recur byte for byte from file to file (styles, relationships, content types: every
    station's Teishi writes the same ones) are taken from ``_RECURRING`` once their compressed bytes,
    CRC and size equal those of a part already inflated and checked here: inflating is deterministic,
    so that is the very result inflating again would give, every check included.
    """
    method = info.compress_type
    if method not in _LEAN_METHODS or info.flag_bits & ~_PLAIN_FLAGS:
        out = read_unusual(info)
        return out, hashlib.sha256(out).hexdigest()
    off = info.header_offset
    name = info.filename
    if off < 0:
        raise corrupt(file, name)
    try:
        sig, _version, flags, local_method, _time, _date, crc, csize, usize, name_len, extra_len = \
            _LOCAL.unpack_from(data, off)
        local_name = _decode_name(data[off + 30:off + 30 + name_len], flags)
    except (struct.error, UnicodeDecodeError):
        raise corrupt(file, name) from None
    start = off + 30 + name_len + extra_len
    end = start + info.compress_size
    size = info.file_size
    # The local header must tell the directory's story: another reader (or an unzip tool) going by
    # the local headers would otherwise see other data than what was checked and hashed. With a data
    # descriptor, CRC and sizes may be left zero in the local header; zip64 sizes (only in a zip
    # zipfile read for us) sit in an extra field, so only the CRC is compared then.
    if (sig, local_name, local_method, flags & 0x0809, crc, csize, usize) != \
            (b"PK\x03\x04", info.orig_filename, method, info.flag_bits & 0x0809, info.CRC, info.compress_size, size):
        if sig != b"PK\x03\x04" or local_name != info.orig_filename or local_method != method \
                or (flags ^ info.flag_bits) & 0x0809:
            raise corrupt(file, name)
        if flags & _DESCRIPTOR and not (crc or csize or usize):
            pass
        elif 0xFFFFFFFF in (csize, usize):
            if crc != info.CRC:
                raise corrupt(file, name)
        else:
            raise corrupt(file, name)
    if end > bound or end > len(data):
        raise corrupt(file, name)
    key = None
    if size <= RECURRING_ENTRY_BYTES:
        key = (method, info.CRC, size, data[start:end])
        known = _RECURRING.pop(key, None)
        if known is not None:
            _RECURRING[key] = known  # now the most recently used
            return known
    if method == zipfile.ZIP_STORED:
        out = data[start:end]
    else:
        try:  # at most one byte past the declared size is ever inflated (a lying size is refused below)
            out = zlib.decompressobj(-15).decompress(memoryview(data)[start:end], size + 1)
        except zlib.error:
            raise corrupt(file, name) from None
    if len(out) != size or zlib.crc32(out) != info.CRC:
        raise corrupt(file, name)
    result = out, hashlib.sha256(out).hexdigest()
    if key is not None:
        if len(_RECURRING) >= RECURRING_ENTRIES:
            try:
                _RECURRING.pop(next(iter(_RECURRING)))  # the least recently used
            except (StopIteration, RuntimeError, KeyError):
                pass  # another thread changed the parts meanwhile; the next insertion evicts
        _RECURRING[key] = result
    return result
