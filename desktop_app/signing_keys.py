"""This unit's Ed25519 signing key: created on the PC, never leaves it, protected at rest.

Where: ``DataDir.keys`` (``signing.pub`` is the minisign public key file; the secret is
``signing.key.dpapi`` on Windows or ``signing.key`` elsewhere), directory 0700, files 0600.

Protection, decided:
- **Windows (the production platform): DPAPI** (``CryptProtectData`` through ctypes, user scope).
  The key is bound to the Windows account on this PC: copying the file elsewhere yields nothing,
  and officers are not asked for yet another secret at every export (a passphrase typed daily at a
  station is soon written on a sticky note). The minisign secret key is stored unencrypted *inside*
  the DPAPI blob.
- **Elsewhere (Linux test and CI machines): a passphrase**, using minisign's own scrypt encryption,
  so ``signing.key`` is a standard encrypted minisign key (``minisign -S -s signing.key`` works).
  The passphrase comes from a callback (the GUI asks), or the ``TEISHI_KEY_PASSPHRASE`` environment
  variable for the CLI and for tests. Tests may lower the scrypt cost through ``kdf_limits``.

Fingerprint: the minisign key id (16 hex digits, what ``minisign`` prints) identifies the key, but it
is random, not derived from the key, so the fingerprint read over the phone is
SHA-256(public key line) cut to 128 bits, in eight groups of four hex digits.
"""
from __future__ import annotations

import base64
import hashlib
import logging
import os
import re
import sys
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import minisign

from desktop_app.services.errors import ServiceError

log = logging.getLogger(__name__)

PASSPHRASE_ENV = "TEISHI_KEY_PASSPHRASE"
MIN_PASSPHRASE = 8
PUBLIC_FILE = "signing.pub"
SECRET_FILE = "signing.key"
SECRET_FILE_DPAPI = "signing.key.dpapi"


class KeyUnavailable(ServiceError):
    """No key yet, a locked key without its passphrase, or a key file that cannot be read."""


# ---- fingerprints ----------------------------------------------------------------------------
def fingerprint(public_key_b64: str) -> str:
    digest = hashlib.sha256(public_key_b64.strip().encode("ascii")).hexdigest().upper()[:32]
    return " ".join(digest[i:i + 4] for i in range(0, 32, 4))


def normalize_fingerprint(text: str) -> str:
    """What a person typed or read back: full-width, spaces and hyphens do not matter."""
    s = unicodedata.normalize("NFKC", text or "").upper()
    return re.sub(r"[^0-9A-F]", "", s)


@dataclass(frozen=True)
class PublicKeyInfo:
    key_id: str  # 16 upper-case hex digits, as minisign prints it
    public_key: str  # the base64 line of the minisign public key
    fingerprint: str  # "3F2A 91C0 …" (8 groups)
    comment: str = ""

    @classmethod
    def from_minisign(cls, pk: minisign.PublicKey) -> "PublicKeyInfo":
        b64 = pk.to_base64().decode("ascii")
        return cls(key_id=key_id_of(b64), public_key=b64, fingerprint=fingerprint(b64),
                   comment=pk.untrusted_comment or "")

    @classmethod
    def parse(cls, text: str | bytes) -> "PublicKeyInfo":
        """Read a minisign public key file (two lines) or a bare base64 key line."""
        if isinstance(text, bytes):
            text = text.decode("ascii", errors="replace")
        lines = [ln.strip() for ln in text.strip().splitlines() if ln.strip()]
        try:
            if len(lines) == 2 and lines[0].startswith("untrusted comment:"):
                pk = minisign.PublicKey.from_bytes(("\n".join(lines)).encode("ascii"))
            elif len(lines) == 1:
                pk = minisign.PublicKey.from_base64(lines[0])
            else:
                raise ValueError
        except (ValueError, minisign.Error, UnicodeEncodeError):
            raise ServiceError("公開鍵として読めません(minisign形式の公開鍵ファイルを指定してください)") from None
        return cls.from_minisign(pk)

    def minisign_key(self) -> minisign.PublicKey:
        return minisign.PublicKey.from_base64(self.public_key)

    def file_text(self) -> str:
        comment = self.comment or f"minisign public key {self.key_id}"
        return f"untrusted comment: {comment}\n{self.public_key}\n"


def key_id_of(public_key_b64: str) -> str:
    raw = base64.b64decode(public_key_b64)
    return raw[2:10][::-1].hex().upper()  # minisign prints the little-endian key id


# ---- DPAPI (Windows) -------------------------------------------------------------------------
def _dpapi(data: bytes, protect: bool) -> bytes:  # pragma: no cover - Windows only
    import ctypes
    from ctypes import wintypes

    class Blob(ctypes.Structure):
        _fields_ = [("cbData", wintypes.DWORD), ("pbData", ctypes.POINTER(ctypes.c_char))]

    crypt32, kernel32 = ctypes.windll.crypt32, ctypes.windll.kernel32
    buf = ctypes.create_string_buffer(data, len(data))
    blob_in = Blob(len(data), ctypes.cast(buf, ctypes.POINTER(ctypes.c_char)))
    blob_out = Blob()
    entropy = b"Teishi signing key"
    ebuf = ctypes.create_string_buffer(entropy, len(entropy))
    blob_entropy = Blob(len(entropy), ctypes.cast(ebuf, ctypes.POINTER(ctypes.c_char)))
    CRYPTPROTECT_UI_FORBIDDEN = 0x1
    fn = crypt32.CryptProtectData if protect else crypt32.CryptUnprotectData
    args = (ctypes.byref(blob_in), "Teishi" if protect else None, ctypes.byref(blob_entropy), None, None,
            CRYPTPROTECT_UI_FORBIDDEN, ctypes.byref(blob_out))
    if protect:
        ok = fn(*args)
    else:
        ok = fn(ctypes.byref(blob_in), None, ctypes.byref(blob_entropy), None, None,
                CRYPTPROTECT_UI_FORBIDDEN, ctypes.byref(blob_out))
    if not ok:
        raise KeyUnavailable("署名鍵をWindowsの保護機能(DPAPI)で扱えませんでした。"
                             "鍵を作成したWindowsアカウントでサインインしているか確認してください")
    try:
        return ctypes.string_at(blob_out.pbData, blob_out.cbData)
    finally:
        kernel32.LocalFree(blob_out.pbData)


# ---- the key store ---------------------------------------------------------------------------
def _write_private(path: Path, data: bytes) -> None:
    """Create the file readable by this OS user only, then move it into place."""
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    try:
        os.chmod(path, 0o600)  # on Windows only the read-only bit is honoured; DPAPI does the work
    except OSError:
        log.warning("could not restrict permissions of %s", path)


class KeyStore:
    def __init__(self, directory: Path, passphrase: Callable[[], str | None] | None = None, *,
                 protection: str = "auto", kdf_limits: tuple[int, int] | None = None):
        self.directory = Path(directory)
        self._passphrase = passphrase or (lambda: os.environ.get(PASSPHRASE_ENV))
        if protection == "auto":
            protection = "dpapi" if sys.platform == "win32" else "passphrase"
        if protection not in ("dpapi", "passphrase"):
            raise ValueError(protection)
        self.protection = protection
        self._kdf = kdf_limits

    @property
    def public_path(self) -> Path:
        return self.directory / PUBLIC_FILE

    @property
    def secret_path(self) -> Path:
        return self.directory / (SECRET_FILE_DPAPI if self.protection == "dpapi" else SECRET_FILE)

    def exists(self) -> bool:
        return self.public_path.exists() and self.secret_path.exists()

    def generate(self, comment: str = "") -> PublicKeyInfo:
        """Create the unit's key pair; refuses to overwrite an existing key."""
        if self.secret_path.exists():
            raise KeyUnavailable("署名鍵はすでにあります(上書きはしません)")
        self.directory.mkdir(parents=True, exist_ok=True)
        try:
            os.chmod(self.directory, 0o700)
        except OSError:
            pass
        kp = minisign.KeyPair.generate()
        sk = kp.secret_key
        if self.protection == "dpapi":
            _write_private(self.secret_path, _dpapi(bytes(sk), protect=True))
        else:
            phrase = self._passphrase()
            if not phrase or len(phrase) < MIN_PASSPHRASE:
                raise KeyUnavailable(f"署名鍵を保護するパスフレーズ({MIN_PASSPHRASE}文字以上)が必要です"
                                     f"(環境変数 {PASSPHRASE_ENV} でも指定できます)")
            if self._kdf:
                sk.encrypt(phrase, opslimit=self._kdf[0], memlimit=self._kdf[1])
            else:
                sk.encrypt(phrase)
            _write_private(self.secret_path, bytes(sk) + b"\n")
        sk.wipe()
        pk = kp.public_key
        safe_comment = "".join(c for c in comment if " " <= c < "\x7f") or "teishi public key"
        pk.untrusted_comment = f"{safe_comment} key {key_id_of(pk.to_base64().decode())}"
        _write_private(self.public_path, bytes(pk) + b"\n")
        info = PublicKeyInfo.from_minisign(pk)
        log.info("generated signing key %s (%s protection)", info.key_id, self.protection)
        return info

    def ensure(self, comment: str = "") -> PublicKeyInfo:
        return self.info() if self.exists() else self.generate(comment)

    def info(self) -> PublicKeyInfo:
        if not self.public_path.exists():
            raise KeyUnavailable("この端末の署名鍵がまだありません(初回の送付時、または鍵画面で作成されます)")
        return PublicKeyInfo.parse(self.public_path.read_text(encoding="ascii", errors="replace"))

    def secret_key(self) -> minisign.SecretKey:
        """The decrypted secret key; wipe it after use (it is a context manager)."""
        if not self.secret_path.exists():
            raise KeyUnavailable("この端末の署名鍵がありません")
        data = self.secret_path.read_bytes()
        if self.protection == "dpapi":
            sk = minisign.SecretKey.from_bytes(_dpapi(data, protect=False))
        else:
            sk = minisign.SecretKey.from_bytes(data)
            phrase = self._passphrase()
            if not phrase:
                raise KeyUnavailable(f"署名鍵のパスフレーズが必要です(環境変数 {PASSPHRASE_ENV} でも指定できます)")
            try:
                sk.decrypt(phrase)
            except minisign.Error:
                raise KeyUnavailable("署名鍵のパスフレーズが違います") from None
        if sk.get_public_key().to_base64().decode() != self.info().public_key:
            raise KeyUnavailable("署名鍵と公開鍵の組み合わせが一致しません。鍵フォルダを確認してください")
        return sk
