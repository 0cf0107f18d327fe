//go:build cgo

package pkcs11

/*
#cgo linux LDFLAGS: -ldl
#include <stdlib.h>
#ifdef _WIN32
#include <windows.h>
#else
#include <dlfcn.h>
#endif

// CK_ULONG is C "unsigned long" on every platform PKCS#11 defines (32 bits on Windows).
typedef unsigned long (*gdd_wait_fn)(unsigned long flags, unsigned long *slot, void *reserved);

// github.com/miekg/pkcs11 drops C_WaitForSlotEvent's return value, so "no event" or "not
// supported" cannot be told from an event on slot 0. This looks the function up in the same,
// already initialised library (loading it again only takes another reference) and calls it.
static void *gdd_wait_lookup(const char *path) {
#ifdef _WIN32
	HMODULE h = LoadLibraryA(path);
	if (h == NULL) return NULL;
	return (void *)GetProcAddress(h, "C_WaitForSlotEvent");
#else
	void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (h == NULL) return NULL;
	return dlsym(h, "C_WaitForSlotEvent");
#endif
}

static unsigned long gdd_wait_call(void *fn, unsigned long flags, unsigned long *slot) {
	return ((gdd_wait_fn)fn)(flags, slot, NULL);
}
*/
import "C"

import (
	"errors"
	"unsafe"

	p11 "github.com/miekg/pkcs11"
)

type cgoModule struct {
	ctx  *p11.Ctx
	wait unsafe.Pointer // C_WaitForSlotEvent, or nil when the library does not export it
}

func openModule(path string) (module, error) {
	ctx := p11.New(path)
	if ctx == nil {
		return nil, errors.New("cannot load the PKCS#11 library (missing, wrong architecture, or not a PKCS#11 module)")
	}
	if err := ctx.Initialize(); err != nil {
		if rv := code(err); rv != ckrCryptokiAlreadyInit {
			ctx.Destroy()
			return nil, rv
		}
	}
	cpath := C.CString(path)
	defer C.free(unsafe.Pointer(cpath))
	return &cgoModule{ctx: ctx, wait: C.gdd_wait_lookup(cpath)}, nil
}

// code converts miekg's error into ours; nil stays nil.
func code(err error) ReturnCode {
	var e p11.Error
	if errors.As(err, &e) {
		return ReturnCode(e)
	}
	return ckrGeneralError
}

func wrap(err error) error {
	if err == nil {
		return nil
	}
	return code(err)
}

func (m *cgoModule) GetSlotList(tokenPresent bool) ([]uint, error) {
	l, err := m.ctx.GetSlotList(tokenPresent)
	return l, wrap(err)
}

func (m *cgoModule) GetSlotInfo(slot uint) (slotInfo, error) {
	si, err := m.ctx.GetSlotInfo(slot)
	if err != nil {
		return slotInfo{}, wrap(err)
	}
	return slotInfo{Description: si.SlotDescription, Manufacturer: si.ManufacturerID, Flags: si.Flags}, nil
}

func (m *cgoModule) GetTokenInfo(slot uint) (tokenInfo, error) {
	ti, err := m.ctx.GetTokenInfo(slot)
	if err != nil {
		return tokenInfo{}, wrap(err)
	}
	return tokenInfo{Label: ti.Label, Manufacturer: ti.ManufacturerID, Model: ti.Model, Serial: ti.SerialNumber, Flags: ti.Flags}, nil
}

func (m *cgoModule) OpenSession(slot uint) (sessionHandle, error) {
	h, err := m.ctx.OpenSession(slot, p11.CKF_SERIAL_SESSION)
	return sessionHandle(h), wrap(err)
}

func (m *cgoModule) CloseSession(h sessionHandle) error {
	return wrap(m.ctx.CloseSession(p11.SessionHandle(h)))
}

func (m *cgoModule) Login(h sessionHandle, pin string) error {
	return wrap(m.ctx.Login(p11.SessionHandle(h), p11.CKU_USER, pin))
}

func (m *cgoModule) Logout(h sessionHandle) error {
	return wrap(m.ctx.Logout(p11.SessionHandle(h)))
}

func (m *cgoModule) FindObjects(h sessionHandle, template []attribute) ([]objectHandle, error) {
	sh := p11.SessionHandle(h)
	t := make([]*p11.Attribute, len(template))
	for i, a := range template {
		t[i] = p11.NewAttribute(a.Type, a.Value)
	}
	if err := m.ctx.FindObjectsInit(sh, t); err != nil {
		return nil, wrap(err)
	}
	var out []objectHandle
	for {
		objs, _, err := m.ctx.FindObjects(sh, 32)
		if err != nil {
			_ = m.ctx.FindObjectsFinal(sh)
			return nil, wrap(err)
		}
		if len(objs) == 0 {
			break
		}
		for _, o := range objs {
			out = append(out, objectHandle(o))
		}
	}
	return out, wrap(m.ctx.FindObjectsFinal(sh))
}

func (m *cgoModule) GetAttributes(h sessionHandle, obj objectHandle, types []uint) ([][]byte, error) {
	sh, oh := p11.SessionHandle(h), p11.ObjectHandle(obj)
	ask := func(ts []uint) ([]*p11.Attribute, error) {
		t := make([]*p11.Attribute, len(ts))
		for i, typ := range ts {
			t[i] = p11.NewAttribute(typ, nil)
		}
		return m.ctx.GetAttributeValue(sh, oh, t)
	}
	out := make([][]byte, len(types))
	attrs, err := ask(types)
	if err == nil {
		for i, a := range attrs {
			out[i] = a.Value
		}
		return out, nil
	}
	// One missing or sensitive attribute fails the whole call; ask one by one to keep the rest.
	if rv := code(err); rv != ckrAttributeTypeInvalid && rv != ckrAttributeSensitive {
		return nil, rv
	}
	for i, typ := range types {
		a, err := ask([]uint{typ})
		switch rv := code(err); {
		case err == nil:
			out[i] = a[0].Value
		case rv == ckrAttributeTypeInvalid || rv == ckrAttributeSensitive:
		default:
			return nil, rv
		}
	}
	return out, nil
}

func (m *cgoModule) Sign(h sessionHandle, mechanism uint, key objectHandle, data []byte) ([]byte, error) {
	sh := p11.SessionHandle(h)
	if err := m.ctx.SignInit(sh, []*p11.Mechanism{p11.NewMechanism(mechanism, nil)}, p11.ObjectHandle(key)); err != nil {
		return nil, wrap(err)
	}
	sig, err := m.ctx.Sign(sh, data)
	return sig, wrap(err)
}

func (m *cgoModule) WaitForSlotEvent(flags uint) (uint, error) {
	if m.wait == nil {
		return 0, ckrFunctionNotSupported
	}
	var slot C.ulong
	if rv := ReturnCode(C.gdd_wait_call(m.wait, C.ulong(flags), &slot)); rv != ckrOK {
		return 0, rv
	}
	return uint(slot), nil
}

func (m *cgoModule) Close() error {
	err := m.ctx.Finalize()
	m.ctx.Destroy()
	return wrap(err)
}
