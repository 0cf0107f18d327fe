package printing

// Pure helpers of the Windows spooler (spooler_windows.go), kept free of build tags so that
// they are unit-tested on Linux too.

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf16"
)

// winPrinter is one element of the JSON the printers script prints (Win32_Printer fields).
type winPrinter struct {
	Name        string `json:"Name"`
	Comment     string `json:"Comment"`
	Default     bool   `json:"Default"`
	WorkOffline bool   `json:"WorkOffline"`
	Extended    int    `json:"Extended"` // ExtendedPrinterStatus
	Status      int    `json:"Status"`   // PrinterStatus
}

// parseWinPrinters reads ConvertTo-Json output: an array, a single object (PowerShell unrolls
// one-element arrays in some versions), or nothing.
func parseWinPrinters(out []byte) ([]Printer, error) {
	out = bytes.TrimSpace(bytes.TrimPrefix(out, []byte("\xef\xbb\xbf")))
	var raw []winPrinter
	switch {
	case len(out) == 0, string(out) == "null":
	case out[0] == '{':
		var one winPrinter
		if err := json.Unmarshal(out, &one); err != nil {
			return nil, fmt.Errorf("parse printer JSON: %w", err)
		}
		raw = []winPrinter{one}
	default:
		if err := json.Unmarshal(out, &raw); err != nil {
			return nil, fmt.Errorf("parse printer list JSON: %w", err)
		}
	}
	list := make([]Printer, 0, len(raw))
	for _, w := range raw {
		if w.Name == "" {
			continue
		}
		list = append(list, Printer{
			Name:        w.Name,
			Description: w.Comment,
			State:       winState(w),
			Default:     w.Default,
			Accepting:   true, // Windows queues have no "reject jobs" switch
		})
	}
	return list, nil
}

// winState maps Win32_Printer's ExtendedPrinterStatus (falling back to PrinterStatus) to a
// Printer state.
func winState(w winPrinter) string {
	if w.WorkOffline {
		return StateOffline
	}
	status := w.Extended
	if status == 0 || status == 1 || status == 2 { // not reported, Other, Unknown
		status = w.Status
	}
	switch status {
	case 3, 15: // Idle, Power Save
		return StateIdle
	case 4, 5, 10, 12, 13, 17: // Printing, Warming Up, Busy, Waiting, Processing, I/O Active
		return StatePrinting
	case 6, 8: // Stopped Printing, Paused
		return StatePaused
	case 7, 11: // Offline, Not Available
		return StateOffline
	}
	return StateUnknown
}

// encodePowerShell encodes a script for powershell.exe -EncodedCommand (base64 of UTF-16LE),
// which needs no quoting whatever the script holds.
func encodePowerShell(script string) string {
	units := utf16.Encode([]rune(script))
	buf := make([]byte, 2*len(units))
	for i, u := range units {
		binary.LittleEndian.PutUint16(buf[2*i:], u)
	}
	return base64.StdEncoding.EncodeToString(buf)
}

// winDocName is the temporary file name of a job: readers name the spooler document after the
// file, so the token in it finds the job again. Only letters, digits, '-' and '_' from the title.
func winDocName(token, title string) string {
	var b strings.Builder
	for _, r := range SanitizeTitle(title) {
		switch {
		case b.Len() >= 60:
		case unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-' || r == '_':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	return "GDD-" + token + "-" + strings.Trim(b.String(), "_") + ".pdf"
}
