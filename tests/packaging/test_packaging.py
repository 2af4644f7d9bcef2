"""What can be proven about the Windows release on Linux.

- The version resource, the MSI and the NSIS installer all carry the one version in pyproject.toml.
- The installer scripts build an MSI and an NSIS installer around a small stand-in payload, and the
  results are what IT deploys: a per-machine x64 MSI whose tables hold the upgrade rule, the Start-menu
  shortcut and every payload file byte for byte; a 64-bit Windows NSIS executable; a SHA256SUMS that
  verifies and catches a changed byte; Authenticode signatures that verify when a certificate is given.
- The PyInstaller spec freezes the application (slow: about a minute), and the frozen program answers
  --version and passes --smoke offscreen without writing into its own folder.

The Windows bundle itself is frozen and smoke-tested on a Windows runner (.github/workflows/windows.yml).
"""
from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGING = ROOT / "packaging"
sys.path.insert(0, str(PACKAGING))

import build_installers  # noqa: E402
import version_info  # noqa: E402
from msi import make_wxs  # noqa: E402

PYPROJECT_VERSION = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]


def _need(*tools: str) -> None:
    missing = [t for t in tools if shutil.which(t) is None]
    if missing:
        pytest.skip(f"{', '.join(missing)} not installed (Debian: apt-get install wixl msitools nsis "
                    f"osslsigncode file; .ci/run installs them)")


def _msi_table(msi: Path, table: str) -> list[dict[str, str]]:
    text = subprocess.run(["msiinfo", "export", str(msi), table], check=True, capture_output=True,
                          text=True).stdout
    lines = text.splitlines()
    header = lines[0].split("\t")
    return [dict(zip(header, ln.split("\t"))) for ln in lines[3:]]


@pytest.fixture
def payload(tmp_path) -> Path:
    """A stand-in bundle shaped like PyInstaller's: teishi.exe plus _internal/ with nested folders."""
    root = tmp_path / "bundle"
    (root / "_internal" / "PySide6" / "Qt" / "plugins" / "platforms").mkdir(parents=True)
    (root / "_internal" / "resources").mkdir(parents=True)
    (root / "teishi.exe").write_bytes(b"MZ stand-in executable")
    (root / "_internal" / "python311.dll").write_bytes(os.urandom(4096))
    (root / "_internal" / "PySide6" / "Qt" / "plugins" / "platforms" / "qwindows.dll").write_bytes(b"q" * 100)
    (root / "_internal" / "resources" / "prefectures.json").write_text('{"01": "北海道"}', encoding="utf-8")
    (root / "_internal" / "a folder with spaces").mkdir()
    (root / "_internal" / "a folder with spaces" / "long_file_name_beyond_eight_dot_three.pyd").write_bytes(b"x")
    return root


# ---- the version ---------------------------------------------------------------------------------
def test_versions_come_from_pyproject():
    assert version_info.read_version() == PYPROJECT_VERSION
    assert version_info.version_tuple("1.2.3") == (1, 2, 3, 0)
    assert version_info.version_tuple("2.0rc1") == (2, 0, 0, 0)
    assert version_info.msi_version("1.2.3.4") == "1.2.3"
    with pytest.raises(ValueError):
        version_info.version_tuple("256.0.0")  # MSI refuses a major version above 255
    with pytest.raises(ValueError):
        version_info.version_tuple("v1")


def test_windows_version_resource_carries_the_pyproject_version():
    # PyInstaller eval()s this text into VSVersionInfo on Windows; stand-ins record what it builds.
    made: dict[str, object] = {}

    def rec(name):
        def build(*args, **kwargs):
            made.setdefault(name, []).append((args, kwargs))
            return (name, args, kwargs)
        return build

    names = ["VSVersionInfo", "FixedFileInfo", "StringFileInfo", "StringTable", "StringStruct", "VarFileInfo",
             "VarStruct"]
    eval(version_info.versioninfo_text("3.4.5"), {n: rec(n) for n in names})  # noqa: S307 (our own text)
    ffi = made["FixedFileInfo"][0][1]
    assert ffi["filevers"] == ffi["prodvers"] == (3, 4, 5, 0)
    strings = {args[0]: args[1] for args, _ in made["StringStruct"]}
    assert strings["ProductVersion"] == "3.4.5"
    assert strings["FileVersion"] == "3.4.5.0"
    assert strings["OriginalFilename"] == "teishi.exe"


# ---- MSI source ------------------------------------------------------------------------------------
def test_component_guids_are_stable_across_builds(payload, tmp_path):
    # Windows Installer's component rules: the same file must keep the same component GUID in every
    # version, or upgrades leave files behind / remove shared ones.
    first = make_wxs.render(payload, version="1.0.0", icon=ROOT / "resources" / "teishi.ico", base=tmp_path)
    (payload / "_internal" / "new_in_v2.dll").write_bytes(b"new")
    second = make_wxs.render(payload, version="1.1.0", icon=ROOT / "resources" / "teishi.ico", base=tmp_path)
    guid = make_wxs._guid("_internal/python311.dll")
    assert guid in first and guid in second
    assert make_wxs.UPGRADE_CODE in first and make_wxs.UPGRADE_CODE in second
    assert "new_in_v2.dll" in second and "new_in_v2.dll" not in first


def test_make_wxs_refuses_a_folder_that_is_not_a_bundle(tmp_path):
    (tmp_path / "something.txt").write_text("x")
    with pytest.raises(FileNotFoundError, match="teishi.exe"):
        make_wxs.render(tmp_path, version="1.0.0", icon=ROOT / "resources" / "teishi.ico", base=tmp_path)


# ---- installers around a stand-in payload -----------------------------------------------------------
def test_installers_build_and_are_valid(payload, tmp_path):
    _need("wixl", "msiinfo", "msiextract", "makensis", "file")
    out = tmp_path / "installers"
    built = build_installers.build(payload, out)
    msi = out / f"teishi-{PYPROJECT_VERSION}-x64.msi"
    exe = out / f"teishi-{PYPROJECT_VERSION}-setup.exe"
    assert built == [msi, exe, out / "SHA256SUMS"]

    # MSI: per-machine x64 package with the pyproject version and the fixed UpgradeCode.
    suminfo = subprocess.run(["msiinfo", "suminfo", str(msi)], check=True, capture_output=True, text=True).stdout
    assert "Template: x64;" in suminfo
    props = {r["Property"]: r["Value"] for r in _msi_table(msi, "Property")}
    assert props["ProductVersion"] == version_info.msi_version(PYPROJECT_VERSION)
    assert props["UpgradeCode"] == "{" + make_wxs.UPGRADE_CODE + "}"
    assert props["ALLUSERS"] == "1"
    assert props["ProductName"] == "Teishi"
    # MajorUpgrade: older versions are found and removed, newer ones block a downgrade.
    upgrade = _msi_table(msi, "Upgrade")
    assert {r["UpgradeCode"] for r in upgrade} == {"{" + make_wxs.UPGRADE_CODE + "}"}
    assert {r["ActionProperty"] for r in upgrade} == {"WIX_UPGRADE_DETECTED", "WIX_DOWNGRADE_DETECTED"}
    sequence = {r["Action"] for r in _msi_table(msi, "InstallExecuteSequence")}
    assert {"FindRelatedProducts", "RemoveExistingProducts", "CreateShortcuts"} <= sequence
    # Start-menu shortcut to the program, and 64-bit components in Program Files (64-bit).
    (shortcut,) = _msi_table(msi, "Shortcut")
    assert shortcut["Directory_"] == "ProgramMenuFolder"
    assert shortcut["Target"] == "[INSTALLDIR]teishi.exe"
    dirs = {r["Directory"]: r for r in _msi_table(msi, "Directory")}
    assert dirs["INSTALLDIR"]["Directory_Parent"] == "ProgramFiles64Folder"
    assert all(int(r["Attributes"]) & 256 for r in _msi_table(msi, "Component"))  # msidbComponentAttributes64bit
    # Every payload file is in it, byte for byte.
    extracted = tmp_path / "extracted"
    extracted.mkdir()
    subprocess.run(["msiextract", "-C", str(extracted), str(msi)], check=True, capture_output=True)
    installed = extracted / "Teishi"
    want = sorted(p.relative_to(payload) for p in payload.rglob("*") if p.is_file())
    got = sorted(p.relative_to(installed) for p in installed.rglob("*") if p.is_file())
    assert got == want
    for rel in want:
        assert (installed / rel).read_bytes() == (payload / rel).read_bytes()

    # NSIS: a 64-bit Windows executable.
    kind = subprocess.run(["file", "-b", str(exe)], check=True, capture_output=True, text=True).stdout
    assert "PE32+ executable" in kind and "MS Windows" in kind and "x86-64" in kind

    # SHA256SUMS verifies, and a single changed byte is caught.
    assert subprocess.run(["sha256sum", "-c", "SHA256SUMS"], cwd=out, capture_output=True).returncode == 0
    lines = (out / "SHA256SUMS").read_text().splitlines()
    assert [ln.split("  ")[1] for ln in lines] == [msi.name, exe.name]
    assert lines[0].split("  ")[0] == hashlib.sha256(msi.read_bytes()).hexdigest()
    data = bytearray(exe.read_bytes())
    data[-1] ^= 1
    exe.write_bytes(bytes(data))
    assert subprocess.run(["sha256sum", "-c", "SHA256SUMS"], cwd=out, capture_output=True).returncode != 0


def _self_signed_pfx(tmp_path: Path, password: str) -> tuple[Path, Path]:
    import datetime as dt

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.hazmat.primitives.serialization import pkcs12
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Teishi test code signing")])
    now = dt.datetime.now(dt.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=30))
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CODE_SIGNING]), critical=False)
            .sign(key, hashes.SHA256()))
    pfx = tmp_path / "codesign.pfx"
    pfx.write_bytes(pkcs12.serialize_key_and_certificates(
        b"teishi", key, cert, None, serialization.BestAvailableEncryption(password.encode())))
    pem = tmp_path / "codesign.pem"
    pem.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return pfx, pem


def test_signed_installers_verify(payload, tmp_path, monkeypatch):
    _need("wixl", "msiextract", "makensis", "osslsigncode")
    # A real PE as the stand-in program, so that signing it is meaningful: a tiny NSIS executable.
    pe_dir = tmp_path / "pe"
    pe_dir.mkdir()
    (pe_dir / "teishi.exe").write_bytes(b"MZ")
    build_installers.build(pe_dir, tmp_path / "pe-out", msi=False)
    shutil.copy(tmp_path / "pe-out" / f"teishi-{PYPROJECT_VERSION}-setup.exe", payload / "teishi.exe")
    original = (payload / "teishi.exe").read_bytes()

    pfx, pem = _self_signed_pfx(tmp_path, "correct horse")
    monkeypatch.setenv("TEISHI_SIGN_PASSWORD", "correct horse")
    out = tmp_path / "signed"
    assert build_installers.main([str(payload), "--out", str(out), "--sign-pfx", str(pfx)]) == 0

    def verifies(path: Path) -> bool:
        return subprocess.run(["osslsigncode", "verify", "-CAfile", str(pem), "-in", str(path)],
                              capture_output=True).returncode == 0

    assert verifies(out / f"teishi-{PYPROJECT_VERSION}-x64.msi")
    assert verifies(out / f"teishi-{PYPROJECT_VERSION}-setup.exe")
    extracted = tmp_path / "x"
    extracted.mkdir()
    subprocess.run(["msiextract", "-C", str(extracted), str(out / f"teishi-{PYPROJECT_VERSION}-x64.msi")],
                   check=True, capture_output=True)
    assert verifies(extracted / "Teishi" / "teishi.exe")  # the program inside is signed too
    assert (payload / "teishi.exe").read_bytes() == original  # ... in a copy: the input bundle is untouched
    assert not verifies(payload / "teishi.exe")


def test_signing_without_a_password_is_refused(payload, tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("TEISHI_SIGN_PASSWORD", raising=False)
    pfx = tmp_path / "c.pfx"
    pfx.write_bytes(b"not used")
    assert build_installers.main([str(payload), "--out", str(tmp_path / "o"), "--sign-pfx", str(pfx)]) == 1
    assert "TEISHI_SIGN_PASSWORD" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()


# ---- freezing -----------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def frozen_bundle(tmp_path_factory) -> Path:
    pytest.importorskip("PyInstaller", reason="PyInstaller is in the test extra: pip install -e .[test]")
    work = tmp_path_factory.mktemp("freeze")
    proc = subprocess.run(
        [sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN",
         "--distpath", str(work / "dist"), "--workpath", str(work / "build"), str(PACKAGING / "teishi.spec")],
        cwd=work, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr[-5000:]
    return work / "dist" / "teishi"


def _launcher(bundle: Path) -> Path:
    return bundle / ("teishi.exe" if os.name == "nt" else "teishi")


def _files(folder: Path) -> dict[str, tuple[int, int]]:
    return {str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns)
            for p in folder.rglob("*") if p.is_file()}


@pytest.mark.slow
def test_frozen_bundle_contents(frozen_bundle):
    internal = frozen_bundle / "_internal"
    assert _launcher(frozen_bundle).is_file()
    assert (internal / "resources" / "prefectures.json").is_file()
    assert (internal / "resources" / "teishi.ico").is_file()
    assert (internal / "teishi_version.txt").read_text().strip() == PYPROJECT_VERSION
    names = {p.name for p in internal.rglob("*")}
    platforms = {p.name for p in (internal / "PySide6" / "Qt" / "plugins" / "platforms").iterdir()}
    assert any("offscreen" in n for n in platforms)
    assert not any("wayland" in n or "eglfs" in n for n in platforms)
    # Qt modules Teishi does not use stay out (PySide6-Essentials only, no QML/Quick/Network/WebEngine).
    for unwanted in ("QtNetwork", "QtQml", "QtQuick", "QtWebEngineCore", "Qt3DCore", "QtMultimedia"):
        assert not any(n.startswith((unwanted + ".", "lib" + unwanted.replace("Qt", "Qt6", 1))) for n in names), unwanted
    assert not any(n.startswith(("qmltooling", "libqsqlite")) for n in names)
    # Only Japanese Qt translations.
    qms = [p.name for p in (internal / "PySide6" / "Qt" / "translations").glob("*.qm")]
    assert qms and all(n.endswith("_ja.qm") for n in qms)


@pytest.mark.slow
def test_frozen_version_prints_the_pyproject_version(frozen_bundle):
    proc = subprocess.run([str(_launcher(frozen_bundle)), "--version"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0
    assert proc.stdout.strip() == f"Teishi {PYPROJECT_VERSION}"


@pytest.mark.slow
def test_frozen_smoke_passes_offscreen_and_writes_nothing_beside_the_program(frozen_bundle, tmp_path):
    before = _files(frozen_bundle)
    env = {k: v for k, v in os.environ.items() if k not in ("QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY")}
    env["TMPDIR"] = str(tmp_path)  # the smoke test's data folder goes here
    proc = subprocess.run([str(_launcher(frozen_bundle)), "--smoke"], capture_output=True, text=True, timeout=180,
                          env=env, cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "smoke: PASSED" in proc.stdout
    for step in ("defusedxml", "2 officers", "main window shown", "signed exchange file written and verified",
                 "reopened", "install folder untouched"):
        assert step in proc.stdout
    assert _files(frozen_bundle) == before
    assert list(tmp_path.iterdir()) == []  # the temporary data folder was removed again


@pytest.mark.slow
def test_frozen_bundle_lacks_no_qt_library_it_links_to(frozen_bundle):
    # The spec drops Qt plugins and libraries after PyInstaller's analysis; a library left behind must
    # still find every Qt library it needs, or the program fails to start on the officer's PC.
    if os.name == "nt" or shutil.which("readelf") is None:
        pytest.skip("checks ELF links with readelf (Linux); on Windows the --smoke run proves it")
    internal = frozen_bundle / "_internal"
    present = {p.name for p in internal.rglob("*")}
    missing = {}
    for lib in internal.rglob("*.so*"):
        if lib.is_symlink():
            continue
        dyn = subprocess.run(["readelf", "-d", str(lib)], capture_output=True, text=True).stdout
        needed = [ln.split("[", 1)[1].rstrip("]") for ln in dyn.splitlines() if "(NEEDED)" in ln]
        lacking = [n for n in needed if n.startswith("libQt6") and n not in present]
        if lacking:
            missing[str(lib.relative_to(internal))] = lacking
    assert missing == {}
