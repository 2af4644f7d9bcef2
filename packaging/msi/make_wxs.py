"""Write a wixl-compatible .wxs for a PyInstaller onedir bundle folder.

    python3 packaging/msi/make_wxs.py BUNDLE_DIR OUT.wxs [--version 0.1.0] [--icon resources/teishi.ico]

wixl (Debian msitools) has no harvester that fits a bundle of several hundred files, so this walks the
folder and emits one component per file (the file is its key path: Windows Installer then repairs and
upgrades file by file). Ids and component GUIDs are derived from the file's relative path, so the same
file keeps the same component across versions -- Windows Installer's component rules want exactly that,
and it keeps the generated .wxs diff-able between builds. Standard library only.
"""
from __future__ import annotations

import argparse
import hashlib
import logging
import os
import sys
import uuid
from pathlib import Path
from xml.sax.saxutils import quoteattr

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
import version_info  # noqa: E402  (packaging/version_info.py: the single version)

log = logging.getLogger(__name__)

TEMPLATE = HERE / "teishi.wxs.in"
# Never change: Windows Installer recognises "an older Teishi" by this code (MajorUpgrade).
UPGRADE_CODE = "792DA680-FFB5-48C1-8EEA-BF4FE4F8B9BA"
_GUID_NAMESPACE = uuid.UUID(UPGRADE_CODE)
PRODUCT_NAME = "Teishi"
MANUFACTURER = "Teishi"
EXE_NAME = "teishi.exe"


def _ident(prefix: str, rel: str) -> str:
    # MSI identifiers: letters, digits, '_' and '.', at most 72 characters, not starting with a digit.
    return prefix + hashlib.sha1(rel.encode("utf-8")).hexdigest()[:30]


def _guid(rel: str) -> str:
    # Windows paths are case-insensitive: the same file spelled differently is the same component.
    return str(uuid.uuid5(_GUID_NAMESPACE, "file:" + rel.lower())).upper()


def _source(path: Path, base: Path) -> str:
    # wixl resolves Source/SourceFile relative to the .wxs file's folder and refuses absolute paths.
    return os.path.relpath(path.resolve(), base.resolve())


def _tree(directory: Path, root: Path, base: Path, depth: int, refs: list[str]) -> list[str]:
    pad = "  " * depth
    lines: list[str] = []
    for path in sorted(directory.iterdir(), key=lambda p: p.name):
        rel = path.relative_to(root).as_posix()
        if path.is_symlink():
            raise ValueError(f"{rel}: symbolic links cannot go into an MSI; freeze on Windows")
        if path.is_dir():
            inner = _tree(path, root, base, depth + 1, refs)
            if not inner:
                log.warning("skipping empty folder %s", rel)
                continue
            lines.append(f"{pad}<Directory Id={quoteattr(_ident('d', rel))} Name={quoteattr(path.name)}>")
            lines.extend(inner)
            lines.append(f"{pad}</Directory>")
        elif path.is_file():
            comp = _ident("c", rel)
            refs.append(comp)
            lines.append(f"{pad}<Component Id={quoteattr(comp)} Guid={quoteattr(_guid(rel))} Win64=\"yes\">")
            lines.append(f"{pad}  <File Id={quoteattr(_ident('f', rel))} Name={quoteattr(path.name)} "
                         f"Source={quoteattr(_source(path, base))} KeyPath=\"yes\"/>")
            lines.append(f"{pad}</Component>")
    return lines


def render(bundle: Path, *, version: str, icon: Path, base: Path) -> str:
    """The .wxs text; `base` is the folder the .wxs will be written to (file paths are relative to it)."""
    bundle = Path(bundle)
    if not (bundle / EXE_NAME).is_file():
        raise FileNotFoundError(f"{bundle}: no {EXE_NAME} at the top of the bundle folder")
    refs: list[str] = []
    tree = _tree(bundle, bundle, base, 5, refs)
    fields = {
        "PRODUCT_NAME": PRODUCT_NAME,
        "MANUFACTURER": MANUFACTURER,
        "VERSION": version,
        "MSI_VERSION": version_info.msi_version(version),
        "UPGRADE_CODE": UPGRADE_CODE,
        "SHORTCUT_GUID": _guid("<start menu shortcut>"),
        "EXE_NAME": EXE_NAME,
        "ICON": _source(Path(icon), base),
        "FILE_TREE": "\n".join(tree),
        "COMPONENT_REFS": "\n".join(f"      <ComponentRef Id=\"{r}\"/>" for r in refs),
    }
    text = TEMPLATE.read_text(encoding="utf-8")
    for key, value in fields.items():
        text = text.replace(f"@{key}@", value)
    return text


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("bundle", type=Path)
    ap.add_argument("out", type=Path)
    ap.add_argument("--version", default=None, help="default: pyproject.toml")
    ap.add_argument("--icon", type=Path, default=version_info.ROOT / "resources" / "teishi.ico")
    args = ap.parse_args(argv)
    text = render(args.bundle, version=args.version or version_info.read_version(), icon=args.icon,
                  base=args.out.parent)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    print(args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
