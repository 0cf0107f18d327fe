package printing

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Printer is one printer (or CUPS class) of this computer.
type Printer struct {
	// Name is what Print takes: the CUPS queue name, or the Windows printer name.
	Name string `json:"name"`
	// Description is the human name set by whoever installed the printer (may be empty).
	Description string `json:"description"`
	// State is StateIdle, StatePrinting, StatePaused, StateOffline or StateUnknown.
	State string `json:"state"`
	// Default is the system's default printer.
	Default bool `json:"default"`
	// Accepting is false when the queue refuses new jobs (CUPS cupsreject).
	Accepting bool `json:"accepting"`
}

// Printer states.
const (
	StateIdle     = "idle"
	StatePrinting = "printing"
	StatePaused   = "paused"  // CUPS: disabled (cupsdisable); Windows: paused
	StateOffline  = "offline" // Windows only: the printer is set to work offline or unreachable
	StateUnknown  = "unknown"
)

// Job is a print job handed to the spooler.
type Job struct {
	// ID is the spooler's job id ("GDD-PDF-12" for CUPS) or, on Windows, the token that names
	// the document in the spooler.
	ID      string `json:"id"`
	Printer string `json:"printer"`
}

// Spooler is the operating system's print spooler.
type Spooler interface {
	// Printers lists the printers, with their state.
	Printers(ctx context.Context) ([]Printer, error)
	// Print queues pdf on printer as a job named title, copies times (1..50).
	Print(ctx context.Context, printer string, pdf []byte, title string, copies int) (Job, error)
	// JobDone reports whether job has completed (or is no longer queued at all).
	JobDone(ctx context.Context, job Job) (bool, error)
}

// MaxCopies is the largest number of copies Print accepts.
const MaxCopies = 50

// maxTitleRunes bounds job names; IPP allows 255 octets and printer panels show far fewer.
const maxTitleRunes = 100

// Error kinds, for errors.Is.
var (
	ErrPrinterNotFound = errors.New("printer not found")
	ErrPrinterPaused   = errors.New("printer paused")
	ErrNotAccepting    = errors.New("printer not accepting jobs")
	ErrNotPDF          = errors.New("not a PDF")
	ErrCopies          = errors.New("copies out of range")
	ErrInvalidJob      = errors.New("invalid job")
	ErrSpoolerDown     = errors.New("print spooler not running")
	ErrNotInstalled    = errors.New("print system not installed")
	ErrNoPDFHandler    = errors.New("no PDF application registered for printto")
	ErrSpooler         = errors.New("print spooler error")
)

// Error is every error of this package: a kind (one of the Err values above), what to tell the
// user in Vietnamese and in English, and the underlying error if there is one.
type Error struct {
	Kind error
	VI   string
	EN   string
	Err  error
}

func (e *Error) Error() string {
	s := e.VI + " (" + e.EN + ")"
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap gives errors.Is and errors.As both the kind and the cause.
func (e *Error) Unwrap() []error {
	if e.Err == nil {
		return []error{e.Kind}
	}
	return []error{e.Kind, e.Err}
}

func newError(kind error, cause error, vi, en string) *Error {
	return &Error{Kind: kind, VI: vi, EN: en, Err: cause}
}

func errPrinterNotFound(name string) *Error {
	return newError(ErrPrinterNotFound, nil,
		fmt.Sprintf("Không tìm thấy máy in %q. Hãy chọn một máy in trong danh sách, hoặc cài máy in này trên máy tính rồi thử lại", name),
		fmt.Sprintf("printer %q not found; choose one from the list or install it on this computer", name))
}

func errPrinterPaused(name, reason string) *Error {
	vi := fmt.Sprintf("Máy in %q đang tạm dừng", name)
	en := fmt.Sprintf("printer %q is paused", name)
	if reason != "" {
		vi += " (" + reason + ")"
		en += " (" + reason + ")"
	}
	return newError(ErrPrinterPaused, nil,
		vi+". Hãy kiểm tra máy in (giấy, mực, kẹt giấy), bật lại hàng đợi in rồi in lại; chưa có lệnh in nào được gửi",
		en+"; check the printer, resume its queue and print again; nothing was queued")
}

func errNotAccepting(name string) *Error {
	return newError(ErrNotAccepting, nil,
		fmt.Sprintf("Máy in %q đang từ chối lệnh in. Hãy cho hàng đợi nhận lệnh in lại (cupsaccept %s) hoặc chọn máy in khác", name, name),
		fmt.Sprintf("printer %q is not accepting jobs; let it accept jobs again (cupsaccept) or choose another printer", name))
}

// checkRequest validates what Print is given, before the printer list is looked at.
func checkRequest(printer string, pdf []byte, copies int) error {
	if strings.TrimSpace(printer) == "" {
		return newError(ErrPrinterNotFound, nil, "Chưa chọn máy in. Hãy chọn một máy in trong danh sách", "no printer chosen")
	}
	if !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		return newError(ErrNotPDF, nil,
			"Tệp cần in không phải PDF (không bắt đầu bằng %PDF-). Hãy tạo lại bản PDF rồi in",
			"the document is not a PDF (it does not start with %PDF-); nothing was printed")
	}
	if copies < 1 || copies > MaxCopies {
		return newError(ErrCopies, nil,
			fmt.Sprintf("Số bản in phải từ 1 đến %d (đã nhập %d)", MaxCopies, copies),
			fmt.Sprintf("copies must be 1 to %d, got %d", MaxCopies, copies))
	}
	return nil
}

func findPrinter(list []Printer, name string) (Printer, bool) {
	for _, p := range list {
		if p.Name == name {
			return p, true
		}
	}
	return Printer{}, false
}

// checkPrinter says whether a job may be queued on p.
func checkPrinter(p Printer, reason string) error {
	switch {
	case p.State == StatePaused:
		return errPrinterPaused(p.Name, reason)
	case !p.Accepting:
		return errNotAccepting(p.Name)
	}
	return nil
}

// SanitizeTitle makes a job name: invalid UTF-8 and control or format characters become
// spaces, runs of spaces become one, the result is trimmed and cut to 100 characters, and an
// empty title becomes "GiayDiDuong".
func SanitizeTitle(title string) string {
	words := strings.FieldsFunc(strings.ToValidUTF8(title, " "), func(r rune) bool {
		return unicode.IsSpace(r) || unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || r == utf8.RuneError
	})
	s := strings.Join(words, " ")
	if r := []rune(s); len(r) > maxTitleRunes {
		s = strings.TrimRight(string(r[:maxTitleRunes]), " ")
	}
	if s == "" {
		return "GiayDiDuong"
	}
	return s
}

var mediaBoxRE = regexp.MustCompile(`/MediaBox\s*\[\s*(-?[0-9.]+)\s+(-?[0-9.]+)\s+(-?[0-9.]+)\s+(-?[0-9.]+)\s*\]`)

// paperSizes in PostScript points (1/72 inch), portrait; names as CUPS and PWG media take them.
var paperSizes = []struct {
	name string
	w, h float64
}{
	{"A3", 841.89, 1190.55},
	{"A4", 595.28, 841.89},
	{"A5", 419.53, 595.28},
	{"Letter", 612, 792},
	{"Legal", 612, 1008},
}

// DetectMedia returns the paper size of the first /MediaBox in pdf ("A4", "A5", ...), in either
// orientation and within 3 points, or "" when there is none or it is another size. PDFs that
// keep their page objects in compressed object streams have no visible /MediaBox: "" as well.
func DetectMedia(pdf []byte) string {
	m := mediaBoxRE.FindSubmatch(pdf)
	if m == nil {
		return ""
	}
	var v [4]float64
	for i := range v {
		f, err := strconv.ParseFloat(string(m[i+1]), 64)
		if err != nil {
			return ""
		}
		v[i] = f
	}
	w, h := math.Abs(v[2]-v[0]), math.Abs(v[3]-v[1])
	if w > h {
		w, h = h, w
	}
	const tolerance = 3
	for _, s := range paperSizes {
		if math.Abs(w-s.w) <= tolerance && math.Abs(h-s.h) <= tolerance {
			return s.name
		}
	}
	return ""
}
