"""The Windows key store (DPAPI) exercised everywhere: the OS call is replaced by a reversible stand-in,
so what Teishi does around it (file name, no passphrase, key pair check, signing) is proven here, and
only the crypt32 call itself is left to the Windows workflow."""
from __future__ import annotations

import minisign
import pytest

from desktop_app import signing_keys
from desktop_app.signing_keys import SECRET_FILE, SECRET_FILE_DPAPI, KeyStore, KeyUnavailable

MASK = 0x5A


def _fake_dpapi(data: bytes, protect: bool) -> bytes:
    # DPAPI output is opaque and bound to the Windows account; a byte mask is opaque enough to prove
    # that nothing readable is stored and that reading goes through the unprotect call.
    return bytes(b ^ MASK for b in data)


@pytest.fixture
def dpapi(monkeypatch):
    calls = []

    def fake(data, protect):
        calls.append(protect)
        return _fake_dpapi(data, protect)

    monkeypatch.setattr(signing_keys, "_dpapi", fake)
    return calls


def _never_asked():
    raise AssertionError("a DPAPI key store must not ask for a passphrase")


def test_windows_key_needs_no_passphrase_and_signs(tmp_path, dpapi):
    store = KeyStore(tmp_path / "keys", _never_asked, protection="dpapi")
    info = store.generate("S27 中央警察署")
    assert store.secret_path.name == SECRET_FILE_DPAPI and not (tmp_path / "keys" / SECRET_FILE).exists()
    assert dpapi == [True]
    stored = store.secret_path.read_bytes()
    assert b"secret key" not in stored  # nothing readable without the Windows account

    message = b"manifest"
    sk = store.secret_key()
    assert dpapi == [True, False]
    signature = sk.sign(message, trusted_comment="unit S27 seq 1")
    pk = minisign.PublicKey.from_base64(info.public_key)
    pk.verify(message, signature)  # raises if the key read back is not the key made


def test_a_key_file_from_another_account_is_refused_with_a_message(tmp_path, monkeypatch):
    calls = {"n": 0}

    def fake(data, protect):
        calls["n"] += 1
        if protect:
            return _fake_dpapi(data, True)
        raise KeyUnavailable("署名鍵をWindowsの保護機能(DPAPI)で扱えませんでした。")

    monkeypatch.setattr(signing_keys, "_dpapi", fake)
    store = KeyStore(tmp_path / "keys", _never_asked, protection="dpapi")
    store.generate()
    with pytest.raises(KeyUnavailable, match="DPAPI"):
        store.secret_key()


def test_windows_key_is_not_replaced(tmp_path, dpapi):
    store = KeyStore(tmp_path / "keys", _never_asked, protection="dpapi")
    first = store.generate()
    with pytest.raises(KeyUnavailable, match="上書きはしません"):
        store.generate()
    assert store.ensure() == first


def test_a_public_key_file_that_does_not_match_is_refused(tmp_path, dpapi):
    store = KeyStore(tmp_path / "keys", _never_asked, protection="dpapi")
    store.generate()
    other = KeyStore(tmp_path / "other", _never_asked, protection="dpapi")
    other.generate()
    store.public_path.write_bytes(other.public_path.read_bytes())  # someone copied the wrong key.pub over
    with pytest.raises(KeyUnavailable, match="一致しません"):
        store.secret_key()
