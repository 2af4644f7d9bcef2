"""The roster: PINs only as salted slow hashes, authentication refused when it should be, all audited."""
from __future__ import annotations

import pytest

from desktop_app import pin as pins
from desktop_app.services.errors import AuthError, ServiceError

# Long and irregular so that it cannot turn up by chance inside a hex hash, a salt or a timestamp.
SECRET_PIN = "739205816403"


def test_pin_never_stored_in_the_database_file(blank_ctx):
    ctx = blank_ctx
    ctx.setup.initialise("station", "27", "中央警察署")
    ctx.officers.add("2001", "高橋次郎", SECRET_PIN)
    ctx.officers.authenticate("2001", SECRET_PIN)
    with pytest.raises(AuthError):
        ctx.officers.authenticate("2001", "739205816404")
    ctx.officers.change_pin(ctx.officers.list()[0].id, "582047391650")
    ctx.close()  # checkpoint the WAL into the main file as well
    data = b"".join(p.read_bytes() for p in sorted(ctx.data_dir.root.rglob("*")) if p.is_file())
    assert b"\xe9\xab\x98\xe6\xa9\x8b" in data  # 高橋 is there: the check looks at the right bytes
    for secret in (SECRET_PIN, "739205816404", "582047391650"):
        assert secret.encode() not in data
        assert secret.encode("utf-16-le") not in data


def test_pin_stored_as_salted_scrypt(station_ctx):
    row = next(station_ctx.database.db["officers"].rows_where("staff_no = ?", ["1001"]))
    scheme, n, r, p, salt, digest = row["pin_hash"].split("$")
    assert scheme == "scrypt" and int(n) >= 2**14
    assert len(bytes.fromhex(salt)) >= 16 and len(bytes.fromhex(digest)) == 32
    assert pins.check_pin("1111", row["pin_hash"]) and not pins.check_pin("1112", row["pin_hash"])


def test_same_pin_gives_different_hashes(blank_ctx):
    a = blank_ctx.officers.add("3001", "甲", SECRET_PIN)
    b = blank_ctx.officers.add("3002", "乙", SECRET_PIN)
    rows = {r["id"]: r["pin_hash"] for r in blank_ctx.database.db["officers"].rows}
    assert rows[a.id] != rows[b.id]
    assert pins.check_pin(SECRET_PIN, rows[a.id]) and pins.check_pin(SECRET_PIN, rows[b.id])


def test_right_pin_authenticates(station_ctx, officers):
    got = station_ctx.officers.authenticate("1002", "2222")
    assert got == officers["1002"]
    # full-width digits from an IME are the same PIN
    assert station_ctx.officers.authenticate("１００２", "２２２２") == officers["1002"]


@pytest.mark.parametrize("staff_no,pin", [
    ("1001", "2222"),  # another officer's PIN
    ("1001", "11111"),
    ("1001", ""),
    ("9999", "1111"),  # no such officer
    ("", ""),
])
def test_wrong_credentials_refused_with_a_japanese_message(station_ctx, staff_no, pin):
    with pytest.raises(AuthError, match="職員番号または暗証番号が違います"):
        station_ctx.officers.authenticate(staff_no, pin)


def test_deactivated_officer_refused(station_ctx, officers):
    station_ctx.officers.set_active(officers["1003"].id, False)
    with pytest.raises(AuthError):
        station_ctx.officers.authenticate("1003", "3333")
    assert "1003" not in {o.staff_no for o in station_ctx.officers.list()}
    assert "1003" in {o.staff_no for o in station_ctx.officers.list(include_inactive=True)}
    station_ctx.officers.set_active(officers["1003"].id, True)
    assert station_ctx.officers.authenticate("1003", "3333").staff_no == "1003"


def test_every_attempt_is_audited(station_ctx, officers):
    audit = station_ctx.audit
    start = len(list(audit.rows(action_prefix="officer.login")))
    station_ctx.officers.authenticate("1001", "1111")
    for staff_no, pin in (("1001", "0000"), ("9999", "1111")):
        with pytest.raises(AuthError):
            station_ctx.officers.authenticate(staff_no, pin)
    station_ctx.officers.set_active(officers["1002"].id, False)
    with pytest.raises(AuthError):
        station_ctx.officers.authenticate("1002", "2222")
    rows = list(audit.rows(action_prefix="officer.login"))[start:]
    assert [r["action"] for r in rows] == ["officer.login", "officer.login_failed", "officer.login_failed",
                                          "officer.login_failed"]
    assert rows[0]["officer_id"] == officers["1001"].id
    assert [r["detail"]["staff_no"] for r in rows] == ["1001", "1001", "9999", "1002"]
    assert all(r["officer_id"] is None for r in rows[1:])  # a failed attempt is nobody's act
    assert rows[1]["entity_id"] == str(officers["1001"].id)
    # the typed PIN is never in the record
    assert all("0000" not in str(r["detail"]) for r in rows)
    assert station_ctx.audit.verify_chain() is None


def test_add_change_pin_and_deactivate_are_audited(station_ctx, officers):
    station_ctx.officers.change_pin(officers["1001"].id, "4444", by=officers["1002"].id)
    station_ctx.officers.set_active(officers["1003"].id, False, by=officers["1001"].id)
    actions = [(r["action"], r["officer_id"], r["entity_id"]) for r in station_ctx.audit.rows(entity_id=None)
               if r["entity"] == "officer"]
    assert ("officer.change_pin", officers["1002"].id, str(officers["1001"].id)) in actions
    assert ("officer.deactivate", officers["1001"].id, str(officers["1003"].id)) in actions
    assert sum(a == "officer.add" for a, _, _ in actions) == 3


def test_changed_pin_replaces_the_old_one(station_ctx, officers):
    station_ctx.officers.change_pin(officers["1001"].id, "4444")
    with pytest.raises(AuthError):
        station_ctx.officers.authenticate("1001", "1111")
    assert station_ctx.officers.authenticate("1001", "4444").staff_no == "1001"


@pytest.mark.parametrize("pin", ["123", "abcd", "12 34", "1234567890123", ""])
def test_weak_or_malformed_pin_refused(blank_ctx, pin):
    with pytest.raises(ServiceError, match="暗証番号は数字4〜12桁"):
        blank_ctx.officers.add("4001", "丙", pin)
    assert blank_ctx.database.db["officers"].count == 0


def test_duplicate_staff_number_refused(station_ctx):
    with pytest.raises(ServiceError, match="1001"):
        station_ctx.officers.add("１００１", "別人", "5555")
    assert len(station_ctx.officers.list()) == 3


@pytest.mark.parametrize("staff_no,name", [("", "山田"), ("5001", "  ")])
def test_staff_number_and_name_required(blank_ctx, staff_no, name):
    with pytest.raises(ServiceError):
        blank_ctx.officers.add(staff_no, name, "1234")


def test_work_meanwhile_runs_during_the_pin_check_and_only_a_right_pin_signs_in(station_ctx, officers):
    import threading

    seen = []

    def meanwhile(officer):
        seen.append((officer.staff_no, threading.current_thread() is threading.main_thread(),
                     any(t.name == "teishi-pin-check" for t in threading.enumerate())))

    assert station_ctx.officers.authenticate("1001", "1111", meanwhile=meanwhile).staff_no == "1001"
    assert seen == [("1001", True, True)]  # on the caller's thread, while the check runs beside it
    with pytest.raises(AuthError):
        station_ctx.officers.authenticate("1001", "9999", meanwhile=meanwhile)
    assert len(seen) == 2  # it ran, and its result must be thrown away: the PIN was wrong
    with pytest.raises(AuthError):
        station_ctx.officers.authenticate("9999", "1111", meanwhile=meanwhile)
    assert len(seen) == 2  # no such officer: nothing to prepare
    actions = [r["action"] for r in station_ctx.audit.rows(action_prefix="officer.login")]
    assert actions[-3:] == ["officer.login", "officer.login_failed", "officer.login_failed"]
