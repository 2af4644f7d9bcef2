"""Turn a frozen Windows bundle (the PyInstaller onedir folder) into Teishi's two installers, on Linux.

    python3 packaging/build_installers.py dist/teishi --out dist/installers
    python3 packaging/build_installers.py dist/teishi --sign-pfx codesign.pfx   # password: TEISHI_SIGN_PASSWORD

Writes into --out:
    teishi-<version>-x64.msi      wixl (Debian msitools): per-machine, x64, MajorUpgrade
    teishi-<version>-setup.exe    makensis (Debian nsis): 64-bit, silent /S, uninstaller
    SHA256SUMS                    `sha256sum -c SHA256SUMS` format

Authenticode signing is optional and happens only when a PKCS#12 certificate is given (--sign-pfx or
TEISHI_SIGN_PFX) with its password (TEISHI_SIGN_PASSWORD, or --sign-password-file). It signs the
application's teishi.exe (in a staging copy; the input bundle is never modified), the NSIS installer and
its uninstaller, and the MSI, with osslsigncode. A timestamp server is used only if --timestamp-url is
given: the build PC may have no network, and an untimestamped signature is still verifiable until the
certificate expires.

The version comes from pyproject.toml (packaging/version_info.py). Standard library only.
"""
from __future__ import annotations

import argparse
import hashlib
import logging
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import version_info  # noqa: E402
from msi import make_wxs  # noqa: E402

log = logging.getLogger(__name__)

NSI = HERE / "nsis" / "teishi.nsi"
ICON = version_info.ROOT / "resources" / "teishi.ico"
EXE_NAME = "teishi.exe"


class BuildError(RuntimeError):
    pass


@dataclass(frozen=True)
class Signing:
    pfx: Path
    password_file: Path
    timestamp_url: str | None = None

    def base_command(self) -> list[str]:
        cmd = ["osslsigncode", "sign", "-pkcs12", str(self.pfx), "-readpass", str(self.password_file),
               "-n", "Teishi", "-h", "sha256"]
        if self.timestamp_url:
            cmd += ["-ts", self.timestamp_url]
        return cmd

    def sign(self, path: Path) -> None:
        _run(self.base_command() + ["-in", str(path), "-out", str(path) + ".signed"])
        os.replace(str(path) + ".signed", path)

    def shell_script(self) -> str:
        """Sign "$1" in place: makensis runs this on the uninstaller it embeds and on the installer."""
        base = " ".join(shlex.quote(c) for c in self.base_command())
        return f'#!/bin/sh\nset -e\n{base} -in "$1" -out "$1.signed"\nmv -f "$1.signed" "$1"\n'


def _run(cmd: list[str], *, cwd: Path | None = None) -> str:
    tool = shutil.which(cmd[0])
    if tool is None:
        raise BuildError(f"{cmd[0]} not found: apt-get install "
                         + {"wixl": "wixl msitools", "makensis": "nsis"}.get(cmd[0], cmd[0]))
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
    if proc.returncode != 0:
        shown = " ".join(shlex.quote(c) for c in cmd)
        raise BuildError(f"{shown} failed ({proc.returncode}):\n{proc.stdout[-4000:]}\n{proc.stderr[-4000:]}")
    return proc.stdout


def _version4(version: str) -> str:
    return ".".join(str(p) for p in version_info.version_tuple(version))


def build_msi(bundle: Path, out: Path, version: str, work: Path, icon: Path = ICON) -> Path:
    wxs = work / "teishi.wxs"
    wxs.write_text(make_wxs.render(bundle, version=version, icon=icon, base=work), encoding="utf-8")
    msi = out / f"teishi-{version}-x64.msi"
    msi.unlink(missing_ok=True)
    _run(["wixl", "-a", "x64", "-o", str(msi), str(wxs)])
    if not msi.is_file():  # wixl has been seen to exit 0 after a failed table insert
        raise BuildError(f"wixl wrote no {msi}")
    return msi


def build_nsis(bundle: Path, out: Path, version: str, work: Path, icon: Path = ICON,
               signing: Signing | None = None) -> Path:
    exe = out / f"teishi-{version}-setup.exe"
    exe.unlink(missing_ok=True)
    cmd = ["makensis", "-V2", "-NOCD", f"-DVERSION={version}", f"-DVERSION4={_version4(version)}",
           f"-DSOURCE_DIR={bundle.resolve()}", f"-DOUTFILE={exe.resolve()}", f"-DICON={icon.resolve()}"]
    if signing:
        # makensis calls this on the uninstaller it embeds and on the finished installer (%1 = file).
        script = work / "sign-one.sh"
        script.write_text(signing.shell_script())
        script.chmod(0o700)
        cmd.append(f"-DSIGN_SCRIPT={script}")
    _run(cmd + [str(NSI)], cwd=work)
    if not exe.is_file():
        raise BuildError(f"makensis wrote no {exe}")
    return exe


def write_sha256sums(files: list[Path], out: Path) -> Path:
    lines = []
    for f in files:
        h = hashlib.sha256()
        with open(f, "rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                h.update(chunk)
        lines.append(f"{h.hexdigest()}  {f.name}\n")
    path = out / "SHA256SUMS"
    tmp = path.with_suffix(".tmp")
    tmp.write_text("".join(lines), encoding="ascii")
    os.replace(tmp, path)
    return path


def build(bundle: Path, out: Path, *, version: str | None = None, signing: Signing | None = None,
          msi: bool = True, nsis: bool = True, icon: Path = ICON) -> list[Path]:
    bundle = Path(bundle)
    if not (bundle / EXE_NAME).is_file():
        raise BuildError(f"{bundle}: not a Teishi bundle (no {EXE_NAME}); freeze with packaging/teishi.spec")
    version = version or version_info.read_version()
    out.mkdir(parents=True, exist_ok=True)
    built: list[Path] = []
    with tempfile.TemporaryDirectory(prefix="teishi-installers-") as tmp:
        work = Path(tmp)
        payload = bundle
        if signing:
            payload = work / "bundle"
            shutil.copytree(bundle, payload, symlinks=False)
            signing.sign(payload / EXE_NAME)
        if msi:
            t = time.perf_counter()
            built.append(build_msi(payload, out, version, work, icon))
            if signing:
                signing.sign(built[-1])
            print(f"{built[-1]}  ({time.perf_counter() - t:.1f} s)", flush=True)
        if nsis:
            t = time.perf_counter()
            built.append(build_nsis(payload, out, version, work, icon, signing))
            print(f"{built[-1]}  ({time.perf_counter() - t:.1f} s)", flush=True)
    sums = write_sha256sums(built, out)
    print(sums)
    return built + [sums]


def _signing_from(args: argparse.Namespace, stack: list) -> Signing | None:
    pfx = args.sign_pfx or os.environ.get("TEISHI_SIGN_PFX")
    if not pfx:
        return None
    if args.sign_password_file:
        pw_file = Path(args.sign_password_file)
    else:
        password = os.environ.get("TEISHI_SIGN_PASSWORD")
        if password is None:
            raise BuildError("a signing certificate was given without a password: set TEISHI_SIGN_PASSWORD "
                             "or --sign-password-file")
        # osslsigncode reads it from a file, so the password never shows in the process list.
        fd, name = tempfile.mkstemp(prefix="teishi-signpass-")
        os.write(fd, password.encode("utf-8"))
        os.close(fd)
        os.chmod(name, 0o600)
        stack.append(name)
        pw_file = Path(name)
    return Signing(Path(pfx), pw_file, args.timestamp_url or os.environ.get("TEISHI_SIGN_TIMESTAMP_URL"))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Build Teishi's MSI and NSIS installers from a Windows bundle.")
    ap.add_argument("bundle", type=Path, help="the PyInstaller onedir folder holding teishi.exe")
    ap.add_argument("--out", type=Path, default=Path("dist/installers"))
    ap.add_argument("--version", help="default: the version in pyproject.toml")
    ap.add_argument("--icon", type=Path, default=ICON)
    ap.add_argument("--no-msi", action="store_true")
    ap.add_argument("--no-nsis", action="store_true")
    ap.add_argument("--sign-pfx", help="PKCS#12 code-signing certificate (or env TEISHI_SIGN_PFX)")
    ap.add_argument("--sign-password-file", help="file holding the .pfx password (or env TEISHI_SIGN_PASSWORD)")
    ap.add_argument("--timestamp-url", help="RFC 3161 timestamp server (or env TEISHI_SIGN_TIMESTAMP_URL)")
    args = ap.parse_args(argv)
    cleanup: list[str] = []
    try:
        build(args.bundle, args.out, version=args.version, signing=_signing_from(args, cleanup),
              msi=not args.no_msi, nsis=not args.no_nsis, icon=args.icon)
    except (BuildError, FileNotFoundError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    finally:
        for name in cleanup:
            os.unlink(name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
