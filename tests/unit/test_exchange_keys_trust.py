"""The unit's key at rest and the receiver's trust list."""
from __future__ import annotations

import os
import stat

import pytest

from desktop_app.exchange.reader import read_exchange_file
from desktop_app.services.errors import ServiceError
from desktop_app.services.trust import TrustService
from desktop_app.signing_keys import KeyUnavailable, PublicKeyInfo, normalize_fingerprint
from tests.fixtures.exchange_files import PASSPHRASE, SAMPLE_VALUES, export_station_file, key_service


def test_key_is_created_once_private_and_encrypted(station_ctx):
    svc = key_service(station_ctx)
    info = svc.ensure(station_ctx.setup.identity())
    assert svc.ensure(station_ctx.setup.identity()) == info  # not replaced on the next need
    secret = svc.store.secret_path
    assert stat.S_IMODE(os.stat(secret).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(secret.parent).st_mode) == 0o700
    assert b"encrypted secret key" in secret.read_bytes()
    assert len(info.key_id) == 16 and len(normalize_fingerprint(info.fingerprint)) == 32
    assert info.fingerprint.count(" ") == 7


def test_wrong_or_missing_passphrase_cannot_sign(station_ctx, officers, tmp_path):
    key_service(station_ctx).ensure(station_ctx.setup.identity())
    with pytest.raises(KeyUnavailable, match="パスフレーズが違います"):
        key_service(station_ctx, "not-the-passphrase").store.secret_key()
    svc = key_service(station_ctx)
    svc.store._passphrase = lambda: None
    with pytest.raises(KeyUnavailable, match="パスフレーズが必要"):
        svc.store.secret_key()


def test_public_key_file_is_plain_minisign(station_ctx, tmp_path):
    svc = key_service(station_ctx)
    svc.ensure(station_ctx.setup.identity())
    info = svc.export_public(tmp_path / "k.pub")
    text = (tmp_path / "k.pub").read_text()
    assert text.startswith("untrusted comment: teishi unit=S27-")
    assert PublicKeyInfo.parse(text).fingerprint == info.fingerprint


@pytest.fixture
def hq_trust(tmp_path):
    from desktop_app.context import AppContext

    ctx = AppContext.open(tmp_path / "hq", log_to_file=False)
    ctx.setup.initialise("hq", "27")
    yield ctx, TrustService(ctx.database)
    ctx.close()


def test_trust_add_requires_the_matching_fingerprint(station_ctx, hq_trust, tmp_path):
    _, trust = hq_trust
    info = key_service(station_ctx).ensure(station_ctx.setup.identity())
    pub = info.file_text()
    with pytest.raises(ServiceError, match="指紋が一致しません"):
        trust.add(pub, "0000 0000 0000 0000 0000 0000 0000 0000")
    # read over the phone: lower case, full-width, hyphens — all fine
    typed = info.fingerprint.lower().replace(" ", "－")
    entry = trust.add(pub, typed, unit_name="大阪府警察本部 中央警察署")
    assert entry.key.unit_id == station_ctx.setup.identity().unit_id and entry.key.prefecture_code == "27"
    with pytest.raises(ServiceError, match="すでに登録"):
        trust.add(pub, info.fingerprint)


def test_registered_station_file_reads_then_revocation_refuses(station_ctx, officers, hq_trust, tmp_path):
    hq, trust = hq_trust
    info = key_service(station_ctx).ensure(station_ctx.setup.identity())
    trust.add(info.file_text(), info.fingerprint)
    path = export_station_file(station_ctx, officers, tmp_path / "s.xlsx").written.path
    doc = read_exchange_file(path, trust, expect_prefecture="27")
    assert len(doc.rows) == len(SAMPLE_VALUES)
    trust.record_sequence(doc.unit_id, doc.sequence, file_sha256=doc.file_sha256, batch_id=doc.batch_id, kind=doc.kind)
    from desktop_app.exchange.errors import ExchangeRefused

    with pytest.raises(ExchangeRefused, match="すでに受け付けています"):
        read_exchange_file(path, trust)
    trust.revoke(info.key_id, reason="端末の紛失")
    with pytest.raises(ExchangeRefused) as err:
        read_exchange_file(path, trust, check_replay=False)
    assert err.value.signature == "revoked"
    assert [e.status_label for e in trust.entries()] == ["失効"]


def test_new_key_supersedes_and_retires_the_old(station_ctx, hq_trust, tmp_path):
    _, trust = hq_trust
    old = key_service(station_ctx).ensure(station_ctx.setup.identity())
    trust.add(old.file_text(), old.fingerprint)
    from desktop_app.signing_keys import KeyStore

    new = KeyStore(tmp_path / "newkeys", lambda: PASSPHRASE, protection="passphrase",
                   kdf_limits=(32768, 8 << 20)).generate(f"teishi unit={station_ctx.setup.identity().unit_id} tier=station pref=27")
    trust.add(new.file_text(), new.fingerprint, supersedes=old.key_id)
    status = {e.key.key_id: e.key.status for e in trust.entries()}
    assert status == {old.key_id: "retired", new.key_id: "active"}
