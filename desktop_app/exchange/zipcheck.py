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

The same streaming pass computes each entry's SHA-256 (for the signature manifest) and notes which
worksheets contain formula elements. Memory stays bounded: entries are read in 1 MiB chunks and the
declared sizes are capped before anything is decompressed (zipfile stops at the declared size).
"""
from __future__ import annotations

import hashlib
import io
import logging
import re
import zipfile
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
_HYPERLINK_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink"
_DTD = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)
_FORMULA = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?f[\s/>]")
_OVERLAP = 64
SMALL_ENTRY = 256 * 1024
XLS_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@dataclass
class CheckedPackage:
    data: bytes
    zf: zipfile.ZipFile
    names: list[str]
    hashes: dict[str, str]  # entry name → sha256 hex
    formula_parts: set[str] = field(default_factory=set)
    warnings: list[str] = field(default_factory=list)
    small: dict[str, bytes] = field(default_factory=dict)  # entries ≤ SMALL_ENTRY kept from the scan

    def read(self, name: str) -> bytes:
        cached = self.small.get(name)
        return cached if cached is not None else self.zf.read(name)


def _refuse(file: str, message: str) -> ExchangeRefused:
    return ExchangeRefused(file, [FileProblem(file, message)])


def not_xlsx_message(data: bytes) -> str:
    if data.startswith(XLS_MAGIC):
        return ("古い形式(.xls)のExcelファイル、またはパスワード付きのファイルです。Excelで開き、"
                "「ファイル」→「名前を付けて保存」→ ファイルの種類「Excel ブック (*.xlsx)」で保存し直して"
                "から読み込んでください(パスワードは解除してください)")
    return "Excelブック(.xlsx)ではありません。別添様式を.xlsx形式で保存したファイルを指定してください"


def open_package(data: bytes, file: str, *, limits: ZipLimits = DEFAULT_LIMITS,
                 allow_hyperlinks: bool = False) -> CheckedPackage:
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
                or re.match(r"^[A-Za-z]:", name)):
            raise _refuse(file, f"ファイル内に不正な名前の部品があります({name[:60]!r})")
        if lowered in seen:
            raise _refuse(file, f"ファイル内に同じ名前の部品が重複しています({name[:60]})")
        seen.add(lowered)
        if info.flag_bits & 0x1:
            raise _refuse(file, "暗号化された部品を含むファイルは読み込めません。パスワードを解除して保存し直してください")
        for needle, what in _FORBIDDEN:
            if needle in lowered:
                raise _refuse(file, f"{what}を含むファイルは安全のため読み込めません({name[:60]})。"
                                    "値だけを新しいブックに貼り付けて保存し直してください")
        if info.file_size > limits.max_entry_bytes:
            raise _refuse(file, f"ファイル内の部品が大きすぎます({name[:60]}: {info.file_size // MiB} MiB)")
        total += info.file_size
        if total > limits.max_total_bytes:
            raise _refuse(file, "展開後の大きさが上限を超えます(圧縮爆弾の可能性があります)")
        if info.file_size > limits.ratio_floor and info.file_size > limits.max_ratio * max(info.compress_size, 1):
            raise _refuse(file, f"圧縮率が異常に高い部品があります({name[:60]})。圧縮爆弾の可能性があるため読み込みません")
    pkg = CheckedPackage(data, zf, [i.filename for i in infos], {})
    for info in infos:
        _scan_entry(pkg, info, file)
    for name in pkg.names:
        if name.endswith(".rels"):
            _check_rels(pkg, name, file, limits, allow_hyperlinks)
    return pkg


def _scan_entry(pkg: CheckedPackage, info: zipfile.ZipInfo, file: str) -> None:
    h = hashlib.sha256()
    name = info.filename
    is_xml = name.endswith((".xml", ".rels", ".vml"))
    is_sheet = name.startswith("xl/worksheets/") and name.endswith(".xml")
    tail = b""
    if info.file_size <= SMALL_ENTRY:
        # Small parts (all of a station file's) are read once and kept: the signature check, the
        # relationship check and the metadata reader reuse these bytes instead of inflating again.
        try:
            data = pkg.zf.read(info)
        except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError, RuntimeError):
            raise _refuse(file, f"ファイルが壊れています(部品「{name[:60]}」を展開できません)") from None
        if is_xml and b"\x00" in data:
            raise _refuse(file, f"XMLの文字コードがUTF-8ではない部品があります({name})。Excelで保存し直してください")
        if is_xml and _DTD.search(data):
            raise _refuse(file, f"XMLに文書型宣言(DOCTYPE/ENTITY)を含む部品があります({name})。"
                                "外部実体・実体展開攻撃の可能性があるため読み込みません")
        if is_sheet and _FORMULA.search(data):
            pkg.formula_parts.add(name)
        pkg.small[name] = data
        pkg.hashes[name] = hashlib.sha256(data).hexdigest()
        return
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
        raise _refuse(file, f"ファイルが壊れています(部品「{name[:60]}」を展開できません)") from None
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
