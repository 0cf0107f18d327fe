//go:build !cgo

package pkcs11

// Without cgo there is no way to call into a C library on Linux; a Windows build made with
// CGO_ENABLED=0 (the default when cross-compiling) also lands here. Everything else in the
// package compiles, so the app still builds and reports ErrUnavailable at run time.
func openModule(string) (module, error) { return nil, ErrUnavailable }
