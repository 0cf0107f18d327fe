// Package scanner scans a stack of pages from a document scanner into image files, which
// the scan import then reads like any other file. Linux drives SANE through its own
// command-line front end, scanimage (Debian sane-utils; network eSCL/WSD scanners appear
// with sane-airscan): the Go SANE bindings found are unmaintained cgo. Windows drives WIA
// 2.0 through COM (wia_windows.go).
package scanner

import (
	"fmt"
	"os"
)

// Options choose the device and how it scans.
type Options struct {
	Device    string // "" for the first device
	Source    string // e.g. "Automatic Document Feeder"; "" for the device's default
	Mode      string // "Color" (default) or "Gray"
	DPI       int    // default 200: the permit QR reads reliably from 200 dpi
	StartPage int    // number of the first page, to go on after a jam (default 1)
	Extra     []string
	Dir       string // where pages are written; "" for a new temporary directory
}

// Stack is what a scan produced: page files in feed order, kept even when the scan stopped.
type Stack struct {
	Dir   string
	Pages []string
	temp  bool
}

// Cleanup removes the pages once they are imported (a temporary directory only).
func (s Stack) Cleanup() {
	if s.temp && s.Dir != "" {
		os.RemoveAll(s.Dir)
	}
}

// Error says why a scan stopped, and after which page, in Vietnamese and English.
type Error struct {
	Code     string // jammed, no_documents, cover_open, busy, no_device, failed
	VI, EN   string
	Scanned  int // pages scanned before it stopped (they are in the Stack)
	NextPage int // where to go on from
}

func (e *Error) Error() string { return e.EN }

func stopped(code string, scanned, next int, detail string) *Error {
	e := &Error{Code: code, Scanned: scanned, NextPage: next}
	kept := fmt.Sprintf("%d trang đã quét được giữ lại", scanned)
	keptEN := fmt.Sprintf("the %d pages scanned are kept", scanned)
	switch code {
	case "jammed":
		e.VI = fmt.Sprintf("Máy quét kẹt giấy ở tờ %d; %s. Gỡ tờ bị kẹt rồi quét tiếp từ tờ %d", next, kept, next)
		e.EN = fmt.Sprintf("The scanner jammed at sheet %d; %s. Clear the jam and go on from sheet %d", next, keptEN, next)
	case "no_documents":
		e.VI, e.EN = "Khay nạp giấy của máy quét trống", "The scanner's document feeder is empty"
	case "cover_open":
		e.VI = fmt.Sprintf("Nắp máy quét đang mở (dừng ở tờ %d; %s)", next, kept)
		e.EN = fmt.Sprintf("The scanner cover is open (stopped at sheet %d; %s)", next, keptEN)
	case "busy":
		e.VI, e.EN = "Máy quét đang bận; thử lại sau", "The scanner is busy; try again later"
	case "no_device":
		e.VI, e.EN = "Không tìm thấy máy quét", "No scanner was found"
	default:
		e.VI = fmt.Sprintf("Máy quét dừng ở tờ %d (%s); %s", next, detail, kept)
		e.EN = fmt.Sprintf("The scanner stopped at sheet %d (%s); %s", next, detail, keptEN)
	}
	return e
}
