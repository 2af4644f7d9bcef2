"""Japanese wording for the operating-system errors an officer meets when opening a file.

Python's ``strerror`` is English on Windows ("Permission denied"); the commonest cause at a police PC
is the file still being open in Excel, which Windows reports as a sharing violation (EACCES).
"""
from __future__ import annotations

import errno
from pathlib import Path

_MESSAGES = {
    errno.ENOENT: "ファイルが見つかりません",
    errno.EACCES: "アクセスできません。Excelなどほかのプログラムで開いている場合は閉じてから、もう一度操作してください"
                  "(閉じても同じ場合は、この場所を使う権限がありません)",
    errno.EPERM: "この場所を使う権限がありません",
    errno.EISDIR: "フォルダです。ファイルを指定してください",
    errno.ENOTDIR: "保存先のフォルダ名が、すでにあるファイルと重なっています",
    errno.EEXIST: "保存先のフォルダ名が、すでにあるファイルと重なっています",
    errno.ENOSPC: "ディスクの空きが足りません",
    errno.EROFS: "書き込みできない場所です(読み取り専用)",
    errno.ENAMETOOLONG: "ファイルの場所(パス)が長すぎます。短いフォルダに移してください",
    errno.EIO: "ファイルを読み書きできません(媒体の故障や取り外しの可能性があります)",
}


def describe_os_error(exc: OSError) -> str:
    """A sentence for the officer; the technical text stays in parentheses for the administrator."""
    text = _MESSAGES.get(exc.errno or -1)
    detail = exc.strerror or exc.__class__.__name__
    return f"{text}({detail})" if text else f"ファイルを扱えません({detail})"


class FileWriteError(OSError):
    """Writing ``path`` failed; ``str()`` is the sentence for the officer, naming the file they chose
    (not the temporary file the atomic write was using)."""

    def __init__(self, path: str | Path, cause: OSError):
        super().__init__(cause.errno, cause.strerror, str(path))
        self.message = f"ファイル「{Path(path).name}」を書き出せませんでした: {describe_os_error(cause)}(保存先: {Path(path).parent})"

    def __str__(self) -> str:
        return self.message


def user_message(exc: BaseException) -> str:
    """What to show for an error caught around a file operation: our own messages as they are, a bare
    OSError as a Japanese sentence naming the file it concerns."""
    if isinstance(exc, OSError) and not isinstance(exc, FileWriteError):
        where = f"「{Path(exc.filename).name}」: " if exc.filename else ""
        return where + describe_os_error(exc)
    return str(exc)
