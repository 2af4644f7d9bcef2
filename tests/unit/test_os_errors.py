"""Operating-system errors reach the officer as Japanese sentences that name their file."""
from __future__ import annotations

import errno

from desktop_app.os_errors import FileWriteError, describe_os_error


def test_a_file_open_in_excel_says_so():
    text = describe_os_error(PermissionError(errno.EACCES, "Permission denied", r"C:\送付\to hq.xlsx"))
    assert "Excel" in text and "閉じて" in text and "Permission denied" in text


def test_unknown_errors_still_get_a_japanese_sentence():
    assert describe_os_error(OSError(errno.EOVERFLOW, "Value too large")).startswith("ファイルを扱えません")


def test_a_failed_write_names_the_chosen_file_not_the_temporary_one():
    cause = PermissionError(errno.EACCES, "Permission denied", r"D:\.to hq.xlsx.abc123.tmp")
    exc = FileWriteError(r"D:/to hq.xlsx", cause)
    assert isinstance(exc, OSError) and exc.errno == errno.EACCES
    assert str(exc).startswith("ファイル「to hq.xlsx」を書き出せませんでした")
    assert ".tmp" not in str(exc)


def test_user_message_names_the_file_of_a_bare_os_error():
    from desktop_app.os_errors import user_message
    from desktop_app.services.errors import ServiceError

    exc = PermissionError(errno.EACCES, "Permission denied", "/media/usb/統計.xlsx")
    assert user_message(exc).startswith("「統計.xlsx」: アクセスできません")
    assert user_message(ServiceError("送付できる行がありません")) == "送付できる行がありません"
    write = FileWriteError("/media/usb/to hq.xlsx", exc)
    assert user_message(write) == str(write)
