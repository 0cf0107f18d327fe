//go:build !windows

package printing

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// New returns the CUPS spooler of this computer (Linux, macOS).
func New() Spooler { return newCUPS() }

// cups drives CUPS through its command-line clients.
type cups struct {
	log *slog.Logger
	// extraEnv is appended to the clients' environment (tests point CUPS_SERVER elsewhere).
	extraEnv []string
	// timeout bounds each client run, within the caller's context.
	timeout time.Duration
}

func newCUPS() *cups {
	return &cups{log: slog.Default().With("component", "printing"), timeout: 2 * time.Minute}
}

// cupsPrinter is what lpstat says about one printer beyond its name.
type cupsPrinter struct {
	state       string
	reason      string // the printer's state message ("Paused", "Out of paper"), if any
	description string
}

func (c *cups) Printers(ctx context.Context) ([]Printer, error) {
	list, _, err := c.printers(ctx)
	return list, err
}

// printers lists the destinations, and the state message of each printer by name.
func (c *cups) printers(ctx context.Context) ([]Printer, map[string]string, error) {
	if err := c.checkScheduler(ctx); err != nil {
		return nil, nil, err
	}
	out, err := c.lpstat(ctx, "-e")
	if err != nil {
		return nil, nil, err
	}
	names := parseNames(out)
	list := make([]Printer, 0, len(names))
	reasons := map[string]string{}
	if len(names) == 0 {
		return list, reasons, nil
	}
	out, err = c.lpstat(ctx, "-l", "-p")
	if err != nil {
		return nil, nil, err
	}
	details := parsePrinters(out)
	out, err = c.lpstat(ctx, "-d")
	if err != nil {
		return nil, nil, err
	}
	def := parseDefault(out)
	out, err = c.lpstat(ctx, "-a")
	if err != nil {
		return nil, nil, err
	}
	accepting := parseAccepting(out)

	for _, name := range names {
		// "name/instance" is a set of saved options on the queue "name".
		queue, _, _ := strings.Cut(name, "/")
		p := Printer{Name: name, State: StateUnknown, Default: name == def, Accepting: true}
		if d, ok := details[queue]; ok {
			p.State, p.Description = d.state, d.description
			reasons[name] = d.reason
		}
		// Destinations lpstat -a does not know (network printers CUPS found but has not made a
		// queue for yet) take jobs: lp makes the queue on the fly.
		if a, ok := accepting[queue]; ok {
			p.Accepting = a
		}
		list = append(list, p)
	}
	return list, reasons, nil
}

var requestIDRE = regexp.MustCompile(`request id is (\S+)`)

func (c *cups) Print(ctx context.Context, printer string, pdf []byte, title string, copies int) (Job, error) {
	if err := checkRequest(printer, pdf, copies); err != nil {
		return Job{}, err
	}
	list, reasons, err := c.printers(ctx)
	if err != nil {
		return Job{}, err
	}
	p, ok := findPrinter(list, printer)
	if !ok {
		return Job{}, errPrinterNotFound(printer)
	}
	if err := checkPrinter(p, reasons[printer]); err != nil {
		return Job{}, err
	}
	title = SanitizeTitle(title)
	args := []string{"-d", printer, "-t", title, "-n", strconv.Itoa(copies)}
	media := DetectMedia(pdf)
	if media != "" {
		args = append(args, "-o", "media="+media)
	}
	// No file arguments: lp reads the document from stdin.
	stdout, stderr, err := c.run(ctx, pdf, "lp", args...)
	if err != nil {
		return Job{}, lpError(printer, stderr, err)
	}
	m := requestIDRE.FindStringSubmatch(stdout)
	if m == nil {
		return Job{}, newError(ErrSpooler, fmt.Errorf("lp -d %s: unexpected output %q", printer, strings.TrimSpace(stdout+stderr)),
			"CUPS không trả về mã lệnh in; hãy kiểm tra hàng đợi máy in trước khi in lại",
			"CUPS returned no job id; check the printer queue before printing again")
	}
	job := Job{ID: m[1], Printer: printer}
	c.log.InfoContext(ctx, "print job queued", "printer", printer, "job", job.ID, "title", title,
		"copies", copies, "media", media, "bytes", len(pdf))
	return job, nil
}

// lpError turns a failed lp into an *Error.
func lpError(printer, stderr string, err error) error {
	switch {
	case strings.Contains(stderr, "not accepting jobs"):
		return errNotAccepting(printer)
	case strings.Contains(stderr, "does not exist"), strings.Contains(stderr, "nvalid destination"),
		strings.Contains(stderr, "nknown destination"):
		return errPrinterNotFound(printer)
	}
	return clientError("lp -d "+printer, stderr, err)
}

func (c *cups) JobDone(ctx context.Context, job Job) (bool, error) {
	if job.ID == "" || job.Printer == "" {
		return false, newError(ErrInvalidJob, nil, "Thiếu mã lệnh in hoặc tên máy in", "job id or printer missing")
	}
	// Without -W, lpstat -o lists the jobs not completed yet: pending, held, processing.
	stdout, stderr, err := c.run(ctx, nil, "lpstat", "-o", job.Printer)
	if err != nil {
		if strings.Contains(stderr, "nvalid destination") || strings.Contains(stderr, "does not exist") {
			return false, errPrinterNotFound(job.Printer)
		}
		return false, clientError("lpstat -o "+job.Printer, stderr, err)
	}
	if !slices.Contains(parseJobIDs(stdout), job.ID) {
		c.log.DebugContext(ctx, "print job done", "printer", job.Printer, "job", job.ID)
		return true, nil
	}
	// Still queued: say so when it waits on a paused printer, so nobody prints it again.
	queue, _, _ := strings.Cut(job.Printer, "/")
	out, err := c.lpstat(ctx, "-p", queue)
	if err != nil {
		return false, err
	}
	if d, ok := parsePrinters(out)[queue]; ok && d.state == StatePaused {
		vi := fmt.Sprintf("Máy in %q đang tạm dừng", job.Printer)
		en := fmt.Sprintf("printer %q is paused", job.Printer)
		if d.reason != "" {
			vi += " (" + d.reason + ")"
			en += " (" + d.reason + ")"
		}
		return false, newError(ErrPrinterPaused, nil,
			vi+fmt.Sprintf("; lệnh in %s vẫn đang chờ và sẽ được in khi máy in được bật lại. Đừng in lại, kẻo in trùng", job.ID),
			en+fmt.Sprintf("; job %s is waiting and prints when the printer is resumed; do not print it again", job.ID))
	}
	return false, nil
}

// checkScheduler fails with ErrSpoolerDown when cupsd does not answer (lpstat -e alone then
// prints nothing and succeeds).
func (c *cups) checkScheduler(ctx context.Context) error {
	stdout, stderr, err := c.run(ctx, nil, "lpstat", "-r")
	if err != nil {
		return clientError("lpstat -r", stderr, err)
	}
	switch strings.TrimSpace(stdout) {
	case "scheduler is running":
		return nil
	case "scheduler is not running":
		return errSpoolerDown(nil)
	}
	return newError(ErrSpooler, fmt.Errorf("lpstat -r: unexpected output %q", strings.TrimSpace(stdout+stderr)),
		"Không đọc được trạng thái CUPS", "cannot read the CUPS scheduler state")
}

// lpstat runs lpstat with args and returns its output; "No destinations added" is no error.
func (c *cups) lpstat(ctx context.Context, args ...string) (string, error) {
	stdout, stderr, err := c.run(ctx, nil, "lpstat", args...)
	if err != nil {
		if strings.Contains(stderr, "No destinations added") {
			return stdout, nil
		}
		return "", clientError("lpstat "+strings.Join(args, " "), stderr, err)
	}
	return stdout, nil
}

func errSpoolerDown(cause error) *Error {
	return newError(ErrSpoolerDown, cause,
		"CUPS chưa chạy: dịch vụ in của máy tính chưa được khởi động. Hãy khởi động CUPS (sudo systemctl start cups) rồi thử lại",
		"CUPS is not running; start it (sudo systemctl start cups) and try again")
}

// clientError classifies a CUPS client that failed.
func clientError(what, stderr string, err error) error {
	stderr = strings.TrimSpace(stderr)
	cause := fmt.Errorf("%s: %w", what, err)
	if stderr != "" {
		cause = fmt.Errorf("%s: %w: %s", what, err, stderr)
	}
	switch {
	case errors.Is(err, exec.ErrNotFound):
		return newError(ErrNotInstalled, cause,
			"Máy tính chưa cài CUPS (thiếu lệnh lp, lpstat). Hãy cài các gói cups và cups-client",
			"CUPS is not installed (lp, lpstat missing); install cups and cups-client")
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		return newError(ErrSpooler, cause,
			"Hệ thống in không trả lời kịp; hãy kiểm tra hàng đợi máy in trước khi in lại",
			"the print system did not answer in time; check the queue before printing again")
	case strings.Contains(stderr, "Unable to connect"), strings.Contains(stderr, "scheduler is not running"),
		strings.Contains(stderr, "Bad file descriptor"), strings.Contains(stderr, "Connection refused"),
		strings.Contains(stderr, "No such file or directory"):
		return errSpoolerDown(cause)
	}
	return newError(ErrSpooler, cause,
		"Lỗi hệ thống in CUPS: "+stderr, "CUPS error")
}

// run runs a CUPS client with English messages, stdin if not nil, within c.timeout.
func (c *cups) run(ctx context.Context, stdin []byte, name string, args ...string) (stdout, stderr string, err error) {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = c.environ()
	cmd.WaitDelay = 5 * time.Second
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err = cmd.Run()
	switch {
	case err != nil && ctx.Err() != nil:
		err = fmt.Errorf("run %s: %w (%w)", name, err, context.Cause(ctx))
	case err != nil:
		err = fmt.Errorf("run %s: %w", name, err)
	}
	return out.String(), errOut.String(), err
}

// environ is this process's environment with the C locale, so that lpstat's output is the
// English that the parsers below expect, plus extraEnv.
func (c *cups) environ() []string {
	env := []string{}
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if k == "LANG" || k == "LANGUAGE" || strings.HasPrefix(k, "LC_") {
			continue
		}
		env = append(env, kv)
	}
	env = append(env, "LANG=C", "LC_ALL=C")
	return append(env, c.extraEnv...)
}

// parseNames reads `lpstat -e`: one destination per line.
func parseNames(out string) []string {
	var names []string
	for _, line := range lines(out) {
		if f := strings.Fields(line); len(f) == 1 && !slices.Contains(names, f[0]) {
			names = append(names, f[0])
		}
	}
	return names
}

// parsePrinters reads `lpstat -p`, with or without -l:
//
//	printer NAME is idle.  enabled since DATE
//	printer NAME now printing NAME-12.  enabled since DATE
//	printer NAME disabled since DATE -
//		MESSAGE                     (the state message, when there is one or the printer is stopped)
//		Form mounted:               (-l only, then more "Key: value" lines)
//		Description: TEXT
func parsePrinters(out string) map[string]cupsPrinter {
	printers := map[string]cupsPrinter{}
	var name string
	var cur cupsPrinter
	details := false // past the state message, in the -l "Key: value" lines
	flush := func() {
		if name != "" {
			printers[name] = cur
		}
	}
	for _, line := range lines(out) {
		if !strings.HasPrefix(line, "\t") && !strings.HasPrefix(line, " ") {
			f := strings.Fields(line)
			if len(f) < 3 || f[0] != "printer" {
				continue
			}
			flush()
			name, cur, details = f[1], cupsPrinter{state: StateUnknown}, false
			switch {
			case f[2] == "disabled":
				cur.state = StatePaused
			case f[2] == "is" && len(f) > 3 && f[3] == "idle.":
				cur.state = StateIdle
			case f[2] == "now" && len(f) > 3 && f[3] == "printing":
				cur.state = StatePrinting
			}
			continue
		}
		if name == "" {
			continue
		}
		text := strings.TrimSpace(line)
		if strings.HasPrefix(text, "Form mounted:") {
			details = true
		}
		switch {
		case !details:
			// "Paused" is what cupsdisable without -r says: the state already says it.
			if text != "reason unknown" && text != "Paused" {
				cur.reason = text
			}
			details = true // one message line at most
		case strings.HasPrefix(text, "Description:"):
			cur.description = strings.TrimSpace(strings.TrimPrefix(text, "Description:"))
		}
	}
	flush()
	return printers
}

// parseDefault reads `lpstat -d`: "system default destination: NAME" or
// "no system default destination".
func parseDefault(out string) string {
	const prefix = "system default destination:"
	for _, line := range lines(out) {
		if rest, ok := strings.CutPrefix(line, prefix); ok {
			return strings.TrimSpace(rest)
		}
	}
	return ""
}

// parseAccepting reads `lpstat -a`: "NAME accepting requests since DATE" or
// "NAME not accepting requests since DATE -" followed by an indented reason.
func parseAccepting(out string) map[string]bool {
	accepting := map[string]bool{}
	for _, line := range lines(out) {
		if strings.HasPrefix(line, "\t") || strings.HasPrefix(line, " ") {
			continue
		}
		f := strings.Fields(line)
		switch {
		case len(f) >= 3 && f[1] == "accepting" && f[2] == "requests":
			accepting[f[0]] = true
		case len(f) >= 4 && f[1] == "not" && f[2] == "accepting" && f[3] == "requests":
			accepting[f[0]] = false
		}
	}
	return accepting
}

// parseJobIDs reads `lpstat -o`: "NAME-ID  USER  SIZE  DATE" per job (and, with -l, indented
// detail lines).
func parseJobIDs(out string) []string {
	var ids []string
	for _, line := range lines(out) {
		if strings.HasPrefix(line, "\t") || strings.HasPrefix(line, " ") {
			continue
		}
		if f := strings.Fields(line); len(f) > 0 {
			ids = append(ids, f[0])
		}
	}
	return ids
}

func lines(s string) []string {
	var out []string
	sc := bufio.NewScanner(strings.NewReader(s))
	sc.Buffer(make([]byte, 0, 64*1024), 1024*1024)
	for sc.Scan() {
		if line := strings.TrimRight(sc.Text(), "\r"); strings.TrimSpace(line) != "" {
			out = append(out, line)
		}
	}
	return out
}
