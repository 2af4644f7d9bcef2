"""Signing a workbook package: minisign signature over the manifest, kept in ``docProps/custom.xml``.

Why this scheme (see shared/signing.md): one Ed25519 signature covers every byte of every part but
``docProps/custom.xml`` (which carries the manifest and the signature as two custom document
properties), so any change — a cell, a style, a hidden sheet, a comment, a re-save by any program —
breaks it, while the user still handles a single ``.xlsx``. The minisign format lets anyone verify with
``minisign -V``; the trusted comment (covered by the global signature) carries unit, sequence, row
count, document kind and format version so they cannot be swapped between files.

``docProps/custom.xml`` is written last. Every hashed part that refers to it ([Content_Types].xml,
_rels/.rels) is final before the manifest is built, so the custom part is the only one left out.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

import minisign

from desktop_app.exchange.manifest import manifest_for
from desktop_app.exchange.workbook_writer import CUSTOM_PART, Package
from desktop_app.os_errors import FileWriteError

log = logging.getLogger(__name__)

FORMAT_VERSION = 1
MANIFEST_PROPERTY = "TeishiManifest"
SIGNATURE_PROPERTY = "TeishiSignature"
CUSTOM_NS = "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"
VT_NS = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"
PROPERTY_FMTID = "{D5CDD505-2E9C-101B-9397-08002B2CF9AE}"
COMMENT_PREFIX = "teishi-exchange"


@dataclass(frozen=True)
class SignInfo:
    """What the trusted comment asserts (ASCII only: minisign comments are ASCII)."""

    kind: str
    unit_id: str
    sequence: int
    rows: int
    batch_id: str
    signed_at: dt.datetime
    format_version: int = FORMAT_VERSION

    def trusted_comment(self) -> str:
        stamp = self.signed_at.isoformat(timespec="seconds")
        return (f"{COMMENT_PREFIX} format={self.format_version} kind={self.kind} unit={self.unit_id} "
                f"seq={self.sequence} rows={self.rows} batch={self.batch_id} signed={stamp}")

    @classmethod
    def parse(cls, comment: str) -> "SignInfo":
        parts = comment.split(" ")
        if not parts or parts[0] != COMMENT_PREFIX:
            raise ValueError("not a Teishi trusted comment")
        kv = dict(p.split("=", 1) for p in parts[1:] if "=" in p)
        try:
            return cls(kind=kv["kind"], unit_id=kv["unit"], sequence=int(kv["seq"]), rows=int(kv["rows"]),
                       batch_id=kv["batch"], signed_at=dt.datetime.fromisoformat(kv["signed"]),
                       format_version=int(kv["format"]))
        except (KeyError, ValueError) as exc:
            raise ValueError(f"incomplete trusted comment: {exc}") from None


def custom_xml(manifest: str, signature: str) -> bytes:
    def prop(pid: int, name: str, value: str) -> str:
        return (f'<property fmtid="{PROPERTY_FMTID}" pid="{pid}" name="{name}">'
                f"<vt:lpwstr>{escape(value)}</vt:lpwstr></property>")

    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<Properties xmlns="{CUSTOM_NS}" xmlns:vt="{VT_NS}">'
        f"{prop(2, MANIFEST_PROPERTY, manifest)}{prop(3, SIGNATURE_PROPERTY, signature)}</Properties>"
    ).encode("utf-8")


def sign_package(package: Package, secret_key: minisign.SecretKey, info: SignInfo) -> bytes:
    """Return ``docProps/custom.xml`` holding the manifest of ``package`` and its minisignature."""
    manifest = manifest_for(package.entries)
    sig = secret_key.sign(manifest, prehash=True, untrusted_comment=f"teishi signature from unit {info.unit_id}",
                          trusted_comment=info.trusted_comment())
    return custom_xml(manifest.decode("ascii"), bytes(sig).decode("ascii") + "\n")


def write_zip_atomic(path: Path, entries: list[tuple[str, bytes]], *, when: dt.datetime) -> str:
    """Write the zip to a temp file beside ``path`` and move it into place; returns the file's sha256."""
    path = Path(path)
    try:
        return _write_zip_atomic(path, entries, when)
    except OSError as exc:  # a full or write-protected stick, a file open in Excel: name the file chosen
        raise FileWriteError(path, exc) from exc


def _write_zip_atomic(path: Path, entries: list[tuple[str, bytes]], when: dt.datetime) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    stamp = when.timetuple()[:6]
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            with zipfile.ZipFile(fh, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as zf:
                for name, data in entries:
                    info = zipfile.ZipInfo(name, date_time=stamp)
                    info.compress_type = zipfile.ZIP_DEFLATED
                    info.external_attr = 0o600 << 16
                    zf.writestr(info, data)
            fh.flush()
            os.fsync(fh.fileno())
        digest = hashlib.sha256(Path(tmp).read_bytes()).hexdigest()
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    log.info("wrote %s (%s)", path, digest[:16])
    return digest


def write_signed(path: Path, package: Package, secret_key: minisign.SecretKey, info: SignInfo) -> str:
    entries = list(package.entries) + [(CUSTOM_PART, sign_package(package, secret_key, info))]
    return write_zip_atomic(path, entries, when=info.signed_at)
