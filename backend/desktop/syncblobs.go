package desktop

import "giaydiduong/backend/app"

// Attachments is a permit's files (signed PDF, signed scan) and whether the province holds
// them, for the signed-scan area of the permit panel.
func (s *ScanService) Attachments(number string) ([]app.AttachmentState, error) {
	return call(s.base, func(a app.Actor) ([]app.AttachmentState, error) { return s.app.PermitAttachments(s.ctx, a, number) })
}
