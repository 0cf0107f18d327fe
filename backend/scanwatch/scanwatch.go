// Package scanwatch imports the files a network scanner drops into a folder. A scanner
// writing over SMB or FTP sends no "closed after writing" event anywhere, and a size-stable
// check alone is fooled by a pause mid-write, so a file is read only when its size and time
// have not moved for Options.Stable and its format says it is complete (JPEG end marker,
// PDF %%EOF, TIFF page chain inside the file). It is then moved to processing/ (so it is
// not read twice), imported, and moved to done/ or failed/ (with a .txt saying why). File
// events (fsnotify) make the folder be looked at as soon as something is written, and again
// once it could have rested for Options.Stable; the folder is also listed every
// Options.Rescan, which catches what network shares never announce (a share mounted from
// another machine delivers no events for writes made there).
// A file left in processing/ by a crash is imported again on start: imports are idempotent
// by page content, so nothing is attached twice.
package scanwatch

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/fsnotify/fsnotify"

	"giaydiduong/backend/scan"
)

// Options tune the watcher; zero values take the defaults.
type Options struct {
	Stable time.Duration // unchanged size and mtime for this long (default 2 s)
	// Rescan is the folder listing period: 30 s by default while file events arrive, 1 s
	// when they are off or cannot be had.
	Rescan time.Duration
	// NoEvents lists the folder only every Rescan (for a folder on a network share, where
	// events never come).
	NoEvents bool
	GiveUp   time.Duration // a file incomplete this long goes to failed/ (default 10 min)
	// Check, when set, may refuse a file by its size before it is read into memory (the
	// office's size limit); a refused file goes to failed/ with the reason.
	Check func(name string, size int64) error
	// Log is told what became of each file (res is what Import returned).
	Log func(name string, res any, err error)
}

// Import imports one file's bytes.
type Import func(ctx context.Context, name string, data []byte) (any, error)

// Subfolders of the watched folder.
const (
	Processing = "processing"
	Done       = "done"
	Failed     = "failed"
)

type seen struct {
	size    int64
	mtime   time.Time
	since   time.Time // when size and mtime last changed
	firstAt time.Time
}

// Watch runs until ctx is done.
func Watch(ctx context.Context, dir string, opt Options, imp Import) error {
	if opt.Stable <= 0 {
		opt.Stable = 2 * time.Second
	}
	var events *fsnotify.Watcher
	if !opt.NoEvents {
		var err error
		if events, err = fsnotify.NewWatcher(); err == nil {
			if err = events.Add(dir); err != nil {
				events.Close()
				events = nil
			}
		}
		if err != nil {
			slog.Warn("scan folder: no file events, listing it every second instead", "dir", dir, "err", err)
		}
	}
	if events != nil {
		defer events.Close()
	}
	if opt.Rescan <= 0 {
		opt.Rescan = time.Second
		if events != nil {
			opt.Rescan = 30 * time.Second
		}
	}
	if opt.GiveUp <= 0 {
		opt.GiveUp = 10 * time.Minute
	}
	if opt.Log == nil {
		opt.Log = func(name string, res any, err error) {
			if err != nil {
				slog.Warn("scan folder: file failed", "file", name, "err", err)
			}
		}
	}
	for _, sub := range []string{Processing, Done, Failed} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o700); err != nil {
			return fmt.Errorf("watch %s: %w", dir, err)
		}
	}
	w := &watcher{dir: dir, opt: opt, imp: imp, files: map[string]*seen{}, hashes: map[string]string{}}
	// A crash mid-import left these: import them again (idempotent).
	left, _ := os.ReadDir(filepath.Join(dir, Processing))
	for _, e := range left {
		if e.Type().IsRegular() {
			w.process(ctx, filepath.Join(dir, Processing, e.Name()), e.Name())
		}
	}
	t := time.NewTicker(opt.Rescan)
	defer t.Stop()
	// After an event the folder is looked at again once a file written then could have
	// rested for Stable; more events push that look back.
	settle := time.NewTimer(time.Hour)
	settle.Stop()
	defer settle.Stop()
	var evc <-chan fsnotify.Event
	var errc <-chan error
	if events != nil {
		evc, errc = events.Events, events.Errors
	}
	for {
		w.scan(ctx)
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		case <-settle.C:
		case ev, ok := <-evc:
			if !ok {
				evc = nil
				continue
			}
			if ev.Op&(fsnotify.Create|fsnotify.Write|fsnotify.Rename|fsnotify.Chmod) == 0 {
				continue
			}
			settle.Reset(opt.Stable + opt.Stable/10 + 50*time.Millisecond)
		case err, ok := <-errc:
			if !ok {
				errc = nil
				continue
			}
			// An overflowed queue lost events: the next listing finds the files anyway.
			opt.Log(dir, nil, fmt.Errorf("file events: %w", err))
		}
	}
}

type watcher struct {
	dir    string
	opt    Options
	imp    Import
	files  map[string]*seen
	hashes map[string]string // content hash → where it went, for a file dropped twice
}

// temporary reports names scanners and copy tools use while writing.
func temporary(name string) bool {
	l := strings.ToLower(name)
	return strings.HasPrefix(l, ".") || strings.HasPrefix(l, "~") ||
		strings.HasSuffix(l, ".tmp") || strings.HasSuffix(l, ".part") || strings.HasSuffix(l, ".partial") ||
		strings.HasSuffix(l, ".crdownload") || strings.HasSuffix(l, ".filepart") || strings.HasSuffix(l, ".txt")
}

func (w *watcher) scan(ctx context.Context) {
	entries, err := os.ReadDir(w.dir)
	if err != nil {
		w.opt.Log(w.dir, nil, fmt.Errorf("list the folder: %w", err))
		return
	}
	now := time.Now()
	present := map[string]bool{}
	for _, e := range entries {
		if !e.Type().IsRegular() || temporary(e.Name()) {
			continue
		}
		name := e.Name()
		present[name] = true
		info, err := e.Info()
		if err != nil {
			continue
		}
		s, ok := w.files[name]
		if !ok || s.size != info.Size() || !s.mtime.Equal(info.ModTime()) {
			if !ok {
				s = &seen{firstAt: now}
				w.files[name] = s
			}
			s.size, s.mtime, s.since = info.Size(), info.ModTime(), now
			continue
		}
		// Stable on our clock and on the file's own: a writer on another machine may
		// have a skewed clock, so both must agree the file has rested.
		if now.Sub(s.since) < w.opt.Stable || now.Sub(info.ModTime()) < w.opt.Stable && info.ModTime().Before(now.Add(time.Minute)) {
			continue
		}
		path := filepath.Join(w.dir, name)
		if !w.complete(path, info.Size()) {
			if now.Sub(s.firstAt) > w.opt.GiveUp {
				w.fail(path, name, errors.New("the file stayed incomplete (no end marker); was the scan interrupted?"))
				delete(w.files, name)
			}
			continue
		}
		delete(w.files, name)
		proc := filepath.Join(w.dir, Processing, name)
		if err := os.Rename(path, proc); err != nil {
			w.opt.Log(name, nil, fmt.Errorf("move to processing: %w", err))
			continue
		}
		w.process(ctx, proc, name)
	}
	for name := range w.files {
		if !present[name] {
			delete(w.files, name)
		}
	}
}

// complete reads the file only when it is small enough to import and checks its ending.
func (w *watcher) complete(path string, size int64) bool {
	if size == 0 {
		return false
	}
	if size > scan.DefaultLimits.MaxFileBytes {
		return true // refused by the import with its reason, not waited on forever
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return false
	}
	if _, ok := scan.Sniff(data); !ok {
		return true // not a scan: the import refuses it and it goes to failed/
	}
	return scan.Complete(data)
}

func (w *watcher) process(ctx context.Context, proc, name string) {
	if w.opt.Check != nil {
		info, err := os.Stat(proc)
		if err != nil {
			w.opt.Log(name, nil, fmt.Errorf("read: %w", err))
			return
		}
		if err := w.opt.Check(name, info.Size()); err != nil {
			w.fail(proc, name, err)
			return
		}
	}
	data, err := os.ReadFile(proc)
	if err != nil {
		w.opt.Log(name, nil, fmt.Errorf("read: %w", err))
		return
	}
	sum := sha256.Sum256(data)
	h := hex.EncodeToString(sum[:])
	if prev, ok := w.hashes[h]; ok {
		// Dropped twice: processed once. The copy goes where the first went, nothing imported.
		w.finish(proc, name, prev, fmt.Sprintf("the same file as %s, already processed", prev))
		return
	}
	res, err := w.imp(ctx, name, data)
	if err != nil {
		if ctx.Err() != nil {
			return // stopped: left in processing/, imported again on the next start
		}
		w.hashes[h] = name
		w.fail(proc, name, err)
		return
	}
	w.hashes[h] = name
	w.finish(proc, name, "", "")
	w.opt.Log(name, res, nil)
}

func (w *watcher) finish(proc, name, _ string, note string) {
	dst := unique(filepath.Join(w.dir, Done, name))
	if err := os.Rename(proc, dst); err != nil {
		w.opt.Log(name, nil, fmt.Errorf("move to done: %w", err))
		return
	}
	if note != "" {
		os.WriteFile(dst+".txt", []byte(note+"\n"), 0o600)
	}
}

func (w *watcher) fail(path, name string, why error) {
	dst := unique(filepath.Join(w.dir, Failed, name))
	if err := os.Rename(path, dst); err != nil {
		w.opt.Log(name, nil, fmt.Errorf("move to failed: %w", err))
		return
	}
	os.WriteFile(dst+".txt", []byte(why.Error()+"\n"), 0o600)
	w.opt.Log(name, nil, why)
}

// unique adds " (2)", " (3)"… before the extension when the name is taken.
func unique(path string) string {
	if _, err := os.Lstat(path); errors.Is(err, os.ErrNotExist) {
		return path
	}
	ext := filepath.Ext(path)
	base := strings.TrimSuffix(path, ext)
	for i := 2; ; i++ {
		p := fmt.Sprintf("%s (%d)%s", base, i, ext)
		if _, err := os.Lstat(p); errors.Is(err, os.ErrNotExist) {
			return p
		}
	}
}
