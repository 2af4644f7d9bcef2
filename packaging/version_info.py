"""The one version of Teishi (pyproject.toml) turned into what Windows and the installers need.

pyproject.toml holds the only version number. The PyInstaller spec, the MSI and the NSIS scripts all
read it through this module so that a release bumps one line. Standard library only: the spec runs it
inside PyInstaller, the installer builder runs it on a Linux box without the application installed.

    python3 packaging/version_info.py                 # print the version
    python3 packaging/version_info.py out.txt         # write the PyInstaller VSVersionInfo text
"""
from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = ROOT / "pyproject.toml"

PRODUCT_NAME = "Teishi"
COMPANY_NAME = "Teishi"
FILE_DESCRIPTION = "Teishi 利用停止依頼 作成・確認・集約"
EXE_NAME = "teishi.exe"


def read_version(pyproject: Path = PYPROJECT) -> str:
    with open(pyproject, "rb") as fh:
        return tomllib.load(fh)["project"]["version"]


def version_tuple(version: str) -> tuple[int, int, int, int]:
    """'1.2.3' / '1.2.3rc1' / '1.2' -> (1, 2, 3, 0): Windows and MSI want four (MSI: three) small integers.

    Pre-release and local suffixes are dropped; each field must fit in 16 bits (VERSIONINFO), and MSI
    limits the first two to 255, so we refuse anything outside that rather than build a broken installer.
    """
    m = re.match(r"^\s*(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:\.(\d+))?", version)
    if not m:
        raise ValueError(f"version {version!r} does not start with a number")
    parts = tuple(int(p) if p is not None else 0 for p in m.groups())
    if parts[0] > 255 or parts[1] > 255 or any(p > 65535 for p in parts):
        raise ValueError(f"version {version!r} does not fit a Windows/MSI version (major, minor <= 255)")
    return parts  # type: ignore[return-value]


def msi_version(version: str) -> str:
    """MSI ProductVersion: three fields (the fourth is ignored by MajorUpgrade, so never rely on it)."""
    return ".".join(str(p) for p in version_tuple(version)[:3])


def versioninfo_text(version: str) -> str:
    """The VSVersionInfo structure in the text form PyInstaller's EXE(version=<file>) evaluates."""
    t = version_tuple(version)
    dotted = ".".join(str(p) for p in t)
    strings = {
        "CompanyName": COMPANY_NAME,
        "FileDescription": FILE_DESCRIPTION,
        "FileVersion": dotted,
        "InternalName": "teishi",
        "LegalCopyright": "Proprietary",
        "OriginalFilename": EXE_NAME,
        "ProductName": PRODUCT_NAME,
        "ProductVersion": version,
    }
    string_structs = ",\n            ".join(f"StringStruct({k!r}, {v!r})" for k, v in strings.items())
    # 0x0411 = Japanese, 1200 = Unicode code page; Explorer shows these on the Details tab.
    return f"""# UTF-8
# Generated from pyproject.toml by packaging/version_info.py -- do not edit.
VSVersionInfo(
  ffi=FixedFileInfo(
    filevers={t!r},
    prodvers={t!r},
    mask=0x3f,
    flags=0x0,
    OS=0x40004,
    fileType=0x1,
    subtype=0x0,
    date=(0, 0)
  ),
  kids=[
    StringFileInfo([
      StringTable(
        '041104B0',
        [
            {string_structs}
        ])
    ]),
    VarFileInfo([VarStruct('Translation', [0x0411, 1200])])
  ]
)
"""


def write_versioninfo(path: Path, version: str | None = None) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(versioninfo_text(version or read_version()), encoding="utf-8")
    return path


if __name__ == "__main__":
    if len(sys.argv) > 1:
        print(write_versioninfo(Path(sys.argv[1])))
    else:
        print(read_version())
