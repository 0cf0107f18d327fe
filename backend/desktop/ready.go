package desktop

import (
	"giaydiduong/backend/app"
)

// The counter's "Sẵn sàng trả kết quả" panel and the change stamp the screens poll.

// Ready lists the citizens whose result is ready, newest first.
func (s *PermitService) Ready() ([]app.ReadyItem, error) {
	return call(s.base, func(a app.Actor) ([]app.ReadyItem, error) { return s.app.ReadyPermits(s.ctx, a) })
}

// IssuePrint issues an approved application's permit and prints it ("" = the default printer).
func (s *PermitService) IssuePrint(applicationID, printer string, a4 bool) (app.IssuedPrint, error) {
	return call(s.base, func(a app.Actor) (app.IssuedPrint, error) {
		return s.app.IssueAndPrint(s.ctx, a, applicationID, printer, paper(a4))
	})
}

// HandOverReady records the hand-over with the panel's options.
func (s *PermitService) HandOverReady(number string, opts app.HandOverOptions) (app.Permit, error) {
	return call(s.base, func(a app.Actor) (app.Permit, error) { return s.app.HandOverReady(s.ctx, a, number, opts) })
}

// PrintReady prints every ready permit not printed yet, in one job.
func (s *PermitService) PrintReady(printer string, a4 bool) (app.ReadyPrint, error) {
	return call(s.base, func(a app.Actor) (app.ReadyPrint, error) { return s.app.PrintReady(s.ctx, a, printer, paper(a4)) })
}

// Changes is what the screens poll every few seconds: not the user's activity, so it does
// not hold off the idle lock.
func (s *ApplicationService) Changes() (app.Changes, error) {
	return poll(s.base, func(a app.Actor) (app.Changes, error) { return s.app.ChangesNow(s.ctx, a) })
}
