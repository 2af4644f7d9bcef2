; Teishi NSIS installer: per-machine, 64-bit, silent-capable (/S), with an uninstaller.
;
; Built on Linux by packaging/build_installers.py, which passes:
;   makensis -DVERSION=0.1.0 -DVERSION4=0.1.0.0 -DSOURCE_DIR=/path/to/bundle/teishi
;            -DOUTFILE=/path/to/teishi-0.1.0-setup.exe -DICON=/path/to/teishi.ico teishi.nsi
;
; IT deployment: teishi-<version>-setup.exe /S            (silent, default folder)
;                teishi-<version>-setup.exe /S /D=D:\Apps\Teishi   (/D must be last, no quotes)
; Silent uninstall: "%ProgramFiles%\Teishi\uninstall.exe" /S
;
; The install folder holds only the program. Each user's data (database, keys, logs) live in
; %LOCALAPPDATA%\Teishi, which the uninstaller deliberately leaves alone: it is evidence.

!ifndef VERSION
  !error "define VERSION (from pyproject.toml)"
!endif
!ifndef VERSION4
  !error "define VERSION4 (four numeric fields for VIProductVersion)"
!endif
!ifndef SOURCE_DIR
  !error "define SOURCE_DIR (the PyInstaller onedir bundle folder holding teishi.exe)"
!endif
!ifndef OUTFILE
  !define OUTFILE "teishi-${VERSION}-setup.exe"
!endif

; Authenticode: build_installers.py passes a script that signs its argument in place (osslsigncode),
; so that the embedded uninstaller is signed as well as the installer.
!ifdef SIGN_SCRIPT
  !uninstfinalize '"${SIGN_SCRIPT}" "%1"'
  !finalize '"${SIGN_SCRIPT}" "%1"'
!endif

!define APP_NAME "Teishi"
!define APP_EXE "teishi.exe"
!define PUBLISHER "Teishi"
!define UNINST_KEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\${APP_NAME}"

Unicode true
Target amd64-unicode
SetCompressor /SOLID lzma
ManifestDPIAware true
RequestExecutionLevel admin

Name "${APP_NAME} ${VERSION}"
OutFile "${OUTFILE}"
InstallDir "$PROGRAMFILES64\${APP_NAME}"
; Re-installs and upgrades go to wherever the previous version went.
InstallDirRegKey HKLM "${UNINST_KEY}" "InstallLocation"
ShowInstDetails show
ShowUninstDetails show

VIProductVersion "${VERSION4}"
VIAddVersionKey /LANG=0 "ProductName" "${APP_NAME}"
VIAddVersionKey /LANG=0 "ProductVersion" "${VERSION}"
VIAddVersionKey /LANG=0 "FileVersion" "${VERSION4}"
VIAddVersionKey /LANG=0 "CompanyName" "${PUBLISHER}"
VIAddVersionKey /LANG=0 "FileDescription" "${APP_NAME} ${VERSION} installer"
VIAddVersionKey /LANG=0 "LegalCopyright" "Proprietary"

!include "MUI2.nsh"
!include "x64.nsh"
!include "LogicLib.nsh"
!include "FileFunc.nsh"

!ifdef ICON
  !define MUI_ICON "${ICON}"
  !define MUI_UNICON "${ICON}"
!endif
!define MUI_ABORTWARNING

!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_INSTFILES
!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_INSTFILES
!insertmacro MUI_LANGUAGE "Japanese"

Function .onInit
  ${IfNot} ${RunningX64}
    MessageBox MB_ICONSTOP "Teishi は 64 ビット版 Windows 専用です。" /SD IDOK
    Abort
  ${EndIf}
  SetRegView 64
  SetShellVarContext all
FunctionEnd

Function un.onInit
  SetRegView 64
  SetShellVarContext all
FunctionEnd

Section "Teishi" SecMain
  SectionIn RO
  ; An upgrade must not leave the previous version's libraries behind: PyInstaller's _internal folder
  ; is replaced as a whole. Only program files live here (data are in %LOCALAPPDATA%\Teishi).
  RMDir /r "$INSTDIR\_internal"
  SetOutPath "$INSTDIR"
  File /r "${SOURCE_DIR}/*"
  WriteUninstaller "$INSTDIR\uninstall.exe"

  CreateShortcut "$SMPROGRAMS\${APP_NAME}.lnk" "$INSTDIR\${APP_EXE}" "" "$INSTDIR\${APP_EXE}" 0

  WriteRegStr HKLM "${UNINST_KEY}" "DisplayName" "${APP_NAME}"
  WriteRegStr HKLM "${UNINST_KEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKLM "${UNINST_KEY}" "Publisher" "${PUBLISHER}"
  WriteRegStr HKLM "${UNINST_KEY}" "DisplayIcon" "$INSTDIR\${APP_EXE}"
  WriteRegStr HKLM "${UNINST_KEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKLM "${UNINST_KEY}" "UninstallString" '"$INSTDIR\uninstall.exe"'
  WriteRegStr HKLM "${UNINST_KEY}" "QuietUninstallString" '"$INSTDIR\uninstall.exe" /S'
  WriteRegDWORD HKLM "${UNINST_KEY}" "NoModify" 1
  WriteRegDWORD HKLM "${UNINST_KEY}" "NoRepair" 1
  ${GetSize} "$INSTDIR" "/S=0K" $0 $1 $2
  IntFmt $0 "0x%08X" $0
  WriteRegDWORD HKLM "${UNINST_KEY}" "EstimatedSize" "$0"
SectionEnd

Section "Uninstall"
  Delete "$SMPROGRAMS\${APP_NAME}.lnk"
  RMDir /r "$INSTDIR\_internal"
  Delete "$INSTDIR\${APP_EXE}"
  Delete "$INSTDIR\uninstall.exe"
  ; Removes the folder only if nothing else (e.g. an administrator's file) is left in it.
  RMDir "$INSTDIR"
  DeleteRegKey HKLM "${UNINST_KEY}"
SectionEnd
