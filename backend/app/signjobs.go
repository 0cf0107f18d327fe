package app

import (
	"context"
	"sync"
)

// SignJob is a batch signing running behind the window, which polls it for progress.
type SignJob struct {
	ID string `json:"id"`
	SignProgress
	Finished bool        `json:"finished"`
	Result   *SignResult `json:"result"`

	owner  string
	cancel context.CancelFunc
}

// signingJobs are the batches of this process, kept until a few newer ones have finished.
type signingJobs struct {
	mu   sync.Mutex
	jobs map[string]*SignJob
	done []string // finished job ids, oldest first
}

const keptJobs = 16

// StartSigning checks the request and opens the token (a wrong PIN or the wrong key fails
// here, before anything is signed), then signs in the background. The window polls
// SigningJob and may CancelSigning; permits signed before a cancel stay signed.
func (a *App) StartSigning(ctx context.Context, actor Actor, in SignInput) (string, error) {
	b, err := a.prepareBatch(ctx, actor, in)
	if err != nil {
		return "", err
	}
	runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	job := &SignJob{ID: newID(), SignProgress: SignProgress{Total: len(b.permits)}, owner: actor.UserID, cancel: cancel}
	a.jobs.mu.Lock()
	if a.jobs.jobs == nil {
		a.jobs.jobs = map[string]*SignJob{}
	}
	a.jobs.jobs[job.ID] = job
	a.jobs.mu.Unlock()
	go func() {
		defer cancel()
		defer b.close()
		res := a.runBatch(runCtx, b, func(p SignProgress) {
			a.jobs.mu.Lock()
			job.SignProgress = p
			a.jobs.mu.Unlock()
		})
		a.jobs.mu.Lock()
		defer a.jobs.mu.Unlock()
		job.Finished, job.Result, job.Done, job.WaitingTouch, job.Current = true, &res, len(res.Signed), false, ""
		a.jobs.done = append(a.jobs.done, job.ID)
		for len(a.jobs.done) > keptJobs {
			delete(a.jobs.jobs, a.jobs.done[0])
			a.jobs.done = a.jobs.done[1:]
		}
	}()
	return job.ID, nil
}

func (a *App) job(actor Actor, id string) (*SignJob, error) {
	j, ok := a.jobs.jobs[id]
	if !ok || j.owner != actor.UserID {
		return nil, notFound("lượt ký " + id)
	}
	return j, nil
}

// SigningJob reports a batch started by this leader.
func (a *App) SigningJob(actor Actor, id string) (SignJob, error) {
	a.jobs.mu.Lock()
	defer a.jobs.mu.Unlock()
	j, err := a.job(actor, id)
	if err != nil {
		return SignJob{}, err
	}
	return *j, nil
}

// CancelSigning stops a batch after the permit being signed; what is signed stays signed.
func (a *App) CancelSigning(actor Actor, id string) error {
	a.jobs.mu.Lock()
	defer a.jobs.mu.Unlock()
	j, err := a.job(actor, id)
	if err != nil {
		return err
	}
	j.cancel()
	return nil
}
