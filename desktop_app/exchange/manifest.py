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
_LINES = re.compile(r"([0-9a-f]{64})  ([A-Za-z0-9_.\[\]/-]{1,200})\n")
_LINE_EXTRA = 64 + 2 + 1  # digest, two spaces, line feed
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
    pairs = _LINES.findall(text)
    # Matches never overlap, so when their lengths add up to the whole text they tile it: every line
    # is well formed, found in one pass (the slow loop below only names the culprit).
    if _LINE_EXTRA * len(pairs) + sum(len(name) for _, name in pairs) != len(text):
        for line in text[:-1].split("\n"):
            if not _LINE.fullmatch(line):
                raise ManifestError(f"malformed manifest line {line[:80]!r}")
        raise ManifestError("malformed manifest")
    out = {name: digest for digest, name in pairs}
    names = list(out)
    if len(names) != len(pairs) or names != sorted(names):
        raise ManifestError("manifest has a duplicate line or is not sorted")
    blob = "\n" + "\n".join(names)
    if UNSIGNED_PARTS & out.keys() or "\n/" in blob or (".." in blob and any(".." in n.split("/") for n in names)):
        bad = next(n for n in names if n in UNSIGNED_PARTS or n.startswith("/") or ".." in n.split("/"))
        raise ManifestError(f"bad entry name {bad!r}")
    return out
