"""The signed manifest is parsed strictly: exactly what ``build_manifest`` writes (what ``sha256sum -c``
reads), nothing else. The parser checks all lines with one pattern; these tests pin that it refuses
every deviation the line-by-line rules refuse."""
from __future__ import annotations

import hashlib
import random
import re

import pytest

from desktop_app.exchange.manifest import MAX_MANIFEST_ENTRIES, ManifestError, build_manifest, parse_manifest

H = {name: hashlib.sha256(name.encode()).hexdigest() for name in
     ("[Content_Types].xml", "_rels/.rels", "docProps/app.xml", "teishi/exchange.json", "xl/worksheets/sheet1.xml")}
GOOD = build_manifest(H).decode("ascii")


def _by_the_rules(text: str) -> dict[str, str] | None:
    """The manifest rules written out line by line (the reference the fast parser must agree with)."""
    if not text.endswith("\n"):
        return None
    lines = text[:-1].split("\n")
    if len(lines) > MAX_MANIFEST_ENTRIES:
        return None
    out: dict[str, str] = {}
    for line in lines:
        m = re.fullmatch(r"([0-9a-f]{64})  ([A-Za-z0-9_.\[\]/-]{1,200})", line)
        if not m:
            return None
        digest, name = m.groups()
        if name in out or name == "docProps/custom.xml" or ".." in name.split("/") or name.startswith("/"):
            return None
        out[name] = digest
    return out if list(out) == sorted(out) else None


def _parsed(text: str) -> dict[str, str] | None:
    try:
        return parse_manifest(text)
    except ManifestError:
        return None


def test_a_written_manifest_reads_back():
    assert parse_manifest(GOOD) == H


@pytest.mark.parametrize("text", [
    GOOD[:-1],  # no final line feed
    GOOD.replace("\n", "\r\n"),
    GOOD.upper(),
    GOOD.replace("  ", " ", 1),
    GOOD + "\n",  # a blank line
    "\n",
    "",
    GOOD.replace("_rels/.rels", "../rels"),
    GOOD.replace("_rels/.rels", "/_rels/.rels"),
    GOOD + f"{'0' * 64}  docProps/custom.xml\n",  # the unsigned part may not be listed
    GOOD + GOOD.splitlines(keepends=True)[-1],  # a duplicate
    "".join(reversed(GOOD.splitlines(keepends=True))),  # not sorted
    GOOD.replace("xl/worksheets/sheet1.xml", "xl/worksheets/シート.xml"),
    GOOD.replace("xl/worksheets/sheet1.xml", "xl/work sheets.xml"),
    "".join(f"{'0' * 64}  p{i:04d}\n" for i in range(MAX_MANIFEST_ENTRIES + 1)),
])
def test_every_deviation_is_refused(text):
    with pytest.raises(ManifestError):
        parse_manifest(text)


def test_the_one_pattern_parser_agrees_with_the_line_rules_on_random_damage():
    rnd = random.Random(7)
    alphabet = "0af9 \n\r/._-[]xX.\t"
    for _ in range(3000):
        chars = list(GOOD)
        for _ in range(rnd.randint(1, 3)):
            at = rnd.randrange(len(chars))
            op = rnd.random()
            if op < 0.4:
                chars[at] = rnd.choice(alphabet)
            elif op < 0.7:
                del chars[at]
            else:
                chars.insert(at, rnd.choice(alphabet))
        text = "".join(chars)
        assert _parsed(text) == _by_the_rules(text), repr(text)
