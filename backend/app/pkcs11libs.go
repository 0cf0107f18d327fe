package app

import "giaydiduong/backend/token/pkcs11"

// PKCS11Libraries lists the certificate-token libraries this OS is known to have (the CA
// vendors' DLLs in System32 on Windows), those installed first, for the office admin to pick.
func (a *App) PKCS11Libraries() []pkcs11.Library { return pkcs11.ProbeLibraries() }
