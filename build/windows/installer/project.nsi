; The Windows installer of Giấy đi đường, built on Debian with makensis (package nsis) by
; scripts/package.sh, which passes:
;   -DVERSION=<git describe>  -DNUMVERSION=<a.b.c.d>  -DBINDIR=<dir with the two .exe>
;   -DOUTFILE=<installer path>
; One 64-bit installer for Windows 10/11 x64: the window (giaydiduong.exe) and the command-line
; tool (gddctl.exe). It works offline. The office's data (%AppData%\GiayDiDuong) is never
; touched by installing, and kept by uninstalling unless the user asks (or /PURGE is given).
Unicode true
Target amd64-unicode
SetCompressor /SOLID lzma
ManifestDPIAware true
RequestExecutionLevel admin

!ifndef VERSION
  !error "pass -DVERSION=..."
!endif
!define PRODUCT "Giấy đi đường"
!define COMPANY "GiayDiDuong"
!define EXE "giaydiduong.exe"
!define UNINST_KEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\GiayDiDuong"
; WebView2 Runtime's client id (the same for the Evergreen and fixed installs).
!define WV2_CLIENT "{F3017226-FE2A-4295-8BDF-00C3A9A7E4C5}"

!include "MUI2.nsh"
!include "LogicLib.nsh"
!include "FileFunc.nsh"
!include "x64.nsh"

Name "${PRODUCT}"
OutFile "${OUTFILE}"
InstallDir "$PROGRAMFILES64\GiayDiDuong"
InstallDirRegKey HKLM "${UNINST_KEY}" "InstallLocation"
ShowInstDetails show
BrandingText "${PRODUCT} ${VERSION}"

VIProductVersion "${NUMVERSION}"
VIFileVersion "${NUMVERSION}"
VIAddVersionKey /LANG=0 "ProductName" "${PRODUCT}"
VIAddVersionKey /LANG=0 "CompanyName" "${COMPANY}"
VIAddVersionKey /LANG=0 "FileDescription" "Bộ cài đặt ${PRODUCT}"
VIAddVersionKey /LANG=0 "ProductVersion" "${VERSION}"
VIAddVersionKey /LANG=0 "FileVersion" "${VERSION}"
VIAddVersionKey /LANG=0 "LegalCopyright" "© ${COMPANY}"

!define MUI_ICON "..\icon.ico"
!define MUI_UNICON "..\icon.ico"
!define MUI_ABORTWARNING
!define MUI_FINISHPAGE_RUN "$INSTDIR\${EXE}"
!define MUI_FINISHPAGE_RUN_TEXT "Mở ${PRODUCT}"
!insertmacro MUI_PAGE_WELCOME
!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_INSTFILES
!insertmacro MUI_PAGE_FINISH
!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_INSTFILES
!insertmacro MUI_LANGUAGE "Vietnamese"
!insertmacro MUI_LANGUAGE "English"

Function .onInit
  ${IfNot} ${RunningX64}
    MessageBox MB_OK|MB_ICONSTOP "${PRODUCT} cần Windows 64-bit (x64).$\n$\n${PRODUCT} needs 64-bit Windows." /SD IDOK
    Abort
  ${EndIf}
  SetRegView 64
  StrCpy $LANGUAGE 1066 ; Vietnamese
FunctionEnd

; The window needs the Microsoft Edge WebView2 Runtime (in Windows 11 and in updated Windows
; 10). No bootstrapper is bundled (none is available from a package registry to the build);
; a district IT officer can put Microsoft's installer next to this one on the USB stick, and
; it is run from there. gddctl.exe works without it.
Function CheckWebView2
  ReadRegStr $0 HKLM "SOFTWARE\WOW6432Node\Microsoft\EdgeUpdate\Clients\${WV2_CLIENT}" "pv"
  ${If} $0 == ""
  ${OrIf} $0 == "0.0.0.0"
    ReadRegStr $0 HKCU "Software\Microsoft\EdgeUpdate\Clients\${WV2_CLIENT}" "pv"
  ${EndIf}
  ${If} $0 != ""
  ${AndIf} $0 != "0.0.0.0"
    DetailPrint "WebView2 Runtime $0: có sẵn."
    Return
  ${EndIf}
  StrCpy $1 ""
  ${If} ${FileExists} "$EXEDIR\MicrosoftEdgeWebView2RuntimeInstallerX64.exe"
    StrCpy $1 "$EXEDIR\MicrosoftEdgeWebView2RuntimeInstallerX64.exe"
  ${ElseIf} ${FileExists} "$EXEDIR\MicrosoftEdgeWebview2Setup.exe"
    StrCpy $1 "$EXEDIR\MicrosoftEdgeWebview2Setup.exe"
  ${EndIf}
  ${If} $1 != ""
    DetailPrint "Đang cài Microsoft Edge WebView2 Runtime từ $1 ..."
    ExecWait '"$1" /silent /install' $2
    DetailPrint "WebView2 Runtime: mã kết thúc $2."
    Return
  ${EndIf}
  DetailPrint "Chưa có Microsoft Edge WebView2 Runtime."
  MessageBox MB_OK|MB_ICONEXCLAMATION "Máy này chưa có Microsoft Edge WebView2 Runtime, thành phần mà cửa sổ ${PRODUCT} cần để hiển thị.$\n$\nCách cài: bật Windows Update (Windows 10 cập nhật sẽ tự có), hoặc tải bộ cài «Evergreen Standalone Installer» x64 của Microsoft tại https://developer.microsoft.com/microsoft-edge/webview2/ trên một máy có mạng, chép vào USB, chạy trên máy này (hoặc đặt tệp MicrosoftEdgeWebView2RuntimeInstallerX64.exe cạnh bộ cài này rồi cài lại).$\n$\nCông cụ dòng lệnh gddctl.exe vẫn dùng được ngay.$\n$\n(The WebView2 Runtime is missing: install it from Windows Update or Microsoft's Evergreen installer.)" /SD IDOK
FunctionEnd

Section "Giấy đi đường" SecMain
  SectionIn RO
  SetShellVarContext all
  SetOutPath "$INSTDIR"
  File "${BINDIR}\giaydiduong.exe"
  File "${BINDIR}\gddctl.exe"
  File "/oname=giaydiduong.ico" "..\icon.ico"
  WriteUninstaller "$INSTDIR\uninstall.exe"

  ; Start menu, in Vietnamese.
  CreateDirectory "$SMPROGRAMS\${PRODUCT}"
  CreateShortcut "$SMPROGRAMS\${PRODUCT}\${PRODUCT}.lnk" "$INSTDIR\${EXE}" "" "$INSTDIR\giaydiduong.ico" 0 SW_SHOWNORMAL "" "Cấp giấy đi đường có mã QR"
  CreateShortcut "$SMPROGRAMS\${PRODUCT}\Gỡ cài đặt ${PRODUCT}.lnk" "$INSTDIR\uninstall.exe"
  CreateShortcut "$DESKTOP\${PRODUCT}.lnk" "$INSTDIR\${EXE}" "" "$INSTDIR\giaydiduong.ico" 0

  ; Apps & features.
  WriteRegStr HKLM "${UNINST_KEY}" "DisplayName" "${PRODUCT}"
  WriteRegStr HKLM "${UNINST_KEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKLM "${UNINST_KEY}" "Publisher" "${COMPANY}"
  WriteRegStr HKLM "${UNINST_KEY}" "DisplayIcon" "$INSTDIR\giaydiduong.ico"
  WriteRegStr HKLM "${UNINST_KEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKLM "${UNINST_KEY}" "UninstallString" '"$INSTDIR\uninstall.exe"'
  WriteRegStr HKLM "${UNINST_KEY}" "QuietUninstallString" '"$INSTDIR\uninstall.exe" /S'
  WriteRegDWORD HKLM "${UNINST_KEY}" "NoModify" 1
  WriteRegDWORD HKLM "${UNINST_KEY}" "NoRepair" 1
  ${GetSize} "$INSTDIR" "/S=0K" $0 $1 $2
  WriteRegDWORD HKLM "${UNINST_KEY}" "EstimatedSize" $0

  Call CheckWebView2
SectionEnd

Function un.onInit
  SetRegView 64
  StrCpy $LANGUAGE 1066
FunctionEnd

Section "Uninstall"
  ; First the office's data (database, office key, audit log), which belongs to the user who
  ; ran the app: kept unless they say so here, or /PURGE is given to a silent uninstall.
  ; The install folder goes last, so that its absence means the uninstaller has finished.
  SetShellVarContext current
  ${GetParameters} $0
  ClearErrors
  ${GetOptions} $0 "/PURGE" $1
  ${IfNot} ${Errors}
    Goto purge
  ${EndIf}
  ${If} ${FileExists} "$APPDATA\GiayDiDuong\*.*"
    MessageBox MB_YESNO|MB_ICONEXCLAMATION|MB_DEFBUTTON2 "Xoá cả dữ liệu của văn phòng trong $APPDATA\GiayDiDuong?$\n$\nDữ liệu gồm cơ sở dữ liệu hồ sơ, giấy đi đường đã cấp, nhật ký và khoá ký của văn phòng. Xoá là mất hẳn; chọn «Không» để giữ lại (cài lại sẽ dùng tiếp).$\n$\n(Delete the office's data too? Choose No to keep it.)" /SD IDNO IDYES purge
  ${EndIf}
  DetailPrint "Giữ lại dữ liệu: $APPDATA\GiayDiDuong"
  Goto data_done
purge:
  DetailPrint "Xoá dữ liệu: $APPDATA\GiayDiDuong"
  RMDir /r "$APPDATA\GiayDiDuong"
data_done:
  ; WebView2's own cache for the window (not office data).
  RMDir /r "$APPDATA\${EXE}"

  SetShellVarContext all
  Delete "$SMPROGRAMS\${PRODUCT}\${PRODUCT}.lnk"
  Delete "$SMPROGRAMS\${PRODUCT}\Gỡ cài đặt ${PRODUCT}.lnk"
  RMDir "$SMPROGRAMS\${PRODUCT}"
  Delete "$DESKTOP\${PRODUCT}.lnk"
  DeleteRegKey HKLM "${UNINST_KEY}"
  Delete "$INSTDIR\giaydiduong.exe"
  Delete "$INSTDIR\gddctl.exe"
  Delete "$INSTDIR\giaydiduong.ico"
  Delete "$INSTDIR\uninstall.exe"
  RMDir "$INSTDIR"
SectionEnd
