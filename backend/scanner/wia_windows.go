//go:build windows

package scanner

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"

	ole "github.com/go-ole/go-ole"
	"github.com/go-ole/go-ole/oleutil"
)

// WIA 2.0 through its automation layer (wiaaut.dll, in every Windows since Vista), driven
// over COM with go-ole (pure Go: the Windows build stays cross-compilable).
//
// What was tested where: this file is cross-compiled and vetted on Debian (GOOS=windows);
// it has NOT been run against a scanner on Windows (no Windows machine with a scanner was
// available). The property ids and error codes are WIA's documented ones (wiadef.h).
const (
	wiaDeviceTypeScanner      = 1
	wiaFormatJPEG             = "{B96B3CAE-0728-11D3-9D7B-0000F81EF32E}"
	wiaDPSDocumentHandlingSel = 3088 // device: 1 feeder, 2 flatbed
	wiaIPSXRes                = 6147
	wiaIPSYRes                = 6148
	wiaIPSCurIntent           = 6146 // 1 colour, 2 greyscale
	wiaErrorPaperEmpty        = 0x80210003
	wiaErrorPaperJam          = 0x80210002
	wiaErrorBusy              = 0x80210006
	wiaErrorCoverOpen         = 0x80210016
	wiaErrorOffline           = 0x80210005
)

// Scan scans pages from the first WIA scanner (or the one whose name is opt.Device) until
// the feeder is empty. A jam stops it: the pages before stay in the Stack.
func Scan(ctx context.Context, opt Options) (Stack, error) {
	runtime.LockOSThread() // COM apartments belong to a thread
	defer runtime.UnlockOSThread()
	if err := ole.CoInitializeEx(0, ole.COINIT_APARTMENTTHREADED); err != nil {
		var oe *ole.OleError
		if !errors.As(err, &oe) || oe.Code() != 1 { // S_FALSE: already initialised
			return Stack{}, fmt.Errorf("scan: start COM: %w", err)
		}
	}
	defer ole.CoUninitialize()
	if opt.DPI == 0 {
		opt.DPI = 200
	}
	if opt.StartPage == 0 {
		opt.StartPage = 1
	}
	st := Stack{Dir: opt.Dir}
	var err error
	if st.Dir == "" {
		if st.Dir, err = os.MkdirTemp("", "gdd-scan-"); err != nil {
			return Stack{}, fmt.Errorf("scan: %w", err)
		}
		st.temp = true
	}
	unk, err := oleutil.CreateObject("WIA.DeviceManager")
	if err != nil {
		return st, stopped("no_device", 0, opt.StartPage, "")
	}
	defer unk.Release()
	dm, err := unk.QueryInterface(ole.IID_IDispatch)
	if err != nil {
		return st, fmt.Errorf("scan: WIA: %w", err)
	}
	defer dm.Release()
	infos := oleutil.MustGetProperty(dm, "DeviceInfos").ToIDispatch()
	defer infos.Release()
	count := int(oleutil.MustGetProperty(infos, "Count").Val)
	var dev *ole.IDispatch
	for i := 1; i <= count && dev == nil; i++ {
		info := oleutil.MustGetProperty(infos, "Item", i).ToIDispatch()
		kind := oleutil.MustGetProperty(info, "Type").Val
		name := ""
		if props, err := oleutil.GetProperty(info, "Properties"); err == nil {
			if p, err := oleutil.GetProperty(props.ToIDispatch(), "Item", "Name"); err == nil {
				name = oleutil.MustGetProperty(p.ToIDispatch(), "Value").ToString()
			}
		}
		if kind == wiaDeviceTypeScanner && (opt.Device == "" || opt.Device == name) {
			if d, err := oleutil.CallMethod(info, "Connect"); err == nil {
				dev = d.ToIDispatch()
			}
		}
		info.Release()
	}
	if dev == nil {
		return st, stopped("no_device", 0, opt.StartPage, "")
	}
	defer dev.Release()
	if opt.Source != "" && opt.Source != "Flatbed" {
		setProp(dev, wiaDPSDocumentHandlingSel, 1)
	}
	items := oleutil.MustGetProperty(dev, "Items").ToIDispatch()
	defer items.Release()
	item := oleutil.MustGetProperty(items, "Item", 1).ToIDispatch()
	defer item.Release()
	setProp(item, wiaIPSXRes, opt.DPI)
	setProp(item, wiaIPSYRes, opt.DPI)
	intent := 1
	if opt.Mode == "Gray" {
		intent = 2
	}
	setProp(item, wiaIPSCurIntent, intent)
	for page := opt.StartPage; ; page++ {
		if ctx.Err() != nil {
			return st, ctx.Err()
		}
		img, err := oleutil.CallMethod(item, "Transfer", wiaFormatJPEG)
		if err != nil {
			code := uint32(0)
			var oe *ole.OleError
			if errors.As(err, &oe) {
				code = uint32(oe.Code())
			}
			switch code {
			case wiaErrorPaperEmpty:
				if len(st.Pages) == 0 {
					return st, stopped("no_documents", 0, page, "")
				}
				return st, nil
			case wiaErrorPaperJam:
				return st, stopped("jammed", len(st.Pages), page, "")
			case wiaErrorCoverOpen:
				return st, stopped("cover_open", len(st.Pages), page, "")
			case wiaErrorBusy:
				return st, stopped("busy", len(st.Pages), page, "")
			case wiaErrorOffline:
				return st, stopped("no_device", len(st.Pages), page, "")
			}
			return st, stopped("failed", len(st.Pages), page, err.Error())
		}
		file := img.ToIDispatch()
		path := filepath.Join(st.Dir, fmt.Sprintf("page-%04d.jpg", page))
		_, err = oleutil.CallMethod(file, "SaveFile", path)
		file.Release()
		if err != nil {
			return st, stopped("failed", len(st.Pages), page, err.Error())
		}
		st.Pages = append(st.Pages, path)
		if opt.Source == "" || opt.Source == "Flatbed" {
			return st, nil // a flatbed gives one page per press
		}
	}
}

func setProp(d *ole.IDispatch, id, value int) {
	props, err := oleutil.GetProperty(d, "Properties")
	if err != nil {
		return
	}
	p, err := oleutil.GetProperty(props.ToIDispatch(), "Item", fmt.Sprint(id))
	if err != nil {
		return // the device does not have it: keep its default
	}
	oleutil.PutProperty(p.ToIDispatch(), "Value", value)
}
