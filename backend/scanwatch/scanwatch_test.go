package scanwatch

import (
	"bytes"
	"context"
	"image"
	"image/jpeg"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// recorder keeps what the watcher handed to the import, and when.
type recorder struct {
	mu    sync.Mutex
	calls []call
}

type call struct {
	name string
	data []byte
	at   time.Time
}

func (r *recorder) imp(_ context.Context, name string, data []byte) (any, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = append(r.calls, call{name, data, time.Now()})
	return len(r.calls), nil
}

func (r *recorder) snapshot() []call {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]call(nil), r.calls...)
}

func testJPEG(t *testing.T, seed byte) []byte {
	t.Helper()
	m := image.NewGray(image.Rect(0, 0, 400, 600))
	for i := range m.Pix {
		m.Pix[i] = byte(i)*seed + seed
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, m, &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func start(t *testing.T, dir string) (*recorder, func()) {
	return startWith(t, dir, Options{Stable: 500 * time.Millisecond, Rescan: 100 * time.Millisecond, GiveUp: time.Minute})
}

func startWith(t *testing.T, dir string, opt Options) (*recorder, func()) {
	t.Helper()
	r := &recorder{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		Watch(ctx, dir, opt, r.imp)
	}()
	return r, func() { cancel(); <-done }
}

// The two ways a file is noticed, each alone: file events (the folder is never listed
// again by the clock, so only an event can bring the file in), and the periodic listing
// (events off, as on a network share that sends none).
var noticeModes = []struct {
	name string
	opt  Options
}{
	{"file events only", Options{Stable: 500 * time.Millisecond, Rescan: time.Hour, GiveUp: time.Hour}},
	{"periodic listing only", Options{Stable: 500 * time.Millisecond, Rescan: 100 * time.Millisecond, GiveUp: time.Hour, NoEvents: true}},
}

func TestEventsAndListingEachFindFiles(t *testing.T) {
	for _, m := range noticeModes {
		t.Run(m.name, func(t *testing.T) {
			dir := t.TempDir()
			r, stop := startWith(t, dir, m.opt)
			defer stop()
			// Let Watch make its subfolders and take its first look, so the file comes after.
			waitFor(t, "the watcher", func() bool {
				_, err := os.Stat(filepath.Join(dir, Failed))
				return err == nil
			})
			time.Sleep(200 * time.Millisecond)
			a, b := testJPEG(t, 5), testJPEG(t, 6)
			os.WriteFile(filepath.Join(dir, "a.jpg"), a, 0o600)
			waitFor(t, "the first import", func() bool { return len(r.snapshot()) == 1 })
			// A second file, half written and finished after a pause longer than Stable:
			// read only once whole.
			f, err := os.Create(filepath.Join(dir, "b.jpg"))
			if err != nil {
				t.Fatal(err)
			}
			f.Write(b[:len(b)/2])
			f.Sync()
			time.Sleep(1200 * time.Millisecond)
			if n := len(r.snapshot()); n != 1 {
				t.Fatalf("%d imports while b.jpg was half written", n)
			}
			f.Write(b[len(b)/2:])
			f.Close()
			waitFor(t, "the second import", func() bool { return len(r.snapshot()) == 2 })
			c := r.snapshot()
			if c[0].name != "a.jpg" || !bytes.Equal(c[0].data, a) || c[1].name != "b.jpg" || !bytes.Equal(c[1].data, b) {
				t.Errorf("imports: %s (%d bytes), %s (%d bytes)", c[0].name, len(c[0].data), c[1].name, len(c[1].data))
			}
			waitFor(t, "the moves to done/", func() bool {
				_, e1 := os.Stat(filepath.Join(dir, Done, "a.jpg"))
				_, e2 := os.Stat(filepath.Join(dir, Done, "b.jpg"))
				return e1 == nil && e2 == nil
			})
		})
	}
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestFileWrittenWithAPauseIsNotReadEarly(t *testing.T) {
	dir := t.TempDir()
	r, stop := start(t, dir)
	defer stop()
	data := testJPEG(t, 3)
	f, err := os.Create(filepath.Join(dir, "scan001.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	f.Write(data[:len(data)/2])
	f.Sync()
	// The scanner pauses mid-write for three times the stable period: size and time stand
	// still, but the file has no JPEG end marker yet.
	time.Sleep(1500 * time.Millisecond)
	if c := r.snapshot(); len(c) != 0 {
		t.Fatalf("read while half written: %d bytes", len(c[0].data))
	}
	finished := time.Now()
	f.Write(data[len(data)/2:])
	f.Close()
	waitFor(t, "the import", func() bool { return len(r.snapshot()) == 1 })
	c := r.snapshot()[0]
	if !bytes.Equal(c.data, data) {
		t.Errorf("imported %d bytes, the file has %d", len(c.data), len(data))
	}
	if c.at.Sub(finished) < 500*time.Millisecond {
		t.Errorf("imported %v after the last write, before it was stable", c.at.Sub(finished))
	}
	waitFor(t, "the move to done/", func() bool {
		_, err := os.Stat(filepath.Join(dir, Done, "scan001.jpg"))
		return err == nil
	})
}

func TestFileDroppedTwiceIsProcessedOnce(t *testing.T) {
	dir := t.TempDir()
	r, stop := start(t, dir)
	defer stop()
	data := testJPEG(t, 5)
	os.WriteFile(filepath.Join(dir, "a.jpg"), data, 0o600)
	waitFor(t, "the first import", func() bool { return len(r.snapshot()) == 1 })
	os.WriteFile(filepath.Join(dir, "a.jpg"), data, 0o600)           // the same name again
	os.WriteFile(filepath.Join(dir, "a copy.jpg"), data, 0o600)      // and under another name
	os.WriteFile(filepath.Join(dir, "b.jpg"), testJPEG(t, 7), 0o600) // a different file
	waitFor(t, "b.jpg", func() bool { return len(r.snapshot()) == 2 })
	waitFor(t, "the copies to reach done/", func() bool {
		e, _ := os.ReadDir(filepath.Join(dir, Done))
		jpgs := 0
		for _, x := range e {
			if filepath.Ext(x.Name()) == ".jpg" {
				jpgs++
			}
		}
		return jpgs == 4
	})
	if n := len(r.snapshot()); n != 2 {
		t.Errorf("%d imports, want 2 (a.jpg once, b.jpg once)", n)
	}
	if _, err := os.Stat(filepath.Join(dir, Done, "a (2).jpg.txt")); err != nil {
		t.Errorf("the second a.jpg has no note saying it was a duplicate: %v", err)
	}
}

func TestNotAScanGoesToFailedWithTheReason(t *testing.T) {
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		Watch(ctx, dir, Options{Stable: 200 * time.Millisecond, Rescan: 50 * time.Millisecond}, func(context.Context, string, []byte) (any, error) {
			return nil, os.ErrInvalid
		})
	}()
	defer func() { cancel(); <-done }()
	os.WriteFile(filepath.Join(dir, "report.docx"), []byte("PK\x03\x04 not a scan"), 0o600)
	os.WriteFile(filepath.Join(dir, "~scan.jpg.tmp"), []byte("being written"), 0o600)
	waitFor(t, "failed/report.docx.txt", func() bool {
		b, err := os.ReadFile(filepath.Join(dir, Failed, "report.docx.txt"))
		return err == nil && len(b) > 0
	})
	if _, err := os.Stat(filepath.Join(dir, "~scan.jpg.tmp")); err != nil {
		t.Errorf("a temporary file was touched: %v", err)
	}
}

func TestLeftInProcessingIsImportedOnStart(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, Processing), 0o700)
	os.WriteFile(filepath.Join(dir, Processing, "crashed.jpg"), testJPEG(t, 9), 0o600)
	r, stop := start(t, dir)
	defer stop()
	waitFor(t, "the re-import", func() bool { return len(r.snapshot()) == 1 })
}
