"""Verifying a signed exchange file: the signature check alone, before any cell is read.

``verify_file(path, trust)`` / ``verify_bytes(data, name, trust)`` return a ``Verification`` whose
``status`` is one of ``valid``, ``invalid``, ``unknown-key``, ``revoked``, ``absent`` (no Teishi
signature: a hand-filled file) and whose ``problems`` say why in Japanese. A file is accepted only
when ``ok`` (status valid and no problem). Order of checks:

1. zip checks before parsing (``zipcheck``), which also inflate and hash every entry once;
2. ``docProps/custom.xml`` matched exactly as our signer writes it, or else parsed with defusedxml;
   it may hold only our two properties;
3. the minisign signature and its trusted comment parse;
4. the key (minisign key id) is in the receiver's trust list, not revoked, belongs to the unit the
   trusted comment names, and the signing time lies in the key's validity window;
5. the signature verifies over the manifest (and the global signature over the trusted comment);
6. the zip's entry set equals the manifest's exactly and every SHA-256 matches;
7. the unit's sequence number was not seen before (replay); a gap is a warning.

The trust list is anything with the ``TrustStore`` methods (``services.trust.TrustService`` over the
database, or ``StaticTrust`` for tools and tests).
"""
from __future__ import annotations

import datetime as dt
import functools
import hashlib
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import defusedxml.ElementTree as SafeET
import minisign
import nacl.exceptions
import nacl.signing

from desktop_app.exchange.errors import ExchangeRefused, FileProblem
from desktop_app.exchange.manifest import ManifestError, parse_manifest
from desktop_app.exchange.signing import (CUSTOM_NS, MANIFEST_PROPERTY, SIGNATURE_PROPERTY, VT_NS,
                                          SignInfo, custom_xml)
from desktop_app.exchange.workbook_writer import CUSTOM_PART
from desktop_app.exchange.zipcheck import DEFAULT_LIMITS, CheckedPackage, ZipLimits, open_package, read_capped

log = logging.getLogger(__name__)

VALID, INVALID, UNKNOWN_KEY, REVOKED, ABSENT = "valid", "invalid", "unknown-key", "revoked", "absent"
MAX_CUSTOM_BYTES = 256 * 1024
TEST_KIND = "test"


@dataclass(frozen=True)
class TrustedKey:
    key_id: str
    unit_id: str
    unit_name: str
    tier: str
    prefecture_code: str | None
    public_key: str  # base64 minisign public key line
    status: str = "active"  # active | retired | revoked
    not_before: dt.datetime | None = None
    not_after: dt.datetime | None = None
    revoked_at: dt.datetime | None = None


class TrustStore(Protocol):
    def lookup(self, key_id: str) -> TrustedKey | None: ...

    def sequence_seen(self, unit_id: str, sequence: int) -> bool: ...

    def last_sequence(self, unit_id: str) -> int | None: ...


@dataclass
class StaticTrust:
    """A trust list held in memory (tools, benchmarks, tests)."""

    keys: dict[str, TrustedKey] = field(default_factory=dict)
    seen: dict[str, set[int]] = field(default_factory=dict)

    def add(self, key: TrustedKey) -> "StaticTrust":
        self.keys[key.key_id] = key
        return self

    def lookup(self, key_id: str) -> TrustedKey | None:
        return self.keys.get(key_id)

    def sequence_seen(self, unit_id: str, sequence: int) -> bool:
        return sequence in self.seen.get(unit_id, set())

    def last_sequence(self, unit_id: str) -> int | None:
        s = self.seen.get(unit_id)
        return max(s) if s else None


@dataclass
class Verification:
    file: str
    status: str
    signed: bool
    info: SignInfo | None = None
    key: TrustedKey | None = None
    key_id: str | None = None
    problems: list[FileProblem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    package: CheckedPackage | None = None

    @property
    def ok(self) -> bool:
        return self.status == VALID and not self.problems

    def refusal(self) -> ExchangeRefused:
        return ExchangeRefused(self.file, list(self.problems), signature=self.status, signed=self.signed)


@functools.lru_cache(maxsize=64)
def _public_key(line: str) -> minisign.PublicKey:
    """A trusted key, parsed once per process (an HQ reads many files signed by the same few keys)."""
    return minisign.PublicKey.from_base64(line)


@functools.lru_cache(maxsize=64)
def _verify_key(line: str) -> nacl.signing.VerifyKey:
    return nacl.signing.VerifyKey(_public_key(line)._keynum_pk.public_key)


def verify_minisig(key_line: str, data: bytes, sig: minisign.Signature) -> None:
    """minisign's own two checks (the data, then the trusted comment), done with libsodium.

    Same rule as ``minisign.PublicKey.verify``; libsodium verifies in half the time of OpenSSL here,
    and an HQ verifies hundreds of files a day. Raises ``minisign.VerifyError``.
    """
    key = _public_key(key_line)
    if key._keynum_pk.key_id != sig._key_id:
        raise minisign.VerifyError("incompatible key identifiers")
    message = hashlib.blake2b(data).digest() if sig.is_prehashed() else data
    vk = _verify_key(key_line)
    try:
        vk.verify(message, sig._signature)
        vk.verify(sig._signature + sig.trusted_comment.encode(), sig._global_signature)
    except nacl.exceptions.BadSignatureError as err:
        raise minisign.VerifyError("signature verification failed") from err


def signature_key_id(sig: minisign.Signature) -> str:
    return sig._key_id[::-1].hex().upper()  # as minisign prints it (little-endian u64)


def _exact_custom_pattern() -> re.Pattern[bytes]:
    """``docProps/custom.xml`` exactly as ``signing.custom_xml`` writes it, values captured.

    The values may hold only printable ASCII and LF, without ``& < >``: such a document is
    well-formed, holds exactly our two properties, and an XML parser would return exactly the
    captured text (no entity, no CR to fold). So a match gives what the defusedxml path below gives,
    without building a tree; anything else (another program's layout, an escaped character) takes
    that path.
    """
    marker = "\x01"
    left, middle, right = custom_xml(marker, marker).split(marker.encode())
    value = rb"([\n\x20-\x25\x27-\x3b\x3d\x3f-\x7e]*)"
    return re.compile(re.escape(left) + value + re.escape(middle) + value + re.escape(right))


_EXACT_CUSTOM = _exact_custom_pattern()


def _signed_properties(pkg: CheckedPackage, file: str) -> tuple[str, str] | None | FileProblem:
    """(manifest, signature) text, None when the file carries no Teishi signature, or a problem."""
    if CUSTOM_PART not in pkg.names:
        return None
    raw = pkg.read(CUSTOM_PART)
    if len(raw) > MAX_CUSTOM_BYTES:
        return FileProblem(file, "文書プロパティが大きすぎます(改ざんの可能性があります)")
    exact = _EXACT_CUSTOM.fullmatch(raw)
    if exact:
        return exact.group(1).decode("ascii"), exact.group(2).decode("ascii")
    try:
        root = SafeET.fromstring(raw)
    except Exception:  # defusedxml raises DTD/entity errors and ParseError; all refuse the file
        return FileProblem(file, "文書プロパティ(docProps/custom.xml)が壊れています")
    if root.tag != f"{{{CUSTOM_NS}}}Properties":
        return FileProblem(file, "文書プロパティ(docProps/custom.xml)の形式が正しくありません")
    props: dict[str, str] = {}
    for prop in root:
        name = prop.get("name")
        if prop.tag != f"{{{CUSTOM_NS}}}property" or not name:
            return FileProblem(file, "文書プロパティに想定外の要素があります")
        children = list(prop)
        if len(children) != 1 or children[0].tag != f"{{{VT_NS}}}lpwstr" or name in props:
            return FileProblem(file, f"文書プロパティ「{name}」の形式が正しくありません")
        props[name] = children[0].text or ""
    ours = {MANIFEST_PROPERTY, SIGNATURE_PROPERTY}
    if not (ours & set(props)):
        return None  # e.g. a hand-filled workbook whose Excel added its own custom properties
    if set(props) != ours:
        extra = "、".join(sorted(set(props) - ours)) or "署名または目録の欠落"
        return FileProblem(file, f"署名用の文書プロパティ以外のものが含まれています({extra})。署名後に変更されています")
    return props[MANIFEST_PROPERTY], props[SIGNATURE_PROPERTY]


def verify_package(pkg: CheckedPackage, file: str, trust: TrustStore, *, check_replay: bool = True) -> Verification:
    got = _signed_properties(pkg, file)
    if got is None:
        return Verification(file, ABSENT, False, package=pkg)
    v = Verification(file, INVALID, True, package=pkg)
    if isinstance(got, FileProblem):
        v.problems.append(got)
        return v
    manifest_text, sig_text = got

    def fail(msg: str, status: str = INVALID) -> Verification:
        v.status = status
        v.problems.append(FileProblem(file, msg))
        return v

    try:
        sig = minisign.Signature.from_bytes(sig_text.strip().encode("ascii"))
        v.key_id = signature_key_id(sig)
        info = SignInfo.parse(sig.trusted_comment)
    except (minisign.Error, ValueError, UnicodeEncodeError):
        return fail("署名が壊れています(署名の形式が読めません)")
    v.info = info
    try:
        manifest = parse_manifest(manifest_text)
    except ManifestError:
        return fail("署名の対象一覧(目録)が壊れています")

    key = trust.lookup(v.key_id)
    if key is None:
        return fail(f"署名した鍵(鍵ID {v.key_id}、送付元 {info.unit_id})が信頼リストに登録されていません。"
                    "送付元の公開鍵を指紋を確認したうえで登録してください", UNKNOWN_KEY)
    v.key = key
    if key.status == "revoked":
        when = f"({key.revoked_at:%Y-%m-%d}失効)" if key.revoked_at else ""
        return fail(f"署名した鍵(鍵ID {v.key_id}、{key.unit_name})は失効しています{when}。"
                    "送付元に新しい鍵で作り直してもらってください", REVOKED)
    try:
        verify_minisig(key.public_key, manifest_text.encode("ascii"), sig)
    except (minisign.Error, UnicodeEncodeError):
        return fail("署名が正しくありません(ファイルが署名後に変更されたか、別のファイルの署名です)")
    if key.unit_id != info.unit_id:
        return fail(f"署名の送付元({info.unit_id})が鍵の登録先({key.unit_id})と一致しません")
    signed_at = info.signed_at if info.signed_at.tzinfo else info.signed_at.astimezone()
    if key.not_before and signed_at < _aware(key.not_before):
        return fail(f"署名日時({signed_at:%Y-%m-%d %H:%M})が鍵の有効期間の開始より前です")
    if key.not_after and signed_at > _aware(key.not_after):
        return fail(f"署名した鍵の有効期間は{key.not_after:%Y-%m-%d}までで、期限切れです。"
                    "送付元に新しい鍵で作り直してもらってください")
    if key.status == "retired":
        v.warnings.append(f"この鍵(鍵ID {v.key_id})は後継の鍵に切り替え済みです")

    hashes = pkg.hashes
    # Same entry set and every hash equal, in one comparison; only a difference is looked into.
    if {n: hashes.get(n) for n in pkg.names if n != CUSTOM_PART} != manifest:
        _compare_entries(v, pkg, manifest, file)
        return v
    v.status = VALID
    if check_replay and info.kind != TEST_KIND:
        if trust.sequence_seen(info.unit_id, info.sequence):
            v.problems.append(FileProblem(file, f"{key.unit_name}の送付番号{info.sequence}はすでに受け付けています"
                                                "(同じファイルの再送または再利用です)"))
            return v
        last = trust.last_sequence(info.unit_id)
        if last is not None and info.sequence > last + 1:
            v.warnings.append(f"{key.unit_name}の送付番号{last + 1}〜{info.sequence - 1}が届いていません")
        elif last is not None and info.sequence < last:
            v.warnings.append(f"{key.unit_name}の送付番号{info.sequence}は最後に受け付けた番号{last}より前です")
    return v


def _compare_entries(v: Verification, pkg: CheckedPackage, manifest: dict[str, str], file: str) -> None:
    """Name what differs between the zip's entries and the signed manifest."""
    present = {n for n in pkg.names if n != CUSTOM_PART}
    added, removed = sorted(present - set(manifest)), sorted(set(manifest) - present)
    if added:
        v.problems.append(FileProblem(file, f"署名後に部品が追加されています({'、'.join(added[:5])})"))
    if removed:
        v.problems.append(FileProblem(file, f"署名後に部品が削除または名前変更されています({'、'.join(removed[:5])})"))
    changed = sorted(n for n in present & set(manifest) if pkg.hashes.get(n) != manifest[n])
    if changed:
        v.problems.append(FileProblem(file, f"署名後に内容が変更されています({'、'.join(changed[:5])})"))
    if not v.problems:  # cannot happen (the dicts differed), but never let a difference pass unnamed
        v.problems.append(FileProblem(file, "署名後に内容が変更されています"))


def _aware(t: dt.datetime) -> dt.datetime:
    return t if t.tzinfo else t.astimezone()


def verify_bytes(data: bytes, file: str, trust: TrustStore, *, check_replay: bool = True,
                 limits: ZipLimits = DEFAULT_LIMITS) -> Verification:
    try:
        pkg = open_package(data, file, limits=limits, allow_hyperlinks=True)
    except ExchangeRefused as exc:
        return Verification(file, INVALID, False, problems=exc.problems)
    return verify_package(pkg, file, trust, check_replay=check_replay)


def verify_file(path: str | Path, trust: TrustStore, *, check_replay: bool = True,
                limits: ZipLimits = DEFAULT_LIMITS) -> Verification:
    path = Path(path)
    try:
        data = read_capped(path, limits.max_file_bytes)
    except OSError as exc:
        return Verification(path.name, INVALID, False, problems=[
            FileProblem(path.name, f"ファイルを開けません({exc.strerror or exc})")])
    if data is None:
        return Verification(path.name, INVALID, False, problems=[
            FileProblem(path.name, f"ファイルが大きすぎます(上限 {limits.max_file_bytes >> 20} MiB)")])
    return verify_bytes(data, path.name, trust, check_replay=check_replay, limits=limits)
