package pkcs11

import (
	"os"
	"path/filepath"
	"runtime"
)

// Library is a candidate PKCS#11 library for the office's token.
type Library struct {
	Vendor string `json:"vendor"`
	Path   string `json:"path"`
	Found  bool   `json:"found"` // the file exists on this machine
}

// Windows DLL names, installed into %SystemRoot%\System32 by the CA's token manager, which is
// where the CAs' own signing plugins look for them by bare name. None of these names has been
// checked against an installed driver here. Sources: the DLL lists in the BkavCA signer plugin
// (BkavCAPlugin.js, which probes every CA's library), the VNPT-CA web plugin's driver list,
// and public signing tools for Vietnamese tokens found on GitHub; gclib.dll is listed by both
// plugins and is taken to be the Government CA (Ban Cơ yếu Chính phủ) token library, which no
// source states outright. eps2003csp11.dll is Feitian's ePass2003 library, the hardware
// several CAs resell.
var windowsDLLs = []struct{ vendor, name string }{
	{"VNPT-CA", "vnptca_p11_v10.dll"},
	{"VNPT-CA", "vnptca_p11_v9.dll"},
	{"VNPT-CA", "vnptca_p11_v8.dll"},
	{"VNPT-CA", "vnptca_p11_v7.dll"},
	{"VNPT-CA", "vnptca_p11_v6.dll"},
	{"VNPT-CA", "vnpt-ca_csp11.dll"},
	{"VNPT-CA", "vnpt-ca_v34.dll"},
	{"VNPT-CA", "vnpt-ca_cl_v1.dll"},
	{"Viettel-CA", "viettel-ca_v6.dll"},
	{"Viettel-CA", "viettel-ca_v5.dll"},
	{"Viettel-CA", "viettel-ca_v4.dll"},
	{"Viettel-CA", "viettel-ca_v2.dll"},
	{"Viettel-CA", "viettel-ca.dll"},
	{"BKAV-CA", "BkavCA.dll"},
	{"BKAV-CA", "BkavCAv2S.dll"},
	{"BKAV-CA", "bkavcaetoken_p11.dll"},
	{"FPT-CA", "fpt-ca.dll"},
	{"FPT-CA", "fptca_v3.dll"},
	{"Government CA (Ban Cơ yếu)", "gclib.dll"},
	{"CA2 / Nacencomm", "CA2_csp11.dll"},
	{"CA2 / Nacencomm", "CA2_v34.dll"},
	{"ePass2003 (Feitian)", "eps2003csp11.dll"},
	{"ePass2003 (Feitian, older)", "ShuttleCsp11_3003.dll"},
	{"SafeNet eToken", "eTPKCS11.dll"},
	{"OpenSC", "opensc-pkcs11.dll"},
}

// Linux paths: Debian's packages for SoftHSM2 and OpenSC (which drives ePass2003 cards
// too), SafeNet's and Feitian's vendor libraries (libcastle is ePass2003's).
var linuxLibs = []struct{ vendor, path string }{
	{"SoftHSM2", "/usr/lib/softhsm/libsofthsm2.so"},
	{"SoftHSM2", "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so"},
	{"OpenSC", "/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so"},
	{"OpenSC", "/usr/lib/opensc-pkcs11.so"},
	{"SafeNet eToken", "/usr/lib/libeTPkcs11.so"},
	{"ePass2003 (Feitian)", "/usr/lib/libcastle.so.1"},
	{"ePass2003 (Feitian)", "/usr/local/lib/libcastle.so.1"},
}

// ProbeLibraries lists the PKCS#11 libraries this package knows for the running OS, found
// ones first, so the office admin can pick the token driver without typing a path.
func ProbeLibraries() []Library {
	var libs []Library
	switch runtime.GOOS {
	case "windows":
		root := os.Getenv("SystemRoot")
		if root == "" {
			root = `C:\Windows`
		}
		for _, l := range windowsDLLs {
			libs = append(libs, Library{Vendor: l.vendor, Path: filepath.Join(root, "System32", l.name)})
		}
		if pf := os.Getenv("ProgramFiles"); pf != "" {
			libs = append(libs, Library{Vendor: "OpenSC", Path: filepath.Join(pf, "OpenSC Project", "OpenSC", "pkcs11", "opensc-pkcs11.dll")})
		}
	default:
		for _, l := range linuxLibs {
			libs = append(libs, Library{Vendor: l.vendor, Path: l.path})
		}
	}
	found := libs[:0:0]
	var missing []Library
	for _, l := range libs {
		if fi, err := os.Stat(l.Path); err == nil && !fi.IsDir() {
			l.Found = true
			found = append(found, l)
		} else {
			missing = append(missing, l)
		}
	}
	return append(found, missing...)
}
