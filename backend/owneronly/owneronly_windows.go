//go:build windows

package owneronly

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"unsafe"

	"golang.org/x/sys/windows"
)

// FileMode is the mode for new files; on Windows it only keeps the read-only attribute off:
// access comes from the DACL the file inherits.
const FileMode fs.FileMode = 0o600

// MkdirAll creates dir (and its parents) and, when this call created it, gives it a protected
// DACL granting the current user alone full control, inherited by every file and folder made
// inside. A directory that already existed keeps its ACL: the user chose it (%AppData% is
// already limited to the account).
func MkdirAll(dir string) error {
	if fi, err := os.Stat(dir); err == nil {
		if !fi.IsDir() {
			return fmt.Errorf("create %s: %w", dir, fs.ErrExist)
		}
		return nil
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("create %s: %w", dir, err)
	}
	if err := setOwnerOnly(dir, true); err != nil {
		return fmt.Errorf("restrict %s to its owner: %w", dir, err)
	}
	return nil
}

// Restrict gives an existing file a protected DACL granting the current user alone full
// control. Unlike chmod it needs no exclusive access, so it works while SQLite holds the file
// open. A file that does not exist is left alone.
func Restrict(path string) error {
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err := setOwnerOnly(path, false); err != nil {
		return fmt.Errorf("restrict %s to its owner: %w", path, err)
	}
	return nil
}

// Check refuses a file whose DACL lets a broad group read it (Everyone, Users, Authenticated
// Users, Interactive, Guests), as Windows' OpenSSH does with private keys. A missing DACL
// grants everyone everything and is refused too.
func Check(path string) error {
	sd, err := windows.GetNamedSecurityInfo(path, windows.SE_FILE_OBJECT, windows.DACL_SECURITY_INFORMATION)
	if err != nil {
		return fmt.Errorf("check %s: %w", path, err)
	}
	dacl, _, err := sd.DACL()
	if err != nil || dacl == nil {
		return fmt.Errorf("%s has no access list, which lets everyone read it", path)
	}
	broad := []windows.WELL_KNOWN_SID_TYPE{windows.WinWorldSid, windows.WinBuiltinUsersSid,
		windows.WinAuthenticatedUserSid, windows.WinInteractiveSid, windows.WinBuiltinGuestsSid}
	for i := uint32(0); i < uint32(dacl.AceCount); i++ {
		var ace *windows.ACCESS_ALLOWED_ACE
		if err := windows.GetAce(dacl, i, &ace); err != nil {
			return fmt.Errorf("check %s: %w", path, err)
		}
		if ace.Header.AceType != windows.ACCESS_ALLOWED_ACE_TYPE {
			continue
		}
		sid := (*windows.SID)(unsafe.Pointer(&ace.SidStart)) // the SID lies in place of SidStart
		for _, w := range broad {
			if sid.IsWellKnown(w) {
				return fmt.Errorf("%s lets %s read it; allow only the office account", path, sid.String())
			}
		}
	}
	return nil
}

// setOwnerOnly replaces the DACL of path with one entry, full control for the current user,
// protected from inheriting the parent's entries; on a directory the entry is inherited by
// everything created inside.
func setOwnerOnly(path string, dir bool) error {
	user, err := currentUserSID()
	if err != nil {
		return err
	}
	inherit := uint32(windows.NO_INHERITANCE)
	if dir {
		inherit = windows.SUB_CONTAINERS_AND_OBJECTS_INHERIT
	}
	acl, err := windows.ACLFromEntries([]windows.EXPLICIT_ACCESS{{
		AccessPermissions: fileAllAccess,
		AccessMode:        windows.SET_ACCESS,
		Inheritance:       inherit,
		Trustee: windows.TRUSTEE{
			TrusteeForm:  windows.TRUSTEE_IS_SID,
			TrusteeType:  windows.TRUSTEE_IS_USER,
			TrusteeValue: windows.TrusteeValueFromSID(user),
		},
	}}, nil)
	if err != nil {
		return fmt.Errorf("build access list: %w", err)
	}
	return windows.SetNamedSecurityInfo(path, windows.SE_FILE_OBJECT,
		windows.DACL_SECURITY_INFORMATION|windows.PROTECTED_DACL_SECURITY_INFORMATION, nil, nil, acl, nil)
}

// fileAllAccess is FILE_ALL_ACCESS, "Full control" as Explorer and icacls show it.
const fileAllAccess = windows.STANDARD_RIGHTS_REQUIRED | windows.SYNCHRONIZE | 0x1ff

// currentUserSID is the SID of the account this process runs as.
func currentUserSID() (*windows.SID, error) {
	tu, err := windows.GetCurrentProcessToken().GetTokenUser()
	if err != nil {
		return nil, fmt.Errorf("find the current user: %w", err)
	}
	return tu.User.Sid, nil
}
