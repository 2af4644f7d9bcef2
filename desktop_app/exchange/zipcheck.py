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
   forbidden parts, declared per-entry / total sizes and compression ratio. The directory of a plain
   zip (one end record exactly at the end, directory right before it, no zip64, no prepended data,
   well-formed extra fields) is read with ``struct`` (``zip_entries``) — zipfile's per-entry objects cost more
   than inflating a small workbook. Anything else goes to ``zipfile`` itself, which then decides
   (and refuses what it cannot read), so this shortcut never accepts a file zipfile would not;
2. each entry inflated ONCE, straight from the bytes in memory (local header signature, name, method
   and flags equal to the directory's, CRC and sizes too unless a data descriptor follows, declared
   size, CRC, no overlap with the next entry; zipfile itself for anything unusual), hashed
   (SHA-256, for the signature manifest) and content-scanned; entries up to ``KEEP_BUDGET`` in total
   are kept, larger ones are streamed in 1 MiB chunks (bounded memory). A small part whose
   compressed bytes, CRC and size equal those of a part already inflated and checked (the same
   styles and relationships in every station's file) reuses that result (``zip_entries``);
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
import os
import re
import zipfile
from dataclasses import dataclass, field

import defusedxml.ElementTree as SafeET

from desktop_app.exchange.errors import refuse
from desktop_app.exchange.zip_entries import central_directory, corrupt, inflate

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
XLS_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
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
# In names joined by line feeds: a ".." segment or a drive letter at a name's start.
_BAD_NAME_ANY = re.compile(r"(?:^|[/\n])\.\.(?:[/\n]|$)|(?:^|\n)[A-Za-z]:")
_HYPERLINK_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink"
_DTD = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)
_FORMULA = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?f[\s/>]")
_OVERLAP = 64
SMALL_ENTRY = 256 * 1024  # always inflated in one piece and kept
KEEP_BUDGET = 128 * MiB  # larger entries are kept too while the kept total stays under this


@dataclass
class CheckedPackage:
    raw: bytes  # the whole file; use ``data`` to hand it to a parser (that completes deferred scans)
    names: list[str]
    hashes: dict[str, str]  # entry name → sha256 hex
    file: str = ""
    formula_parts: set[str] = field(default_factory=set)
    warnings: list[str] = field(default_factory=list)
    small: dict[str, bytes] = field(default_factory=dict)  # entry bytes kept from the single inflate
    unscanned: set[str] = field(default_factory=set)  # worksheets whose content scan was deferred
    _zf: zipfile.ZipFile | None = field(default=None, repr=False)

    @property
    def zf(self) -> zipfile.ZipFile:
        """zipfile over the same bytes, opened only when needed (entries too large to keep, unusual
        compression): the checks read a plain zip's directory and entries without it."""
        if self._zf is None:
            self._zf = zipfile.ZipFile(io.BytesIO(self.raw))
        return self._zf

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


def read_capped(path: str | os.PathLike, limit: int) -> bytes | None:
    """The file's bytes, or None when it holds more than ``limit`` bytes; never reads more than
    ``limit + 1`` (a file that grows after the size check cannot slip past the cap). One open, one
    fstat, one read for a workbook: an HQ opens hundreds of them. Raises OSError."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
    try:
        size = os.fstat(fd).st_size
        if size > limit:
            return None
        chunks = []
        left = limit + 1
        want = size + 1  # the whole file and one byte to see that it ends there
        while left > 0 and (chunk := os.read(fd, min(want, left))):
            chunks.append(chunk)
            left -= len(chunk)
            want = MiB  # it grew since fstat, or a short read: go on in bounded pieces
    finally:
        os.close(fd)
    data = chunks[0] if len(chunks) == 1 else b"".join(chunks)
    return None if len(data) > limit else data


def not_xlsx_message(data: bytes) -> str:
    if data.startswith(XLS_MAGIC):
        return ("古い形式(.xls)のExcelファイル、またはパスワード付きのファイルです。Excelで開き、"
                "「ファイル」→「名前を付けて保存」→ ファイルの種類「Excel ブック (*.xlsx)」で保存し直して"
                "から読み込んでください(パスワードは解除してください)")
    return "Excelブック(.xlsx)ではありません。別添様式を.xlsx形式で保存したファイルを指定してください"


def open_package(data: bytes, file: str, *, limits: ZipLimits = DEFAULT_LIMITS,
                 allow_hyperlinks: bool = False, defer_worksheets: bool = False) -> CheckedPackage:
    if len(data) > limits.max_file_bytes:
        raise refuse(file, f"ファイルが大きすぎます({len(data) // MiB} MiB。上限 {limits.max_file_bytes // MiB} MiB)")
    if not data.startswith(b"PK\x03\x04"):
        raise refuse(file, not_xlsx_message(data))
    zf = None
    lean = central_directory(data, file, limits.max_entries)
    if lean is not None:
        infos, start_dir = lean
    else:
        try:
            zf = zipfile.ZipFile(io.BytesIO(data))
            infos = zf.infolist()
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError, NotImplementedError):
            raise refuse(file, "ファイルが壊れています(途中で切れているか、Excelブックとして不正です)。"
                                "送付元にもう一度送ってもらってください") from None
        start_dir = getattr(zf, "start_dir", len(data))
    if len(infos) > limits.max_entries:
        raise refuse(file, f"ファイル内の部品が多すぎます({len(infos)}個)")
    if not _plainly_acceptable(infos, limits):
        _check_each_entry(infos, file, limits)
    pkg = CheckedPackage(data, [i.filename for i in infos], {}, file, _zf=zf)
    # Where each entry's bytes must end: at the next local header (or the central directory). Entries
    # that overlap (one compressed stream shared by several names) are refused as corrupt.
    starts = sorted({i.header_offset for i in infos})
    bounds = dict(zip(starts, starts[1:] + [start_dir]))
    kept = 0
    small, hashes = pkg.small, pkg.hashes
    for info in infos:
        name, size = info.filename, info.file_size
        defer = defer_worksheets and _is_worksheet(name)
        if size > SMALL_ENTRY and kept + size > KEEP_BUDGET:
            _stream_entry(pkg, info, file, defer=defer)
            continue
        # Inflated once and kept: hashing, the content scan, the signature check, the relationship
        # check and the reader all use these bytes.
        kept += size
        try:
            body, digest = inflate(data, info, file, bounds[info.header_offset], pkg.zf.read)
        except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError, RuntimeError):
            raise corrupt(file, name) from None
        small[name] = body
        hashes[name] = digest
        if defer:
            pkg.unscanned.add(name)
        elif name.endswith(_XML_SUFFIXES) and (b"\x00" in body or b"!" in body or _is_worksheet(name)):
            _scan_content(pkg, name, body, file)  # (without NUL, "!" or a formula to look for: nothing to do)
    for name in pkg.names:
        if name.endswith(".rels"):
            _check_rels(pkg, name, file, limits, allow_hyperlinks)
    return pkg


def _plainly_acceptable(infos: list, limits: ZipLimits) -> bool:
    """True when no entry can fail a check of ``_check_each_entry``, found with a few scans over all
    names and sizes at once; False sends every entry through those checks (which name the culprit).
    Conservative: any doubt (a name holding a line feed, say) returns False."""
    names = [i.filename for i in infos]
    blob = "\n".join(names)
    if blob.count("\n") != len(names) - 1 or "\\" in blob or "\x00" in blob or blob.startswith("/") or "\n/" in blob:
        return False
    lowered = blob.lower()
    if len(set(lowered.split("\n"))) != len(names) or _FORBIDDEN_ANY.search(lowered):
        return False
    # Neither a ".." segment nor a drive letter can be spelt without these (the regex costs more
    # than every other check here together).
    if (".." in blob or ":" in blob) and _BAD_NAME_ANY.search(blob):
        return False
    sizes = [i.file_size for i in infos]
    if not sizes:
        return True
    return (max(sizes) <= limits.max_entry_bytes and max(sizes) <= limits.ratio_floor
            and sum(sizes) <= limits.max_total_bytes and not any(i.flag_bits & 0x1 for i in infos))


def _check_each_entry(infos: list, file: str, limits: ZipLimits) -> None:
    """Names, encryption, forbidden parts and size caps, entry by entry (refuses the first culprit)."""
    total = 0
    seen: set[str] = set()
    for info in infos:
        name = info.filename
        lowered = name.lower()
        if (name.startswith(("/", "\\")) or "\\" in name or "\x00" in name or ".." in name.split("/")
                or _DRIVE.match(name)):
            raise refuse(file, f"ファイル内に不正な名前の部品があります({name[:60]!r})")
        if lowered in seen:
            raise refuse(file, f"ファイル内に同じ名前の部品が重複しています({name[:60]})")
        seen.add(lowered)
        if info.flag_bits & 0x1:
            raise refuse(file, "暗号化された部品を含むファイルは読み込めません。パスワードを解除して保存し直してください")
        if _FORBIDDEN_ANY.search(lowered):
            what = next(what for needle, what in _FORBIDDEN if needle in lowered)
            raise refuse(file, f"{what}を含むファイルは安全のため読み込めません({name[:60]})。"
                                "値だけを新しいブックに貼り付けて保存し直してください")
        if info.file_size > limits.max_entry_bytes:
            raise refuse(file, f"ファイル内の部品が大きすぎます({name[:60]}: {info.file_size // MiB} MiB)")
        total += info.file_size
        if total > limits.max_total_bytes:
            raise refuse(file, "展開後の大きさが上限を超えます(圧縮爆弾の可能性があります)")
        if info.file_size > limits.ratio_floor and info.file_size > limits.max_ratio * max(info.compress_size, 1):
            raise refuse(file, f"圧縮率が異常に高い部品があります({name[:60]})。圧縮爆弾の可能性があるため読み込みません")


_XML_SUFFIXES = (".xml", ".rels", ".vml")


def _is_xml(name: str) -> bool:
    return name.endswith(_XML_SUFFIXES)


def _is_worksheet(name: str) -> bool:
    return name.startswith("xl/worksheets/") and name.endswith(".xml")


def _not_utf8(file: str, name: str):
    return refuse(file, f"XMLの文字コードがUTF-8ではない部品があります({name})。Excelで保存し直してください")


def _declares_entities(file: str, name: str):
    return refuse(file, f"XMLに文書型宣言(DOCTYPE/ENTITY)を含む部品があります({name})。"
                        "外部実体・実体展開攻撃の可能性があるため読み込みません")


def _scan_content(pkg: CheckedPackage, name: str, data: bytes, file: str) -> None:
    """Refuse an XML part that could declare an entity; note a worksheet's formula elements."""
    if not _is_xml(name):
        return
    if b"\x00" in data:
        raise _not_utf8(file, name)
    if b"!" in data and _DTD.search(data):  # "!" is rare in XML and memchr finds it fast
        raise _declares_entities(file, name)
    if _is_worksheet(name) and _FORMULA.search(data):
        pkg.formula_parts.add(name)


def _stream_entry(pkg: CheckedPackage, info: zipfile.ZipInfo, file: str, *, defer: bool) -> None:
    """An entry too large to keep: hashed and scanned in 1 MiB chunks (bounded memory)."""
    name = info.filename
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
                        raise _not_utf8(file, name)
                    window = tail + chunk
                    if _DTD.search(window):
                        raise _declares_entities(file, name)
                    if is_sheet and _FORMULA.search(window):
                        pkg.formula_parts.add(name)
                    tail = window[-_OVERLAP:]
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError, RuntimeError):
        raise corrupt(file, name) from None
    if defer:
        pkg.unscanned.add(name)
    pkg.hashes[name] = h.hexdigest()


def _check_rels(pkg: CheckedPackage, name: str, file: str, limits: ZipLimits, allow_hyperlinks: bool) -> None:
    data = pkg.read(name)
    if len(data) > limits.max_rels_bytes:
        raise refuse(file, f"関係定義({name})が大きすぎます")
    if b"external" not in data.lower() and b"&" not in data:
        return  # no TargetMode="External" can be spelt without these bytes (entities are refused above)
    try:
        root = SafeET.fromstring(data)
    except Exception:  # defusedxml raises several types; all mean "do not trust this file"
        raise refuse(file, f"ファイル内の関係定義({name})が壊れています") from None
    for rel in root:
        if str(rel.get("TargetMode", "")).lower() != "external":
            continue
        if allow_hyperlinks and rel.get("Type") == _HYPERLINK_REL:
            if "ハイパーリンク" not in "".join(pkg.warnings):
                pkg.warnings.append("ハイパーリンクが設定されたセルがあります(リンクは無視し、文字だけを読みました)")
            continue
        raise refuse(file, f"外部への参照(リンク先 {str(rel.get('Target'))[:60]})を含むため安全のため読み込みません")
