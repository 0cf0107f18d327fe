package desktop

import "giaydiduong/backend/app"

// SyncService is the sync panel and the sync state beside each record.
type SyncService struct{ base }

// Panel is the panel's state (polled while it is open; it does not call the province).
func (s *SyncService) Panel() (app.SyncPanel, error) {
	return poll(s.base, func(a app.Actor) (app.SyncPanel, error) { return s.app.SyncPanel(s.ctx, a) })
}

// States is the sync state of the given records of one kind ("application", "permit").
func (s *SyncService) States(entity string, ids []string) (map[string]app.RecordSyncState, error) {
	return poll(s.base, func(a app.Actor) (map[string]app.RecordSyncState, error) {
		return s.app.RecordSyncStates(s.ctx, a, entity, ids)
	})
}

// Now is "Đồng bộ ngay".
func (s *SyncService) Now() (bool, error) {
	return call(s.base, func(a app.Actor) (bool, error) { return true, s.app.RequestSync(s.ctx, a) })
}
