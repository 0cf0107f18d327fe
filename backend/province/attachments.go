package province

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"time"

	"gorm.io/gorm"

	"giaydiduong/backend/syncwire"
)

// notePushed records, for every item stored or already held (applied, duplicate), the
// attachments its record refers to and, for audit events, their place in the office's
// chain; it fills each result's attachments with what the province holds. It runs inside
// Push's transaction.
func (s *Service) notePushed(tx *gorm.DB, sess OfficeSession, items []syncwire.PushItem, dec []decoded, results []syncwire.PushResult) error {
	var atts []recordAttachmentRow
	var events []officeAuditEventRow
	var hashes []string
	for i, r := range results {
		if r.Status != syncwire.Applied && r.Status != syncwire.Duplicate {
			continue
		}
		switch v := dec[i].rec.(type) {
		case *syncwire.AuditEvent:
			if r.Status == syncwire.Applied {
				events = append(events, officeAuditEventRow{OfficeID: sess.OfficeID, Seq: v.Seq, EventID: v.ID, Hash: v.Hash, PrevHash: v.PrevHash})
			}
		default:
			for _, h := range syncwire.Attachments(dec[i].rec) {
				atts = append(atts, recordAttachmentRow{Entity: string(r.Kind), EntityID: r.ID, Version: r.Version, SHA256: h, OfficeID: sess.OfficeID})
				hashes = append(hashes, h)
			}
		}
	}
	if err := insertIgnoring(tx, atts); err != nil {
		return err
	}
	if err := insertIgnoring(tx, events); err != nil {
		return err
	}
	present, err := blobsPresent(tx, hashes)
	if err != nil {
		return err
	}
	for i, r := range results {
		if r.Status != syncwire.Applied && r.Status != syncwire.Duplicate {
			continue
		}
		for _, h := range syncwire.Attachments(dec[i].rec) {
			results[i].Attachments = append(results[i].Attachments, syncwire.AttachmentState{SHA256: h, Present: present[h]})
		}
	}
	return nil
}

// checkBlob refuses a hash that is malformed or that none of the office's own pushed
// records refers to: an office writes (and asks about) only its own attachments.
func (s *Service) checkBlob(db *gorm.DB, sess OfficeSession, sha string) error {
	if !syncwire.ValidBlobHash(sha) {
		return newErr(KindInvalid, "Mã băm tệp đính kèm không hợp lệ (cần SHA-256 dạng hex chữ thường)", "The attachment hash is not a lower-case hex SHA-256")
	}
	ok, err := officeRefersTo(db, sess.OfficeID, sha)
	if err != nil {
		return err
	}
	if !ok {
		return newErr(KindForbidden, "Không bản ghi nào của văn phòng này gắn tệp "+sha, "No record of this office refers to attachment "+sha)
	}
	return nil
}

// HasBlob answers HEAD: whether the province holds the attachment.
func (s *Service) HasBlob(ctx context.Context, sess OfficeSession, sha string) (bool, error) {
	db := s.db.WithContext(ctx)
	if err := s.checkBlob(db, sess, sha); err != nil {
		return false, err
	}
	m, err := blobsPresent(db, []string{sha})
	return m[sha], err
}

// KindHashMismatch is the Kind of an attachment whose bytes do not hash to its name.
const KindHashMismatch Kind = "hash_mismatch"

// PutBlob stores an attachment sent whole. Idempotent: one already held answers created
// false. Bytes that do not hash to the name are refused (the office sends them again).
func (s *Service) PutBlob(ctx context.Context, sess OfficeSession, sha string, data []byte) (created bool, err error) {
	db := s.db.WithContext(ctx)
	if err := s.checkBlob(db, sess, sha); err != nil {
		return false, err
	}
	sum := sha256.Sum256(data)
	if got := hex.EncodeToString(sum[:]); got != sha {
		return false, newErr(KindHashMismatch, "Tệp đính kèm nhận được không khớp mã băm (hỏng trên đường truyền), cần gửi lại", "The attachment received does not match its hash (damaged on the way); send it again")
	}
	err = s.write(ctx, func(tx *gorm.DB, at time.Time) error {
		ok, err := insertBlob(tx, blobRow{SHA256: sha, Size: int64(len(data)), Data: data, OfficeID: sess.OfficeID, ReceivedAt: at})
		if err != nil || !ok {
			return err
		}
		created = true
		return s.audit(tx, at, "office:"+sess.OfficeID, "blob.receive", "blob", sha, map[string]any{"size": len(data)})
	})
	return created, err
}

// Blob is a stored attachment's bytes (for checks and the later admin pages).
func (s *Service) Blob(ctx context.Context, sha string) ([]byte, bool, error) {
	return readBlob(s.db.WithContext(ctx), sha)
}

// RecordAttachments is, for one pushed record version, what it refers to and what is held.
func (s *Service) RecordAttachments(ctx context.Context, kind syncwire.Kind, id string, version int64) ([]syncwire.AttachmentState, error) {
	db := s.db.WithContext(ctx)
	hashes, err := attachmentsOf(db, string(kind), id, version)
	if err != nil {
		return nil, err
	}
	present, err := blobsPresent(db, hashes)
	if err != nil {
		return nil, err
	}
	out := make([]syncwire.AttachmentState, len(hashes))
	for i, h := range hashes {
		out[i] = syncwire.AttachmentState{SHA256: h, Present: present[h]}
	}
	return out, nil
}
