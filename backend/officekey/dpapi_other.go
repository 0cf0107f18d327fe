//go:build !windows

package officekey

import "fmt"

// DPAPI is Windows's; elsewhere a machine without a TPM keeps the 0600 file.
const dpapiAvailable = false

func createDPAPIKey(string) (Key, error) {
	return nil, fmt.Errorf("create office key: DPAPI is only on Windows")
}

func openDPAPIKey(path string) (Key, error) {
	return nil, fmt.Errorf("office key %s: %w: DPAPI-protected keys open only on Windows", path, ErrNotThisMachine)
}
