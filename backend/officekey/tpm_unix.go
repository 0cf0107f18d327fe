//go:build !windows

package officekey

import (
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/google/go-tpm/tpm2/transport"
	"github.com/google/go-tpm/tpm2/transport/linuxtpm"
	"github.com/google/go-tpm/tpm2/transport/linuxudstpm"
)

// defaultTPMDevice is the kernel's resource-managed TPM device: it flushes what a crashed
// process left loaded, and lets several processes share the TPM.
const defaultTPMDevice = "/dev/tpmrm0"

func openPlatformTPM(path string) (transport.TPMCloser, error) {
	if path == "" {
		path = defaultTPMDevice
	}
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w: %s does not exist", ErrNoTPM, path)
	}
	t, err := linuxtpm.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open TPM %s: %w", path, err)
	}
	return t, nil
}

func openUnixTPM(path string) (transport.TPMCloser, error) {
	t, err := linuxudstpm.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open TPM simulator socket %s: %w", path, err)
	}
	return t, nil
}
