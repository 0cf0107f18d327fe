//go:build windows

package officekey

import (
	"errors"
	"fmt"

	"github.com/google/go-tpm/tpm2/transport"
	"github.com/google/go-tpm/tpm2/transport/windowstpm"
)

// openPlatformTPM opens the TPM through TBS (the TPM Base Services), which shares it
// between processes as /dev/tpmrm0 does on Linux.
func openPlatformTPM(path string) (transport.TPMCloser, error) {
	if path != "" {
		return nil, fmt.Errorf("open TPM %q: on Windows the TPM is reached through TBS; leave GDD_TPM empty", path)
	}
	t, err := windowstpm.Open()
	if err != nil {
		// No TPM, TBS off, or a TPM 1.2: the office key falls back to DPAPI.
		return nil, fmt.Errorf("%w: TBS: %w", ErrNoTPM, err)
	}
	return t, nil
}

func openUnixTPM(path string) (transport.TPMCloser, error) {
	return nil, errors.New("a TPM simulator socket is for the Linux tests only")
}
