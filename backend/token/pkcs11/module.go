package pkcs11

import (
	"fmt"
	"path/filepath"
	"sync"
)

// module is the part of the PKCS#11 API this package uses, over one loaded library. The cgo
// build implements it with github.com/miekg/pkcs11; tests also use a fake. Errors are
// ReturnCode values (or wrap one).
type module interface {
	GetSlotList(tokenPresent bool) ([]uint, error)
	GetSlotInfo(slot uint) (slotInfo, error)
	GetTokenInfo(slot uint) (tokenInfo, error)
	OpenSession(slot uint) (sessionHandle, error)
	CloseSession(h sessionHandle) error
	Login(h sessionHandle, pin string) error
	Logout(h sessionHandle) error
	// FindObjects returns every object matching the template (Init, Find…, Final).
	FindObjects(h sessionHandle, template []attribute) ([]objectHandle, error)
	// GetAttributes returns the values in the order asked; nil for an attribute the object
	// does not have or will not reveal.
	GetAttributes(h sessionHandle, obj objectHandle, types []uint) ([][]byte, error)
	// Sign is C_SignInit then C_Sign, with a mechanism that takes no parameter.
	Sign(h sessionHandle, mechanism uint, key objectHandle, data []byte) ([]byte, error)
	// WaitForSlotEvent is C_WaitForSlotEvent; flags may hold CKF_DONT_BLOCK.
	WaitForSlotEvent(flags uint) (uint, error)
	// Close finalizes and unloads the library.
	Close() error
}

type (
	sessionHandle uint
	objectHandle  uint
)

type attribute struct {
	Type  uint
	Value any // []byte, uint or bool
}

type slotInfo struct {
	Description, Manufacturer string
	Flags                     uint
}

type tokenInfo struct {
	Label, Manufacturer, Model, Serial string
	Flags                              uint
}

// Attribute, class, key and mechanism constants (pkcs11t.h).
const (
	ckaClass           = 0x000
	ckaLabel           = 0x003
	ckaValue           = 0x011
	ckaCertificateType = 0x080
	ckaKeyType         = 0x100
	ckaID              = 0x102
	ckaSign            = 0x108

	ckoCertificate = 1
	ckoPrivateKey  = 3
	ckcX509        = 0
	ckkRSA         = 0
	ckkEC          = 3

	ckmRSAPKCS = 0x0001
	ckmECDSA   = 0x1041

	ckfDontBlock = 1
)

// Libraries are loaded once per process: PKCS#11 allows one C_Initialize per library, and a
// second C_Finalize would pull the library from under another Driver.
var (
	loadedMu sync.Mutex
	loaded   = map[string]*sharedModule{}
)

type sharedModule struct {
	module
	path string
	refs int
}

func acquireModule(path string) (*sharedModule, error) {
	key := filepath.Clean(path)
	loadedMu.Lock()
	defer loadedMu.Unlock()
	if m, ok := loaded[key]; ok {
		m.refs++
		return m, nil
	}
	mod, err := openModule(key)
	if err != nil {
		return nil, fmt.Errorf("pkcs11: load %s: %w", key, err)
	}
	m := &sharedModule{module: mod, path: key, refs: 1}
	loaded[key] = m
	return m, nil
}

func (m *sharedModule) release() error {
	loadedMu.Lock()
	defer loadedMu.Unlock()
	m.refs--
	if m.refs > 0 {
		return nil
	}
	delete(loaded, m.path)
	if err := m.module.Close(); err != nil {
		return fmt.Errorf("pkcs11: unload %s: %w", m.path, err)
	}
	return nil
}
