package app

import (
	"bytes"
	"context"
	"sync"

	"giaydiduong/backend/auth"
	"giaydiduong/backend/backfill"
)

// BackfillJob is a backfill file being checked (or imported) behind the window, which polls
// it for the progress bar: first the rows read and checked, then, with commit, the rows saved.
type BackfillJob struct {
	ID       string          `json:"id"`
	File     string          `json:"file"`
	Commit   bool            `json:"commit"`
	Phase    string          `json:"phase"` // reading, saving, done
	Done     int             `json:"done"`
	Total    int             `json:"total"` // rows of the sheet (reading) or to save (saving); 0 = not known yet
	Finished bool            `json:"finished"`
	Report   *BackfillReport `json:"report"`
	Error    *Error          `json:"error"`

	owner  string
	cancel context.CancelFunc
}

type backfillJobs struct {
	mu   sync.Mutex
	jobs map[string]*BackfillJob
	done []string
}

// StartBackfillImport checks a backfill file in the background (and with commit stores its
// valid rows: all of them, or none if the file is refused) and returns the job to poll.
func (a *App) StartBackfillImport(ctx context.Context, actor Actor, name string, data []byte, commit bool) (string, error) {
	if err := a.require(actor, auth.BackfillPermits); err != nil {
		return "", err
	}
	if len(data) > backfill.MaxFileBytes {
		return "", invalid("file", "too_large", "Tệp quá lớn", "The file is too large")
	}
	runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	job := &BackfillJob{ID: newID(), File: name, Commit: commit, Phase: "reading", owner: actor.UserID, cancel: cancel}
	j := &a.backfillJobs
	j.mu.Lock()
	if j.jobs == nil {
		j.jobs = map[string]*BackfillJob{}
	}
	j.jobs[job.ID] = job
	j.mu.Unlock()
	set := func(fn func()) { j.mu.Lock(); fn(); j.mu.Unlock() }
	go func() {
		defer cancel()
		rep, err := a.importBackfill(runCtx, actor, bytes.NewReader(data), commit, backfillProgress{
			rows:  func(n int) { set(func() { job.Total = max(n-1, 0) }) }, // less the header row
			read:  func(n int) { set(func() { job.Done = max(n-1, 0) }) },
			saved: func(added, of int) { set(func() { job.Phase, job.Done, job.Total = "saving", added, of }) },
		})
		j.mu.Lock()
		defer j.mu.Unlock()
		job.Finished, job.Phase = true, "done"
		if err != nil {
			job.Error = AsError(err)
		} else {
			job.Report = &rep
		}
		j.done = append(j.done, job.ID)
		for len(j.done) > keptJobs {
			delete(j.jobs, j.done[0])
			j.done = j.done[1:]
		}
	}()
	return job.ID, nil
}

// BackfillImportJob returns a copy of the job (its owner only).
func (a *App) BackfillImportJob(actor Actor, id string) (BackfillJob, error) {
	a.backfillJobs.mu.Lock()
	defer a.backfillJobs.mu.Unlock()
	j, ok := a.backfillJobs.jobs[id]
	if !ok || j.owner != actor.UserID {
		return BackfillJob{}, notFound("lượt nhập tệp " + id)
	}
	return *j, nil
}

// CancelBackfillImport stops a job: a check stops; an import stops after the batch being
// saved (saved batches stay, and importing the file again adds exactly the rest).
func (a *App) CancelBackfillImport(actor Actor, id string) error {
	a.backfillJobs.mu.Lock()
	defer a.backfillJobs.mu.Unlock()
	j, ok := a.backfillJobs.jobs[id]
	if !ok || j.owner != actor.UserID {
		return notFound("lượt nhập tệp " + id)
	}
	j.cancel()
	return nil
}
