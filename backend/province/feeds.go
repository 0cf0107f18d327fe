package province

import (
	"context"
	"crypto"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"time"

	"gorm.io/gorm"

	"giaydiduong/backend/pki"
	"giaydiduong/backend/syncwire"
)

// DefaultTombstoneHorizon is how long a feed keeps what a later version supersedes and its
// tombstones: offices are offline for weeks, so far longer than the EU gateway's 14 days. A
// cursor from before the horizon is answered 410 and the office pulls a snapshot.
const DefaultTombstoneHorizon = 180 * 24 * time.Hour

// UnlockRoot opens the sealed root key file and uses it (UseRoot). Feed records are signed
// with the root key, from its file or its token (RootSigner).
func (s *Service) UnlockRoot(path, passphrase string) error {
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return newErr(KindUnavailable, "Không thấy tệp khóa gốc "+path, "The root key file "+path+" is missing")
	}
	k, err := pki.OpenFileRoot(path, passphrase)
	if err != nil {
		return &Error{Kind: KindUnauthenticated, VI: "Không mở được khóa gốc: sai cụm mật khẩu (GDD_ROOT_PASSPHRASE)", EN: "Cannot open the root key: wrong passphrase (GDD_ROOT_PASSPHRASE)", cause: err}
	}
	if err := s.UseRoot(context.Background(), k); err != nil {
		k.Close()
		return err
	}
	return nil
}

func (s *Service) signer() (crypto.Signer, error) {
	k, err := s.RootSigner()
	if err != nil {
		return nil, err
	}
	return k, nil
}

// publish appends one record version to its feed, signed, inside tx. unit "" is province-wide.
func (s *Service) publish(tx *gorm.DB, k crypto.Signer, r syncwire.Record, unit string, at time.Time) (int64, error) {
	kind, id, version := r.Key()
	feed := syncwire.FeedOf(kind)
	if feed == "" {
		return 0, fmt.Errorf("publish %s: not a province-owned kind", kind)
	}
	body, err := syncwire.Encode(r)
	if err != nil {
		return 0, err
	}
	sig, err := syncwire.SignRecord(k, body)
	if err != nil {
		return 0, err
	}
	seq, err := nextFeedSeq(tx, string(feed))
	if err != nil {
		return 0, err
	}
	row := feedEntryRow{Feed: string(feed), Seq: seq, Entity: string(kind), EntityID: id, Version: version, UnitCode: unit, Body: body, Signature: sig, CreatedAt: at}
	return seq, insertFeedEntry(tx, &row)
}

// Epoch is this database's identity, made on first use.
func (s *Service) Epoch(ctx context.Context) (string, error) {
	db := s.db.WithContext(ctx)
	e, ok, err := readEpoch(db)
	if err != nil || ok {
		return e, err
	}
	if err := createEpoch(db, newID(), s.now()); err != nil {
		return "", err
	}
	e, _, err = readEpoch(db)
	return e, err
}

// NewEpoch gives the database a new identity: run it on a database restored from a backup,
// so every office drops its cursors (which may be ahead of what the copy holds) and pulls a
// snapshot, rather than miss what is written next under numbers it already passed.
func (s *Service) NewEpoch(ctx context.Context, actor string) (string, error) {
	epoch := newID()
	err := s.write(ctx, func(tx *gorm.DB, at time.Time) error {
		if err := replaceEpoch(tx, epoch, at); err != nil {
			return err
		}
		return s.audit(tx, at, actor, "feeds.new_epoch", "server_epoch", "1", map[string]string{"epoch": epoch})
	})
	return epoch, err
}

// Pull reads one page of a feed for an office. An empty cursor starts a snapshot. A cursor of
// another epoch (a restored database), one ahead of the feed (the same, restored without a
// new epoch), or one below the tombstone horizon is answered Gone: the office starts over.
func (s *Service) Pull(ctx context.Context, sess OfficeSession, feed syncwire.Feed, cursor string, limit int) (syncwire.FeedPage, error) {
	if !feed.Valid() {
		return syncwire.FeedPage{}, newErr(KindNotFound, "Không có nguồn dữ liệu "+string(feed), "No feed "+string(feed))
	}
	cur, err := syncwire.ParseCursor(cursor)
	if err != nil {
		return syncwire.FeedPage{}, newErr(KindInvalid, "Con trỏ đồng bộ không hợp lệ", "Invalid cursor: "+err.Error())
	}
	if limit <= 0 {
		limit = syncwire.DefaultPullLimit
	}
	limit = min(limit, syncwire.MaxPullLimit)
	epoch, err := s.Epoch(ctx)
	if err != nil {
		return syncwire.FeedPage{}, err
	}
	db := s.db.WithContext(ctx)
	// The head first: every row at or below it has committed (rows commit in seq order), so
	// the rows read next, at or below it, are all there are.
	head, err := readFeedHead(db, string(feed))
	if err != nil {
		return syncwire.FeedPage{}, err
	}
	gone := func(reason, vi, en string) (syncwire.FeedPage, error) {
		return syncwire.FeedPage{}, &Error{Kind: KindGone, VI: vi, EN: en, cause: errors.New(reason)}
	}
	switch {
	case cur.Epoch != "" && cur.Epoch != epoch:
		return gone(syncwire.GoneEpoch, "Máy chủ tỉnh đã được khôi phục: cần tải lại toàn bộ", "The provincial database was restored: pull a snapshot")
	case cur.Seq > head.Seq:
		return gone(syncwire.GoneEpoch, "Con trỏ vượt quá dữ liệu của máy chủ (cơ sở dữ liệu đã khôi phục?): cần tải lại toàn bộ", "The cursor is ahead of the feed (a restored database?): pull a snapshot")
	case cur.Epoch != "" && cur.Seq < head.HorizonSeq:
		return gone(syncwire.GoneHorizon, "Lần đồng bộ trước đã quá lâu: cần tải lại toàn bộ", "The cursor is older than the tombstone horizon: pull a snapshot")
	}
	rows, err := readFeed(db, string(feed), cur.Seq, head.Seq, sess.UnitCode, limit)
	if err != nil {
		return syncwire.FeedPage{}, err
	}
	page := syncwire.FeedPage{Feed: feed, Epoch: epoch, Entries: make([]syncwire.FeedEntry, len(rows)), Snapshot: cur.Epoch == "", Head: head.Seq}
	next := head.Seq
	if len(rows) == limit {
		next = rows[len(rows)-1].Seq
	}
	for i, r := range rows {
		page.Entries[i] = syncwire.FeedEntry{Seq: r.Seq, Record: r.Body, Signature: r.Signature, Deleted: r.Deleted}
	}
	page.More = next < head.Seq
	page.Cursor = syncwire.Cursor{Epoch: epoch, Seq: next}.String()
	return page, nil
}

// PruneFeeds drops from every feed what a later version superseded and the tombstones,
// written more than horizon ago, and moves each feed's horizon: cursors from before it get
// 410 from then on.
func (s *Service) PruneFeeds(ctx context.Context, actor string, horizon time.Duration) (int64, error) {
	if horizon < DefaultTombstoneHorizon {
		return 0, newErr(KindInvalid, "Thời hạn giữ bản xóa phải từ 180 ngày", "The tombstone horizon must be at least 180 days")
	}
	var total int64
	err := s.write(ctx, func(tx *gorm.DB, at time.Time) error {
		total = 0
		for _, f := range syncwire.Feeds {
			seq, err := lastSeqBefore(tx, string(f), at.Add(-horizon))
			if err != nil {
				return err
			}
			if seq == 0 {
				continue
			}
			n, err := pruneFeed(tx, string(f), seq, at)
			if err != nil {
				return err
			}
			total += n
		}
		return s.audit(tx, at, actor, "feeds.prune", "feed", "", map[string]any{"horizon_days": int(horizon.Hours() / 24), "pruned": total})
	})
	return total, err
}

// ensureRoles publishes the role records once (the matrix is the program's: a role record
// says which roles exist and is signed like the accounts that name them).
func (s *Service) ensureRoles(tx *gorm.DB, k crypto.Signer, at time.Time) error {
	for _, r := range RoleRecords() {
		v, err := latestFeedVersion(tx, string(syncwire.FeedAccounts), string(syncwire.KindRole), r.Code)
		if err != nil {
			return err
		}
		if v >= r.Version {
			continue
		}
		if _, err := s.publish(tx, k, r, "", at); err != nil {
			return err
		}
	}
	return nil
}

// sortedStrings returns ss sorted (role permissions travel sorted).
func sortedStrings(ss []string) []string {
	out := slices.Clone(ss)
	slices.Sort(out)
	return out
}

// RootPublicKey is the provincial root certificate's key: what offices check feed records
// with.
func (s *Service) RootPublicKey(ctx context.Context) (string, crypto.PublicKey, error) {
	a, ok, err := readAuthority(s.db.WithContext(ctx))
	if err != nil {
		return "", nil, err
	}
	if !ok {
		return "", nil, newErr(KindUnavailable, "Máy chủ tỉnh chưa được khởi tạo (gdd-server init)", "The provincial server is not set up yet (gdd-server init)")
	}
	c, err := pki.ParseCert([]byte(a.RootCert))
	if err != nil {
		return "", nil, fmt.Errorf("root certificate: %w", err)
	}
	return a.RootCert, c.PublicKey, nil
}
