//go:build windows

package owneronly

import (
	"os"
	"path/filepath"
	"testing"
	"unsafe"

	"golang.org/x/sys/windows"
)

// TestWindowsDACL checks the access list MkdirAll sets: protected from the parent, one
// entry, full control for the current user, inherited by files and folders inside.
func TestWindowsDACL(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "GiayDiDuong")
	if err := MkdirAll(dir); err != nil {
		t.Fatal(err)
	}
	sd, err := windows.GetNamedSecurityInfo(dir, windows.SE_FILE_OBJECT, windows.DACL_SECURITY_INFORMATION)
	if err != nil {
		t.Fatal(err)
	}
	ctl, _, err := sd.Control()
	if err != nil {
		t.Fatal(err)
	}
	if ctl&windows.SE_DACL_PROTECTED == 0 {
		t.Error("the directory's DACL is not protected from inheriting the parent's entries")
	}
	dacl, _, err := sd.DACL()
	if err != nil || dacl == nil {
		t.Fatalf("no DACL: %v", err)
	}
	if dacl.AceCount != 1 {
		t.Fatalf("DACL has %d entries, want 1 (%s)", dacl.AceCount, sd)
	}
	var ace *windows.ACCESS_ALLOWED_ACE
	if err := windows.GetAce(dacl, 0, &ace); err != nil {
		t.Fatal(err)
	}
	user, err := currentUserSID()
	if err != nil {
		t.Fatal(err)
	}
	if sid := (*windows.SID)(unsafePointerSID(ace)); !sid.Equals(user) {
		t.Errorf("the entry is for %s, want the current user %s", sid, user)
	}
	if ace.Header.AceFlags&(windows.OBJECT_INHERIT_ACE|windows.CONTAINER_INHERIT_ACE) != windows.OBJECT_INHERIT_ACE|windows.CONTAINER_INHERIT_ACE {
		t.Errorf("the entry is not inherited by files and folders inside (flags %#x)", ace.Header.AceFlags)
	}

	// A key file opened up to Everyone is refused.
	f := filepath.Join(dir, "office-key.pem")
	if err := os.WriteFile(f, []byte("k"), FileMode); err != nil {
		t.Fatal(err)
	}
	everyone, err := windows.CreateWellKnownSid(windows.WinWorldSid)
	if err != nil {
		t.Fatal(err)
	}
	acl, err := windows.ACLFromEntries([]windows.EXPLICIT_ACCESS{{
		AccessPermissions: windows.GENERIC_READ, AccessMode: windows.GRANT_ACCESS, Inheritance: windows.NO_INHERITANCE,
		Trustee: windows.TRUSTEE{TrusteeForm: windows.TRUSTEE_IS_SID, TrusteeType: windows.TRUSTEE_IS_WELL_KNOWN_GROUP, TrusteeValue: windows.TrusteeValueFromSID(everyone)},
	}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := windows.SetNamedSecurityInfo(f, windows.SE_FILE_OBJECT, windows.DACL_SECURITY_INFORMATION|windows.PROTECTED_DACL_SECURITY_INFORMATION, nil, nil, acl, nil); err != nil {
		t.Fatal(err)
	}
	if err := Check(f); err == nil {
		t.Error("Check accepted a file Everyone can read")
	}
	if err := Restrict(f); err != nil {
		t.Fatal(err)
	}
	if err := Check(f); err != nil {
		t.Errorf("after Restrict: %v", err)
	}
}

func unsafePointerSID(ace *windows.ACCESS_ALLOWED_ACE) unsafe.Pointer {
	return unsafe.Pointer(&ace.SidStart)
}
