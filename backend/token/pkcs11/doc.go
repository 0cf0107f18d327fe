// Package pkcs11 drives the certificate tokens Vietnamese CAs issue (VNPT-CA, Viettel-CA,
// BKAV-CA, FPT-CA, Government CA; ePass2003 and similar smart cards) through the vendor's
// PKCS#11 library.
//
// A Driver loads one library (ProbeLibraries suggests paths) and lists its Slots; Watch
// reports tokens arriving and leaving. Open logs in with a PIN the person types: the PIN is
// passed straight to C_Login and is never logged or kept. A Session lists the token's
// Certificates and gives a Signer per certificate: a crypto.Signer for the permit PDF's
// signature (ECDSA or RSA PKCS#1 v1.5) and, for P-256 keys, a permit.Signer for GDD1 QR codes
// (ES256). RSA-only tokens cannot sign QR codes (ErrNotPermitKey) but do sign PDFs.
//
// A token pulled out mid-batch surfaces as ErrTokenRemoved wrapping the library's CKR_ code;
// whatever was signed before stays signed. PKCS#11 sessions are not thread-safe, so a Session
// serialises its calls. The library is reached through cgo (github.com/miekg/pkcs11); a build
// without cgo compiles but reports ErrUnavailable.
package pkcs11
