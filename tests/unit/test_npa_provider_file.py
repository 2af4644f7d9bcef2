"""The provider file (one line per new account, 都道府県 column, signed), national duplicates,
mistaken requests and the withdrawal list."""
from __future__ import annotations

import minisign
import pytest

from desktop_app.exchange.reader import read_exchange_file
from desktop_app.exchange.verify import StaticTrust, TrustedKey
from desktop_app.npa.services import NpaServices
from desktop_app.services.errors import ServiceError
from desktop_app.signing_keys import PublicKeyInfo
from desktop_app.storage.received_repo import ReceivedRepo


@pytest.fixture
def keypair():
    return minisign.KeyPair.generate()


@pytest.fixture
def npa(blank_ctx, keypair):
    blank_ctx.setup.initialise("npa")
    raw = bytes(keypair.secret_key)
    svc = NpaServices(blank_ctx, secret_key=lambda: minisign.SecretKey.from_bytes(raw))
    return svc


def trust_for(keypair, ident):
    info = PublicKeyInfo.from_minisign(keypair.public_key)
    return StaticTrust().add(TrustedKey(info.key_id, ident.unit_id, ident.unit_name, "npa", None, info.public_key))


def add_file(npa, pref_code, rows, *, seq=1):
    repo = ReceivedRepo(npa.database)
    with npa.database.transaction():
        fid = repo.insert_file({"file_hash": f"h{pref_code}{seq}", "file_name": f"{pref_code}.xlsx", "kind": "hq_daily",
                                "unit_id": f"H{pref_code}", "unit_name": f"HQ{pref_code}", "sequence": seq,
                                "prefecture_code": pref_code, "signed": 1, "status": "imported", "rows": len(rows),
                                "received_at": "2026-11-19T10:00:00+09:00", "received_on": "2026-11-19"})
        repo.insert_rows([{"row_id": rid, "file_id": fid, "position": n, "unit_id": f"H{pref_code}",
                           "account_id_raw": acc, "account_id": acc.lower(), "skeleton": acc.lower().replace("0", "o"),
                           "user_name": "ユーザー", "organization": "=HYPERLINK(\"x\")", "case_type": "特殊詐欺",
                           "station": "中央警察署", "recognized_on": rec, "status": "received", "errors": errors,
                           "received_at": "2026-11-19T10:00:00+09:00", "received_on": "2026-11-19"}
                          for n, (rid, acc, rec, errors) in enumerate(rows, start=1)])


def test_provider_file_has_each_new_account_once_with_all_prefectures(npa, keypair, tmp_path):
    add_file(npa, "27", [("o1", "a1@x.jp", "2026-11-01", 0), ("o2", "a2@x.jp", "2026-11-02", 0),
                         ("o3", "bad@x.jp", "2026-11-02", 1)])
    add_file(npa, "13", [("t1", "A1@x.jp", "2026-10-30", 0), ("t2", "a3@x.jp", "2026-11-03", 0)])
    dups = npa.national.duplicates()
    assert [(d.kind, d.account_id, d.prefectures) for d in dups] == [("same", "a1@x.jp", ["大阪府", "東京都"])]

    res = npa.provider.write(tmp_path / "provider.xlsx", officer_id=None)
    assert (res.accounts, res.rows, res.already_sent, len(res.skipped)) == (3, 4, 0, 1)
    assert res.skipped[0]["account_id"] == "bad@x.jp" and res.withdrawal_path is None

    doc = read_exchange_file(tmp_path / "provider.xlsx", trust_for(keypair, npa.ctx.setup.identity()))
    assert doc.signed and doc.kind == "npa_provider"
    lines = {r.values["account_id"]: r for r in doc.rows}
    assert set(lines) == {"a1@x.jp", "a2@x.jp", "a3@x.jp"}
    # the duplicate: earliest report's cells (東京都, 10-30), both prefectures named
    assert lines["a1@x.jp"].extra["prefecture"] == "東京都・大阪府"
    assert lines["a1@x.jp"].values["recognized_on"] == "2026-10-30"
    assert lines["a2@x.jp"].values["organization"] == "=HYPERLINK(\"x\")"  # inert text, read back as text

    # every usable row is recorded as requested and leaves the open set; the bad row stays
    assert npa.outcomes.repo.sent_row_ids() == {"o1", "o2", "t1", "t2"}
    assert [r["row_id"] for r in npa.national.rows()] == ["o3"]
    with pytest.raises(ServiceError, match="ありません"):
        npa.provider.write(tmp_path / "again.xlsx", officer_id=None)
    assert not (tmp_path / "again.xlsx").exists()


def test_account_already_with_the_provider_is_recorded_not_resent(npa, tmp_path):
    add_file(npa, "27", [("o1", "a1@x.jp", "2026-11-01", 0)])
    npa.provider.write(tmp_path / "p1.xlsx", officer_id=None)
    add_file(npa, "01", [("h1", "a1@x.jp", "2026-11-05", 0), ("h2", "z9@x.jp", "2026-11-05", 0)], seq=1)
    dups = npa.national.duplicates()
    assert any(d.kind == "sent" and d.account_id == "a1@x.jp" for d in dups)
    res = npa.provider.write(tmp_path / "p2.xlsx", officer_id=None)
    assert (res.accounts, res.rows, res.already_sent) == (1, 2, 1)
    assert npa.outcomes.repo.request("h1")["prefecture"] == "北海道"


def test_mistaken_after_sending_goes_on_a_signed_withdrawal_list(npa, keypair, tmp_path):
    add_file(npa, "27", [("o1", "a1@x.jp", "2026-11-01", 0), ("o2", "a2@x.jp", "2026-11-01", 0)])
    add_file(npa, "13", [("t1", "a2@x.jp", "2026-11-01", 0)])
    npa.provider.write(tmp_path / "p1.xlsx", officer_id=None)
    out = npa.national.handle_mistaken(["o1", "o2", "never-sent"], reason="捜査の結果、犯行利用なし", officer_id=None)
    assert out == {"withdraw": ["o1", "o2"], "not_sent": ["never-sent"]}
    w = npa.provider.write_withdrawals(tmp_path / "withdraw.xlsx", officer_id=None)
    doc = read_exchange_file(w.path, trust_for(keypair, npa.ctx.setup.identity()))
    # a2 is still requested by 東京都, so only a1 is withdrawn
    assert [r.values["account_id"] for r in doc.rows] == ["a1@x.jp"]
    assert doc.rows[0].extra["reason"] == "捜査の結果、犯行利用なし"
    assert npa.outcomes.repo.pending_withdrawals() == []
    with pytest.raises(ServiceError, match="誤依頼はありません"):
        npa.provider.write_withdrawals(tmp_path / "w2.xlsx", officer_id=None)


def test_provider_file_carries_pending_withdrawals_along(npa, tmp_path):
    add_file(npa, "27", [("o1", "a1@x.jp", "2026-11-01", 0)])
    npa.provider.write(tmp_path / "p1.xlsx", officer_id=None)
    npa.national.handle_mistaken(["o1"], reason="誤り", officer_id=None)
    add_file(npa, "27", [("o5", "a5@x.jp", "2026-11-01", 0)], seq=2)
    res = npa.provider.write(tmp_path / "p2.xlsx", officer_id=None)
    assert res.accounts == 1 and res.withdrawals == 1
    assert res.withdrawal_path.endswith("p2_取下げ.xlsx")
