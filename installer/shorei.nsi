; Shorei's Windows installer (NSIS 3, built on Linux by scripts/windows/build.sh with Debian's makensis):
;
;   makensis -INPUTCHARSET UTF8 -DVERSION=0.1.0 -DVERSION_QUAD=0.1.0.0 -DSOURCE=/abs/dist/windows/shorei
;            -DICON=/abs/resources/icons/shorei.ico -DOUTFILE=/abs/Shorei-0.1.0-setup.exe installer/shorei.nsi
;
; Per user, without administrator rights, into %LOCALAPPDATA%\Programs\Shorei. The data folder
; (%LOCALAPPDATA%\Shorei: database, keys, backups, log) belongs to the user, not to the program: neither an
; upgrade nor the uninstaller ever touches it. Silent for hospital IT: `Shorei-…-setup.exe /S` (add
; /NODESKTOP for no desktop shortcut); `uninstall.exe /S` removes it silently.

; A 64-bit installer (Unicode): Shorei itself is 64-bit only, and Wine without wine32 runs no x86 program.
Target amd64-unicode
ManifestDPIAware true
RequestExecutionLevel user
; zlib: six times faster to build than lzma for a 30% larger file (the stage's time budget is tight); give
; -DCOMPRESSOR=lzma for a smaller download.
!ifndef COMPRESSOR
  !define COMPRESSOR zlib
!endif
SetCompressor /SOLID ${COMPRESSOR}

!ifndef VERSION | VERSION_QUAD | SOURCE | ICON | OUTFILE
  !error "VERSION, VERSION_QUAD, SOURCE, ICON and OUTFILE must be given with -D (see the top of this file)"
!endif

!define PRODUCT "Shorei 症例登録"
!define PUBLISHER "Shorei"
!define UNINSTALL_KEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\Shorei"
!define SHORTCUT "Shorei 症例登録.lnk"

!include "MUI2.nsh"
!include "FileFunc.nsh"
!include "LogicLib.nsh"
!include "Sections.nsh"

Name "${PRODUCT}"
OutFile "${OUTFILE}"
InstallDir "$LOCALAPPDATA\Programs\Shorei"
; An earlier installation's folder, so an upgrade replaces the program where it is.
InstallDirRegKey HKCU "${UNINSTALL_KEY}" "InstallLocation"
BrandingText "${PRODUCT} ${VERSION}"

VIProductVersion "${VERSION_QUAD}"
VIFileVersion "${VERSION_QUAD}"
VIAddVersionKey /LANG=1041 "ProductName" "${PRODUCT}"
VIAddVersionKey /LANG=1041 "ProductVersion" "${VERSION}"
VIAddVersionKey /LANG=1041 "FileVersion" "${VERSION}"
VIAddVersionKey /LANG=1041 "FileDescription" "${PRODUCT} セットアップ"
VIAddVersionKey /LANG=1041 "CompanyName" "${PUBLISHER}"
VIAddVersionKey /LANG=1041 "LegalCopyright" "${PUBLISHER}"

!define MUI_ICON "${ICON}"
!define MUI_UNICON "${ICON}"
!define MUI_ABORTWARNING
!define MUI_WELCOMEPAGE_TEXT "学会の症例登録をオフラインで作成・点検する Shorei をこの PC に入れます。$\r$\n$\r$\n管理者の権限は要りません。ログオン中のユーザーだけに入ります。$\r$\n$\r$\n以前の版が入っている場合は、プログラムだけを入れ替えます。入力済みの申請データ（データフォルダ）はそのまま残ります。"
!define MUI_COMPONENTSPAGE_NODESC
!define MUI_FINISHPAGE_RUN "$INSTDIR\Shorei.exe"
!define MUI_FINISHPAGE_RUN_TEXT "Shorei を起動する"

!insertmacro MUI_PAGE_WELCOME
!insertmacro MUI_PAGE_COMPONENTS
!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_INSTFILES
!insertmacro MUI_PAGE_FINISH

!define MUI_UNCONFIRMPAGE_TEXT_TOP "Shorei のプログラムを削除します。入力済みの申請データ・署名鍵・バックアップ（%LOCALAPPDATA%\Shorei）は削除しません。"
!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_INSTFILES

!insertmacro MUI_LANGUAGE "Japanese"

; Never install into the data folder or below it: the uninstaller would then remove what lies there.
Function .onVerifyInstDir
  StrLen $0 "$LOCALAPPDATA\Shorei"
  StrCpy $1 "$INSTDIR" $0
  ${If} $1 == "$LOCALAPPDATA\Shorei"
    StrCpy $2 "$INSTDIR" 1 $0
    ${If} $2 == ""
    ${OrIf} $2 == "\"
      Abort
    ${EndIf}
  ${EndIf}
FunctionEnd

Section "Shorei 本体" SecProgram
  SectionIn RO
  SetShellVarContext current
  SetOutPath "$INSTDIR"
  ; An upgrade replaces the program whole: files an earlier version had and this one has not go first.
  RMDir /r "$INSTDIR\_internal"
  Delete "$INSTDIR\Shorei.exe"
  Delete "$INSTDIR\shorei-cli.exe"
  File /r "${SOURCE}\*"
  WriteUninstaller "$INSTDIR\uninstall.exe"

  CreateShortcut "$SMPROGRAMS\${SHORTCUT}" "$INSTDIR\Shorei.exe" "" "$INSTDIR\Shorei.exe" 0 \
    SW_SHOWNORMAL "" "学会の症例登録をオフラインで作成・点検します"

  ; 「アプリと機能」 (設定 → アプリ) lists the program from this key, per user.
  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayName" "${PRODUCT}"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "Publisher" "${PUBLISHER}"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayIcon" "$INSTDIR\Shorei.exe,0"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "UninstallString" '"$INSTDIR\uninstall.exe"'
  WriteRegStr HKCU "${UNINSTALL_KEY}" "QuietUninstallString" '"$INSTDIR\uninstall.exe" /S'
  WriteRegDWORD HKCU "${UNINSTALL_KEY}" "NoModify" 1
  WriteRegDWORD HKCU "${UNINSTALL_KEY}" "NoRepair" 1
  ${GetSize} "$INSTDIR" "/S=0K" $0 $1 $2
  IntFmt $0 "0x%08X" $0
  WriteRegDWORD HKCU "${UNINSTALL_KEY}" "EstimatedSize" "$0"
SectionEnd

Section "デスクトップにショートカットを作る" SecDesktop
  SetShellVarContext current
  CreateShortcut "$DESKTOP\${SHORTCUT}" "$INSTDIR\Shorei.exe" "" "$INSTDIR\Shorei.exe" 0
SectionEnd

Function .onInit
  ; Silent installs take the defaults (desktop shortcut included); /NODESKTOP leaves it out.
  ${GetParameters} $0
  ClearErrors
  ${GetOptions} $0 "/NODESKTOP" $1
  ${IfNot} ${Errors}
    !insertmacro UnselectSection ${SecDesktop}
  ${EndIf}
FunctionEnd

Section "Uninstall"
  SetShellVarContext current
  Delete "$SMPROGRAMS\${SHORTCUT}"
  Delete "$DESKTOP\${SHORTCUT}"
  ; Only what the installer put there; the data folder (%LOCALAPPDATA%\Shorei) is elsewhere and stays.
  RMDir /r "$INSTDIR\_internal"
  Delete "$INSTDIR\Shorei.exe"
  Delete "$INSTDIR\shorei-cli.exe"
  Delete "$INSTDIR\uninstall.exe"
  RMDir "$INSTDIR"
  DeleteRegKey HKCU "${UNINSTALL_KEY}"
SectionEnd
