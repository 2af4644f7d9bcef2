"""Checks on a received file before any XML parser sees it (every received file is hostile).

``open_package(data, file_name, profile)`` works on the file's bytes already in memory (read once, so
what is verified is exactly what is parsed) and refuses, with a Japanese message:
- not a zip (an ``.xls`` gets instructions to re-save as ``.xlsx``), a truncated or corrupt zip;
- caps: file size, entry count, per-entry and total uncompressed size, compression ratio (zip bomb);
- ``..``, absolute, backslash or duplicate entry names, encrypted entries;
- macros (vbaProject), external links, data connections, OLE objects, ActiveX;
- relationships with ``TargetMode="External"`` (hyperlinks are tolerated in hand-filled files, as a
  warning: Excel turns typed e-mail-like IDs into mailto links on its own);
- any ``<!DOCTYPE`` / ``<!ENTITY`` in any XML part (entity expansion, XXE), found by a streaming scan,
  and any NUL byte in an XML part (UTF-16/32 would hide a DOCTYPE from a byte scan; Excel and
  LibreOffice write UTF-8), so that after this check no XML part can declare an entity.

Order of work (cheap before costly, and every check before the data it protects is used):
1. structure, from the central directory alone: size, entry count, names, encryption flags,
   forbidden parts, declared per-entry / total sizes and compression ratio;
2. each entry inflated ONCE, straight from the bytes in memory (local header signature and name,
   declared size, CRC, no overlap with the next entry; zipfile itself for anything unusual), hashed
   (SHA-256, for the signature manifest) and content-scanned; entries up to ``KEEP_BUDGET`` in total
   are kept, larger ones are streamed in 1 MiB chunks (bounded memory);
3. the relationship parts checked for external targets.

``defer_worksheets=True`` (the reader) hashes worksheets in step 2 but postpones their content scan
(DOCTYPE/ENTITY, NUL, formula elements) until something will parse them: ``pkg.read(name)`` and
``pkg.data`` (the bytes handed to openpyxl) run it first; only ``read_unscanned`` skips it, for a
byte comparison. The reader compares a signed sheet byte-for-byte against its own rendering, which
can hold neither a declaration nor a formula, and parses it only when that comparison fails.
"""
from __future__ import annotations

import hashlib
import io
import logging
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass, field

import defusedxml.ElementTree as SafeET

from desktop_app.exchange.errors import ExchangeRefused, FileProblem

log = logging.getLogger(__name__)

MiB = 1 << 20


@dataclass(frozen=True)
class ZipLimits:
    max_file_bytes: int = 64 * MiB
    max_entries: int = 400
    max_entry_bytes: int = 256 * MiB
    max_total_bytes: int = 512 * MiB
    max_ratio: float = 120.0  # uncompressed / compressed, for entries above ratio_floor
    ratio_floor: int = 1 * MiB
    max_rels_bytes: int = 2 * MiB


DEFAULT_LIMITS = ZipLimits()
_FORBIDDEN = (
    ("vbaproject", "マクロ(VBA)"),
    ("externallink", "外部リンク"),
    ("connections.xml", "外部データ接続"),
    ("oleobject", "埋め込みオブジェクト(OLE)"),
    ("/embeddings/", "埋め込みオブジェクト"),
    ("activex", "ActiveXコントロール"),
    ("querytables", "外部データ接続"),
)
_FORBIDDEN_ANY = re.compile("|".join(re.escape(needle) for needle, _ in _FORBIDDEN))
_DRIVE = re.compile(r"[A-Za-z]:")
_HYPERLINK_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink"
_DTD = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)
_FORMULA = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?f[\s/>]")
_OVERLAP = 64
SMALL_ENTRY = 256 * 1024  # always inflated in one piece and kept
KEEP_BUDGET = 128 * MiB  # larger entries are kept too while the kept total stays under this
_LOCAL = struct.Struct("<4s2xH18xHH")  # local file header: signature, flags, name and extra lengths
_PLAIN_FLAGS = 0x0808 | 0x0006  # data descriptor, UTF-8 names, deflate speed options
XLS_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@dataclass
class CheckedPackage:
    raw: bytes  # the whole file; use ``data`` to hand it to a parser (that completes deferred scans)
    zf: zipfile.ZipFile
    names: list[str]
    hashes: dict[str, str]  # entry name → sha256 hex
    file: str = ""
    formula_parts: set[str] = field(default_factory=set)
    warnings: list[str] = field(default_factory=list)
    small: dict[str, bytes] = field(default_factory=dict)  # entry bytes kept from the single inflate
    unscanned: set[str] = field(default_factory=set)  # worksheets whose content scan was deferred

    @property
    def data(self) -> bytes:
        """The file's bytes for a workbook parser (openpyxl): every deferred scan runs first."""
        self.scan_deferred()
        return self.raw

    def scan_deferred(self) -> None:
        for name in sorted(self.unscanned):
            self._scan_now(name)

    def read(self, name: str) -> bytes:
        """An entry's bytes, content-scanned (DOCTYPE/ENTITY, NUL, formulas): safe to parse."""
        if name in self.unscanned:
            self._scan_now(name)
        return self.read_unscanned(name)

    def read_unscanned(self, name: str) -> bytes:
        """An entry's bytes, hashed but possibly not content-scanned: only for byte comparison."""
        cached = self.small.get(name)
        return cached if cached is not None else self.zf.read(name)

    def _scan_now(self, name: str) -> None:
        _scan_content(self, name, self.read_unscanned(name), self.file)
        self.unscanned.discard(name)


def _refuse(file: str, message: str) -> ExchangeRefused:
    return ExchangeRefused(file, [FileProblem(file, message)])


def not_xlsx_message(data: bytes) -> str:
    if data.startswith(XLS_MAGIC):
        return ("古い形式(.xls)のExcelファイル、またはパスワード付きのファイルです。Excelで開き、"
                "「ファイル」→「名前を付けて保存」→ ファイルの種類「Excel ブック (*.xlsx)」で保存し直して"
                "から読み込んでください(パスワードは解除してください)")
    return "Excelブック(.xlsx)ではありません。別添様式を.xlsx形式で保存したファイルを指定してください"


def open_package(data: bytes, file: str, *, limits: ZipLimits = DEFAULT_LIMITS,
                 allow_hyperlinks: bool = False, defer_worksheets: bool = False) -> CheckedPackage:
    if len(data) > limits.max_file_bytes:
        raise _refuse(file, f"ファイルが大きすぎます({len(data) // MiB} MiB。上限 {limits.max_file_bytes // MiB} MiB)")
    if not data.startswith(b"PK\x03\x04"):
        raise _refuse(file, not_xlsx_message(data))
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise _refuse(file, "ファイルが壊れています(途中で切れているか、Excelブックとして不正です)。"
                            "送付元にもう一度送ってもらってください") from None
    if len(infos) > limits.max_entries:
        raise _refuse(file, f"ファイル内の部品が多すぎます({len(infos)}個)")
    total = 0
    seen: set[str] = set()
    for info in infos:
        name = info.filename
        lowered = name.lower()
        if (name.startswith(("/", "\\")) or "\\" in name or "\x00" in name or ".." in name.split("/")
                or _DRIVE.match(name)):
            raise _refuse(file, f"ファイル内に不正な名前の部品があります({name[:60]!r})")
        if lowered in seen:
            raise _refuse(file, f"ファイル内に同じ名前の部品が重複しています({name[:60]})")
        seen.add(lowered)
        if info.flag_bits & 0x1:
            raise _refuse(file, "暗号化された部品を含むファイルは読み込めません。パスワードを解除して保存し直してください")
        if _FORBIDDEN_ANY.search(lowered):
            what = next(what for needle, what in _FORBIDDEN if needle in lowered)
            raise _refuse(file, f"{what}を含むファイルは安全のため読み込めません({name[:60]})。"
                                "値だけを新しいブックに貼り付けて保存し直してください")
        if info.file_size > limits.max_entry_bytes:
            raise _refuse(file, f"ファイル内の部品が大きすぎます({name[:60]}: {info.file_size // MiB} MiB)")
        total += info.file_size
        if total > limits.max_total_bytes:
            raise _refuse(file, "展開後の大きさが上限を超えます(圧縮爆弾の可能性があります)")
        if info.file_size > limits.ratio_floor and info.file_size > limits.max_ratio * max(info.compress_size, 1):
            raise _refuse(file, f"圧縮率が異常に高い部品があります({name[:60]})。圧縮爆弾の可能性があるため読み込みません")
    pkg = CheckedPackage(data, zf, [i.filename for i in infos], {}, file)
    # Where each entry's bytes must end: at the next local header (or the central directory). Entries
    # that overlap (one compressed stream shared by several names) are refused as corrupt.
    starts = sorted({i.header_offset for i in infos})
    bounds = dict(zip(starts, starts[1:] + [getattr(zf, "start_dir", len(data))]))
    kept = 0
    for info in infos:
        keep = info.file_size <= SMALL_ENTRY or kept + info.file_size <= KEEP_BUDGET
        defer = defer_worksheets and _is_worksheet(info.filename)
        _scan_entry(pkg, info, file, bounds[info.header_offset], keep=keep, defer=defer)
        if keep:
            kept += info.file_size
    for name in pkg.names:
        if name.endswith(".rels"):
            _check_rels(pkg, name, file, limits, allow_hyperlinks)
    return pkg


def _is_xml(name: str) -> bool:
    return name.endswith((".xml", ".rels", ".vml"))


def _is_worksheet(name: str) -> bool:
    return name.startswith("xl/worksheets/") and name.endswith(".xml")


def _corrupt(file: str, name: str) -> ExchangeRefused:
    return _refuse(file, f"ファイルが壊れています(部品「{name[:60]}」を展開できません)")


def _scan_content(pkg: CheckedPackage, name: str, data: bytes, file: str) -> None:
    """Refuse an XML part that could declare an entity; note a worksheet's formula elements."""
    if not _is_xml(name):
        return
    if b"\x00" in data:
        raise _refuse(file, f"XMLの文字コードがUTF-8ではない部品があります({name})。Excelで保存し直してください")
    if _DTD.search(data):
        raise _refuse(file, f"XMLに文書型宣言(DOCTYPE/ENTITY)を含む部品があります({name})。"
                            "外部実体・実体展開攻撃の可能性があるため読み込みません")
    if _is_worksheet(name) and _FORMULA.search(data):
        pkg.formula_parts.add(name)


def _inflate(pkg: CheckedPackage, info: zipfile.ZipInfo, file: str, bound: int) -> bytes:
    """One entry's bytes, inflated straight from the file in memory.

    zipfile's per-entry reader costs several times the inflating itself for the small parts of a
    workbook. The checks are zipfile's (local header signature and name, the declared size, the
    CRC) plus one zipfile 3.11 lacks: the compressed data may not run into the next entry. Anything
    unusual (another compression method, unknown flags) goes through zipfile instead.
    """
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED) or info.flag_bits & ~_PLAIN_FLAGS:
        return pkg.zf.read(info)
    data = pkg.raw
    off = info.header_offset
    head = data[off:off + _LOCAL.size]
    if len(head) != _LOCAL.size:
        raise _corrupt(file, info.filename)
    sig, flags, name_len, extra_len = _LOCAL.unpack(head)
    raw_name = data[off + _LOCAL.size:off + _LOCAL.size + name_len]
    try:
        local_name = raw_name.decode("utf-8" if flags & 0x800 else "cp437")
    except UnicodeDecodeError:
        raise _corrupt(file, info.filename) from None
    start = off + _LOCAL.size + name_len + extra_len
    end = start + info.compress_size
    if sig != b"PK\x03\x04" or local_name != info.orig_filename or end > bound or end > len(data):
        raise _corrupt(file, info.filename)
    if info.compress_type == zipfile.ZIP_STORED:
        out = data[start:end]
    else:
        try:
            out = zlib.decompressobj(-15).decompress(data[start:end], info.file_size + 1)
        except zlib.error:
            raise _corrupt(file, info.filename) from None
    if len(out) != info.file_size or zlib.crc32(out) != info.CRC:
        raise _corrupt(file, info.filename)
    return out


def _scan_entry(pkg: CheckedPackage, info: zipfile.ZipInfo, file: str, bound: int, *, keep: bool,
                defer: bool) -> None:
    name = info.filename
    if keep:
        # Inflated once and kept: hashing, the content scan, the signature check, the relationship
        # check and the reader all use these bytes.
        try:
            data = _inflate(pkg, info, file, bound)
        except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError, RuntimeError):
            raise _corrupt(file, name) from None
        if defer:
            pkg.unscanned.add(name)
        else:
            _scan_content(pkg, name, data, file)
        pkg.small[name] = data
        pkg.hashes[name] = hashlib.sha256(data).hexdigest()
        return
    # Too large to keep: stream it in 1 MiB chunks (bounded memory), scanning as it goes.
    h = hashlib.sha256()
    is_xml = _is_xml(name) and not defer
    is_sheet = _is_worksheet(name)
    tail = b""
    try:
        with pkg.zf.open(info) as fh:
            while chunk := fh.read(MiB):
                h.update(chunk)
                if is_xml:
                    if b"\x00" in chunk:
                        raise _refuse(file, f"XMLの文字コードがUTF-8ではない部品があります({name})。Excelで保存し直してください")
                    window = tail + chunk
                    if _DTD.search(window):
                        raise _refuse(file, f"XMLに文書型宣言(DOCTYPE/ENTITY)を含む部品があります({name})。"
                                            "外部実体・実体展開攻撃の可能性があるため読み込みません")
                    if is_sheet and _FORMULA.search(window):
                        pkg.formula_parts.add(name)
                    tail = window[-_OVERLAP:]
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError, RuntimeError):
        raise _corrupt(file, name) from None
    if defer:
        pkg.unscanned.add(name)
    pkg.hashes[name] = h.hexdigest()


def _check_rels(pkg: CheckedPackage, name: str, file: str, limits: ZipLimits, allow_hyperlinks: bool) -> None:
    data = pkg.read(name)
    if len(data) > limits.max_rels_bytes:
        raise _refuse(file, f"関係定義({name})が大きすぎます")
    if b"external" not in data.lower() and b"&" not in data:
        return  # no TargetMode="External" can be spelt without these bytes (entities are refused above)
    try:
        root = SafeET.fromstring(data)
    except Exception:  # defusedxml raises several types; all mean "do not trust this file"
        raise _refuse(file, f"ファイル内の関係定義({name})が壊れています") from None
    for rel in root:
        if str(rel.get("TargetMode", "")).lower() != "external":
            continue
        if allow_hyperlinks and rel.get("Type") == _HYPERLINK_REL:
            if "ハイパーリンク" not in "".join(pkg.warnings):
                pkg.warnings.append("ハイパーリンクが設定されたセルがあります(リンクは無視し、文字だけを読みました)")
            continue
        raise _refuse(file, f"外部への参照(リンク先 {str(rel.get('Target'))[:60]})を含むため安全のため読み込みません")
