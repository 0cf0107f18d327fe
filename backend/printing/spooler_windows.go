//go:build windows

package printing

// The Windows print spooler through the built-in Windows PowerShell 5.1. Compiled and vetted
// on Linux only; see the package documentation for what has not been tested.

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"giaydiduong/backend/owneronly"
)

// New returns the Windows print spooler.
func New() Spooler {
	return &winSpooler{
		log:  slog.Default().With("component", "printing"),
		jobs: map[string]*winJob{},
	}
}

type winSpooler struct {
	log  *slog.Logger
	mu   sync.Mutex
	jobs map[string]*winJob // by token (Job.ID)
}

// winJob is a document handed to the PDF reader, until the spooler has printed it.
type winJob struct {
	path   string
	queued time.Time
	seen   bool // the spooler has listed it at least once
}

const (
	// notSeenGrace: a job the spooler never listed is taken as printed after this long (a fast
	// printer can swallow a small job between two looks).
	notSeenGrace = 2 * time.Minute
	// tempMaxAge: temporary PDFs older than this are removed at the next Print.
	tempMaxAge = 24 * time.Hour
	// exitNoHandler is the printing script's exit code when no application handles "printto".
	exitNoHandler = 3
)

const psPrelude = `$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
[Console]::OutputEncoding = [System.Text.Encoding]::UTF8
`

const psPrinters = psPrelude + `$list = @(Get-CimInstance -ClassName Win32_Printer | ForEach-Object {
  [pscustomobject]@{
    Name = [string]$_.Name
    Comment = [string]$_.Comment
    Default = [bool]$_.Default
    WorkOffline = [bool]$_.WorkOffline
    Extended = [int]$_.ExtendedPrinterStatus
    Status = [int]$_.PrinterStatus
  }
})
ConvertTo-Json -InputObject $list -Compress
`

// psPrint hands the file to the "printto" handler once per copy. It waits up to 30 s for the
// reader to exit (SumatraPDF does once the job is spooled); a reader that stays open (Acrobat)
// gets 3 s per further copy. Values come in environment variables: no quoting problems.
const psPrint = psPrelude + `$wait = 30000
for ($i = 0; $i -lt [int]$env:GDD_PRINT_COPIES; $i++) {
  try {
    $p = Start-Process -FilePath $env:GDD_PRINT_FILE -Verb PrintTo -ArgumentList ('"' + $env:GDD_PRINT_PRINTER + '"') -WindowStyle Hidden -PassThru
  } catch {
    $e = $_.Exception
    while ($e -ne $null) {
      if ($e -is [System.ComponentModel.Win32Exception] -and ($e.NativeErrorCode -eq 1155 -or $e.NativeErrorCode -eq 31)) {
        [Console]::Error.WriteLine($_.Exception.Message)
        exit 3
      }
      $e = $e.InnerException
    }
    [Console]::Error.WriteLine($_.Exception.Message)
    exit 2
  }
  if ($p -ne $null) {
    if (-not $p.WaitForExit($wait)) { $wait = 3000 }
  }
}
exit 0
`

// psJobCount prints how many spooler jobs have the token in their document name.
const psJobCount = psPrelude + `@(Get-CimInstance -ClassName Win32_PrintJob | Where-Object { $_.Document -like ('*' + $env:GDD_JOB_TOKEN + '*') }).Count
`

func (s *winSpooler) Printers(ctx context.Context) ([]Printer, error) {
	out, stderr, err := s.powershell(ctx, 2*time.Minute, psPrinters, nil)
	if err != nil {
		return nil, psError("list printers", stderr, err)
	}
	list, err := parseWinPrinters(out)
	if err != nil {
		return nil, newError(ErrSpooler, err, "Không đọc được danh sách máy in của Windows", "cannot read the Windows printer list")
	}
	return list, nil
}

func (s *winSpooler) Print(ctx context.Context, printer string, pdf []byte, title string, copies int) (Job, error) {
	if err := checkRequest(printer, pdf, copies); err != nil {
		return Job{}, err
	}
	list, err := s.Printers(ctx)
	if err != nil {
		return Job{}, err
	}
	p, ok := findPrinter(list, printer)
	if !ok || strings.Contains(printer, `"`) {
		return Job{}, errPrinterNotFound(printer)
	}
	if err := checkPrinter(p, ""); err != nil {
		return Job{}, err
	}
	title = SanitizeTitle(title)

	dir := filepath.Join(os.TempDir(), "GiayDiDuong-print")
	if err := owneronly.MkdirAll(dir); err != nil {
		return Job{}, newError(ErrSpooler, err, "Không tạo được thư mục tạm để in", "cannot create the print folder")
	}
	s.removeOld(ctx, dir)
	var raw [8]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return Job{}, newError(ErrSpooler, fmt.Errorf("job token: %w", err), "Lỗi hệ thống", "internal error")
	}
	token := hex.EncodeToString(raw[:])
	path := filepath.Join(dir, winDocName(token, title))
	if err := os.WriteFile(path, pdf, owneronly.FileMode); err != nil {
		return Job{}, newError(ErrSpooler, fmt.Errorf("write %s: %w", path, err), "Không ghi được tệp PDF tạm để in", "cannot write the temporary PDF")
	}
	env := []string{
		"GDD_PRINT_FILE=" + path,
		"GDD_PRINT_PRINTER=" + printer,
		"GDD_PRINT_COPIES=" + strconv.Itoa(copies),
	}
	timeout := 2*time.Minute + time.Duration(copies)*35*time.Second
	_, stderr, err := s.powershell(ctx, timeout, psPrint, env)
	if err != nil {
		_ = os.Remove(path)
		var exit *exec.ExitError
		if errors.As(err, &exit) && exit.ExitCode() == exitNoHandler {
			return Job{}, newError(ErrNoPDFHandler, fmt.Errorf("printto %s: %w: %s", printer, err, strings.TrimSpace(stderr)),
				"Máy tính chưa có phần mềm đọc PDF in được tự động (lệnh \"printto\"). Hãy cài SumatraPDF hoặc Adobe Acrobat Reader, đặt làm ứng dụng mở PDF mặc định, rồi in lại",
				`no PDF application handles the "printto" verb; install SumatraPDF or Adobe Acrobat Reader as the default PDF app and print again`)
		}
		return Job{}, psError("print to "+printer, stderr, err)
	}
	s.mu.Lock()
	s.jobs[token] = &winJob{path: path, queued: time.Now()}
	s.mu.Unlock()
	job := Job{ID: token, Printer: printer}
	s.log.InfoContext(ctx, "print job handed to PDF reader", "printer", printer, "job", job.ID, "title", title,
		"copies", copies, "bytes", len(pdf))
	return job, nil
}

func (s *winSpooler) JobDone(ctx context.Context, job Job) (bool, error) {
	if _, err := hex.DecodeString(job.ID); err != nil || len(job.ID) != 16 || job.Printer == "" {
		return false, newError(ErrInvalidJob, nil, "Mã lệnh in không hợp lệ", "invalid job id")
	}
	out, stderr, err := s.powershell(ctx, time.Minute, psJobCount, []string{"GDD_JOB_TOKEN=" + job.ID})
	if err != nil {
		return false, psError("list print jobs", stderr, err)
	}
	n, err := strconv.Atoi(strings.TrimSpace(string(bytes.TrimPrefix(out, []byte("\xef\xbb\xbf")))))
	if err != nil {
		return false, newError(ErrSpooler, fmt.Errorf("job count %q: %w", out, err), "Không đọc được hàng đợi in của Windows", "cannot read the Windows print queue")
	}

	s.mu.Lock()
	j := s.jobs[job.ID]
	if n > 0 && j != nil {
		j.seen = true
	}
	done := n == 0 && (j == nil || j.seen || time.Since(j.queued) > notSeenGrace)
	if done && j != nil {
		delete(s.jobs, job.ID)
	}
	s.mu.Unlock()

	if done {
		if j != nil {
			if !j.seen {
				s.log.WarnContext(ctx, "print job never seen in the Windows queue; taken as printed", "printer", job.Printer, "job", job.ID)
			}
			if err := os.Remove(j.path); err != nil && !errors.Is(err, os.ErrNotExist) {
				s.log.WarnContext(ctx, "remove temporary PDF", "path", j.path, "err", err)
			}
		}
		return true, nil
	}
	if n > 0 {
		list, err := s.Printers(ctx)
		if err != nil {
			return false, err
		}
		if p, ok := findPrinter(list, job.Printer); ok && p.State == StatePaused {
			return false, newError(ErrPrinterPaused, nil,
				fmt.Sprintf("Máy in %q đang tạm dừng; lệnh in vẫn đang chờ và sẽ được in khi máy in được bật lại. Đừng in lại, kẻo in trùng", job.Printer),
				fmt.Sprintf("printer %q is paused; the job is waiting and prints when the printer is resumed; do not print it again", job.Printer))
		}
	}
	return false, nil
}

// removeOld deletes temporary PDFs left by earlier runs.
func (s *winSpooler) removeOld(ctx context.Context, dir string) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		info, err := e.Info()
		if err != nil || e.IsDir() || time.Since(info.ModTime()) < tempMaxAge {
			continue
		}
		if err := os.Remove(filepath.Join(dir, e.Name())); err != nil {
			s.log.DebugContext(ctx, "remove old temporary PDF", "name", e.Name(), "err", err)
		}
	}
}

// powershell runs script in Windows PowerShell with extra environment variables, no window,
// within timeout.
func (s *winSpooler) powershell(ctx context.Context, timeout time.Duration, script string, env []string) (stdout []byte, stderr string, err error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	exe := "powershell.exe"
	if root := os.Getenv("SystemRoot"); root != "" {
		exe = filepath.Join(root, "System32", "WindowsPowerShell", "v1.0", "powershell.exe")
	}
	cmd := exec.CommandContext(ctx, exe, "-NoProfile", "-NonInteractive", "-ExecutionPolicy", "Bypass",
		"-EncodedCommand", encodePowerShell(script))
	cmd.Env = append(os.Environ(), env...)
	cmd.SysProcAttr = &syscall.SysProcAttr{HideWindow: true, CreationFlags: 0x08000000} // CREATE_NO_WINDOW
	cmd.WaitDelay = 5 * time.Second
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err = cmd.Run()
	switch {
	case err != nil && ctx.Err() != nil:
		err = fmt.Errorf("run powershell: %w (%w)", err, context.Cause(ctx))
	case err != nil:
		err = fmt.Errorf("run powershell: %w", err)
	}
	return out.Bytes(), errOut.String(), err
}

// psError classifies a PowerShell run that failed.
func psError(what, stderr string, err error) error {
	stderr = strings.TrimSpace(stderr)
	cause := fmt.Errorf("%s: %w", what, err)
	if stderr != "" {
		cause = fmt.Errorf("%s: %w: %s", what, err, stderr)
	}
	switch {
	case errors.Is(err, exec.ErrNotFound), errors.Is(err, os.ErrNotExist):
		return newError(ErrNotInstalled, cause,
			"Không chạy được Windows PowerShell, cần để liệt kê máy in và in. Hãy kiểm tra Windows PowerShell còn được bật trên máy",
			"Windows PowerShell cannot be run; it is needed to list printers and print")
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		return newError(ErrSpooler, cause,
			"Hệ thống in của Windows không trả lời kịp; hãy kiểm tra hàng đợi máy in trước khi in lại",
			"the Windows print system did not answer in time; check the queue before printing again")
	case strings.Contains(stderr, "Spooler"), strings.Contains(stderr, "RPC server"):
		return newError(ErrSpoolerDown, cause,
			"Dịch vụ in của Windows (Print Spooler) chưa chạy. Hãy khởi động lại dịch vụ Print Spooler hoặc khởi động lại máy rồi thử lại",
			"the Windows Print Spooler service is not running; restart it and try again")
	}
	return newError(ErrSpooler, cause, "Lỗi hệ thống in của Windows: "+stderr, "Windows print error")
}
