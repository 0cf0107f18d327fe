package app

import (
	"context"
	"sync"

	"giaydiduong/backend/auth"
)

// ScanJob is a scan import running behind the window, which polls it for the progress bar.
type ScanJob struct {
	ID       string           `json:"id"`
	File     string           `json:"file"`
	Done     int              `json:"done"`
	Total    int              `json:"total"`
	Pages    []ScanPageResult `json:"pages"`
	Finished bool             `json:"finished"`
	Result   *ScanImport      `json:"result"`
	Error    *Error           `json:"error"`

	owner  string
	cancel context.CancelFunc
}

type scanJobs struct {
	mu   sync.Mutex
	jobs map[string]*ScanJob
	done []string
}

// StartScanImport imports a file in the background; pages saved before a cancel stay saved.
func (a *App) StartScanImport(ctx context.Context, actor Actor, name string, data []byte) (string, error) {
	if err := a.require(actor, auth.EnterApplication); err != nil {
		return "", err
	}
	if err := a.CheckScanFileSize(ctx, name, int64(len(data))); err != nil {
		return "", err
	}
	runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	job := &ScanJob{ID: newID(), File: name, owner: actor.UserID, cancel: cancel, Pages: []ScanPageResult{}}
	a.scanJobs.mu.Lock()
	if a.scanJobs.jobs == nil {
		a.scanJobs.jobs = map[string]*ScanJob{}
	}
	a.scanJobs.jobs[job.ID] = job
	a.scanJobs.mu.Unlock()
	go func() {
		defer cancel()
		res, err := a.ImportScan(runCtx, actor, name, data, func(done, total int, p ScanPageResult) {
			a.scanJobs.mu.Lock()
			job.Done, job.Total = done, total
			job.Pages = append(job.Pages, p)
			a.scanJobs.mu.Unlock()
		})
		a.scanJobs.mu.Lock()
		defer a.scanJobs.mu.Unlock()
		job.Finished = true
		if err != nil {
			job.Error = AsError(err)
		} else {
			job.Result, job.Total = &res, res.Total
		}
		a.scanJobs.done = append(a.scanJobs.done, job.ID)
		for len(a.scanJobs.done) > keptJobs {
			delete(a.scanJobs.jobs, a.scanJobs.done[0])
			a.scanJobs.done = a.scanJobs.done[1:]
		}
	}()
	return job.ID, nil
}

// ScanImportJob returns a copy of the job's state (its owner only).
func (a *App) ScanImportJob(actor Actor, id string) (ScanJob, error) {
	a.scanJobs.mu.Lock()
	defer a.scanJobs.mu.Unlock()
	j, ok := a.scanJobs.jobs[id]
	if !ok || j.owner != actor.UserID {
		return ScanJob{}, notFound("lượt nhập bản quét " + id)
	}
	out := *j
	out.Pages = append([]ScanPageResult(nil), j.Pages...)
	return out, nil
}

// CancelScanImport stops a job after the page being saved.
func (a *App) CancelScanImport(actor Actor, id string) error {
	a.scanJobs.mu.Lock()
	defer a.scanJobs.mu.Unlock()
	j, ok := a.scanJobs.jobs[id]
	if !ok || j.owner != actor.UserID {
		return notFound("lượt nhập bản quét " + id)
	}
	j.cancel()
	return nil
}
