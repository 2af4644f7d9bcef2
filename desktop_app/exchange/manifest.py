"""The package manifest: ``sha256hex  entry-name`` for every zip entry except ``docProps/custom.xml``.

The format is exactly what ``sha256sum -c`` reads (two spaces, one line per entry, sorted by name,
LF line ends, trailing LF), so a third party checks the extracted package with stock tools.
"""
from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping

from desktop_app.exchange.workbook_writer import CUSTOM_PART

UNSIGNED_PARTS = frozenset({CUSTOM_PART})
_LINE = re.compile(r"([0-9a-f]{64})  ([A-Za-z0-9_.\[\]/-]{1,200})")
_WHOLE = re.compile(r"(?:[0-9a-f]{64}  [A-Za-z0-9_.\[\]/-]{1,200}\n)+")
_LINES = re.compile(r"([0-9a-f]{64})  ([A-Za-z0-9_.\[\]/-]{1,200})\n")
MAX_MANIFEST_ENTRIES = 200


class ManifestError(ValueError):
    pass


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def build_manifest(hashes: Mapping[str, str]) -> bytes:
    names = sorted(n for n in hashes if n not in UNSIGNED_PARTS)
    return "".join(f"{hashes[n]}  {n}\n" for n in names).encode("ascii")


def manifest_for(entries: Iterable[tuple[str, bytes]]) -> bytes:
    return build_manifest({name: sha256_hex(data) for name, data in entries})


def parse_manifest(text: str) -> dict[str, str]:
    """Strictly parse a manifest; any deviation from what ``build_manifest`` writes is an error."""
    if not text.endswith("\n"):
        raise ManifestError("manifest does not end with a line feed")
    if text.count("\n") > MAX_MANIFEST_ENTRIES:
        raise ManifestError("too many manifest lines")
    if not _WHOLE.fullmatch(text):  # one pass for every line; the slow loop below only names the culprit
        for line in text[:-1].split("\n"):
            if not _LINE.fullmatch(line):
                raise ManifestError(f"malformed manifest line {line[:80]!r}")
        raise ManifestError("malformed manifest")
    out: dict[str, str] = {}
    for digest, name in _LINES.findall(text):
        if name in out or name in UNSIGNED_PARTS or ".." in name.split("/") or name.startswith("/"):
            raise ManifestError(f"bad entry name {name!r}")
        out[name] = digest
    if list(out) != sorted(out):
        raise ManifestError("manifest not sorted")
    return out
