package province

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"giaydiduong/backend/domain"
	"giaydiduong/backend/permit"
	"giaydiduong/backend/syncwire"
)

// What the province publishes besides accounts: revocations, locality rules, units and the
// trust bundle. Each is one transaction: the province's row, the signed feed entry, the audit
// event.

// Revocation is a permit revoked at the province.
type Revocation struct {
	Number    string    `json:"number"`
	UnitCode  string    `json:"unit_code"`
	Reason    string    `json:"reason"`
	RevokedBy string    `json:"revoked_by"`
	RevokedAt time.Time `json:"revoked_at"`
	FeedSeq   int64     `json:"feed_seq"`
}

// RevokePermit revokes one permit province-wide by its number: every office and checkpoint
// that pulls the revocations feed verifies it as revoked, by the province. Revoking it again
// is refused (the first revocation stands).
func (s *Service) RevokePermit(ctx context.Context, actor, number, reason string) (Revocation, error) {
	out, err := s.RevokePermits(ctx, actor, []RevokeInput{{Number: number, Reason: reason}})
	if err != nil {
		return Revocation{}, err
	}
	return out[0], nil
}

// RevokeInput is one permit to revoke.
type RevokeInput struct {
	Number string `json:"number"`
	Reason string `json:"reason"`
}

// RevokePermits revokes many permits in one transaction (a list from a department).
func (s *Service) RevokePermits(ctx context.Context, actor string, in []RevokeInput) ([]Revocation, error) {
	k, err := s.signer()
	if err != nil {
		return nil, err
	}
	rows := make([]revocationRow, len(in))
	for i, r := range in {
		n, err := permit.CanonicalNumber(r.Number)
		if err != nil {
			return nil, newErr(KindInvalid, "Số giấy đi đường không hợp lệ: "+r.Number+" (dạng <mã đơn vị>/<năm>/<số>)", "Not a permit number: "+r.Number+" (<unit>/<year>/<sequence>)")
		}
		reason := domain.NormalizeText(r.Reason)
		if reason == "" || utf8.RuneCountInString(reason) > 500 {
			return nil, newErr(KindInvalid, "Cần nêu lý do thu hồi (--reason, tối đa 500 ký tự)", "A reason is required (--reason, at most 500 characters)")
		}
		rows[i] = revocationRow{Number: n, UnitCode: permit.NumberUnit(n), Reason: reason, RevokedBy: actor}
	}
	out := make([]Revocation, len(rows))
	err = s.write(ctx, func(tx *gorm.DB, at time.Time) error {
		for i := range rows {
			if _, dup, err := findRevocation(tx, rows[i].Number); err != nil {
				return err
			} else if dup {
				return newErr(KindConflict, "Giấy "+rows[i].Number+" đã bị thu hồi trước đó", "Permit "+rows[i].Number+" is already revoked")
			}
			rows[i].RevokedAt = at
		}
		if err := insertRevocations(tx, rows); err != nil {
			return err
		}
		for i, r := range rows {
			seq, err := s.publish(tx, k, syncwire.Revocation{Number: r.Number, Version: 1, UnitCode: r.UnitCode, Reason: r.Reason, RevokedAt: syncwire.Time(at), RevokedBy: r.RevokedBy}, "", at)
			if err != nil {
				return err
			}
			out[i] = Revocation{Number: r.Number, UnitCode: r.UnitCode, Reason: r.Reason, RevokedBy: r.RevokedBy, RevokedAt: at, FeedSeq: seq}
		}
		numbers := make([]string, 0, min(len(rows), 20))
		for _, r := range rows[:min(len(rows), 20)] {
			numbers = append(numbers, r.Number)
		}
		return s.audit(tx, at, actor, "permit.revoke", "permit", rows[0].Number, map[string]any{"count": len(rows), "numbers": numbers, "reason": rows[0].Reason})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// RulesFile is what `gdd-server rules set` reads: the office's rules JSON plus the day the
// version takes effect.
type RulesFile struct {
	domain.RulesInput
	EffectiveFrom string `json:"effective_from"` // YYYY-MM-DD, Vietnam
}

// RulesLead is how far ahead rules are published, so offices that sync every day or two hold
// them before they apply. A shorter lead needs Urgent.
const RulesLead = 48 * time.Hour

// vietnam is UTC+7 all year.
var vietnam = time.FixedZone("ICT", 7*3600)

// PublishedRules is a rules version as published.
type PublishedRules struct {
	ID            string `json:"id"`
	UnitCode      string `json:"unit_code"`
	RuleVersion   int    `json:"rule_version"`
	EffectiveFrom string `json:"effective_from"`
	FeedSeq       int64  `json:"feed_seq"`
}

// SetRules publishes the next version of a unit's locality rules, taking effect on its day.
func (s *Service) SetRules(ctx context.Context, actor, unit string, f RulesFile, urgent bool) (PublishedRules, error) {
	unit = strings.TrimSpace(unit)
	if !unitCodePattern.MatchString(unit) {
		return PublishedRules{}, newErr(KindInvalid, "Mã đơn vị không hợp lệ (--unit)", "Invalid unit code (--unit)")
	}
	if err := domain.ValidateRules(&f.RulesInput); err != nil {
		return PublishedRules{}, newErr(KindInvalid, "Quy định không hợp lệ: "+err.Error(), "Invalid rules: "+err.Error())
	}
	day, err := time.ParseInLocation("2006-01-02", strings.TrimSpace(f.EffectiveFrom), vietnam)
	if err != nil {
		return PublishedRules{}, newErr(KindInvalid, "Cần ngày có hiệu lực effective_from dạng YYYY-MM-DD", "effective_from must be a YYYY-MM-DD day")
	}
	now := s.now()
	if day.Before(now.Add(RulesLead)) && !urgent {
		return PublishedRules{}, newErr(KindInvalid, fmt.Sprintf("Quy định phải công bố trước ít nhất %d giờ (ngày có hiệu lực %s); dùng --urgent nếu thật cần", int(RulesLead.Hours()), day.Format("02/01/2006")),
			fmt.Sprintf("Rules must be published at least %d hours ahead (effective %s); use --urgent if it must be sooner", int(RulesLead.Hours()), day.Format("2006-01-02")))
	}
	k, err := s.signer()
	if err != nil {
		return PublishedRules{}, err
	}
	var out PublishedRules
	err = s.write(ctx, func(tx *gorm.DB, at time.Time) error {
		v, err := nextRuleVersion(tx, unit)
		if err != nil {
			return err
		}
		purposes := make([]syncwire.Purpose, len(f.Purposes))
		for i, p := range f.Purposes {
			purposes[i] = syncwire.Purpose{Code: p.Code, VI: p.VI, EN: p.EN}
		}
		rec := syncwire.Rules{ID: newID(), Version: 1, UnitCode: unit, RuleVersion: v, PermitsRequired: f.PermitsRequired, Purposes: purposes, MaxDays: f.MaxDays,
			CurfewStart: f.CurfewStart, CurfewEnd: f.CurfewEnd, UpdatedBy: actor, CreatedAt: syncwire.Time(at), EffectiveFrom: day.Format("2006-01-02")}
		body, err := json.Marshal(rec)
		if err != nil {
			return err
		}
		if err := insertProvinceRules(tx, &provinceRulesRow{ID: rec.ID, UnitCode: unit, RuleVersion: v, EffectiveFrom: rec.EffectiveFrom, Body: body, CreatedAt: at}); err != nil {
			return err
		}
		seq, err := s.publish(tx, k, rec, unit, at)
		if err != nil {
			return err
		}
		out = PublishedRules{ID: rec.ID, UnitCode: unit, RuleVersion: v, EffectiveFrom: rec.EffectiveFrom, FeedSeq: seq}
		return s.audit(tx, at, actor, "rules.publish", "rules", rec.ID, map[string]any{"unit_code": unit, "rule_version": v, "effective_from": rec.EffectiveFrom})
	})
	return out, err
}

// PublishUnit publishes a version of an administrative unit province-wide (a new name, a
// merger). The version must be newer than the feed's.
func (s *Service) PublishUnit(ctx context.Context, actor string, u syncwire.Unit) (int64, error) {
	return s.publishOne(ctx, actor, "unit.publish", u)
}

// PublishTrustBundle publishes a provincial trust bundle (trust and revocation lists signed
// by the root) province-wide; offices make it current as if imported from a file.
func (s *Service) PublishTrustBundle(ctx context.Context, actor string, bundle []byte) (int64, error) {
	k, err := s.signer()
	if err != nil {
		return 0, err
	}
	tl, rl, err := permit.ParseBundle(bundle, k.Public())
	if err != nil {
		return 0, newErr(KindInvalid, "Tệp danh sách tin cậy không do khóa gốc này ký", "The trust bundle is not signed by this root: "+err.Error())
	}
	fp, _ := permit.Fingerprint(k.Public())
	rec := syncwire.TrustList{ID: "current", Version: int64(tl.Sequence), RootFingerprint: fp, Bundle: bundle, TrustIssuedAt: syncwire.Time(tl.IssuedAt), RevocationIssuedAt: syncwire.Time(rl.IssuedAt)}
	return s.publishOne(ctx, actor, "trust.publish", rec)
}

func (s *Service) publishOne(ctx context.Context, actor, action string, r syncwire.Record) (int64, error) {
	k, err := s.signer()
	if err != nil {
		return 0, err
	}
	kind, id, version := r.Key()
	var seq int64
	err = s.write(ctx, func(tx *gorm.DB, at time.Time) error {
		cur, err := latestFeedVersion(tx, string(syncwire.FeedOf(kind)), string(kind), id)
		if err != nil {
			return err
		}
		if version <= cur {
			return newErr(KindConflict, fmt.Sprintf("Đã có phiên bản %d của %s %s", cur, kind, id), fmt.Sprintf("%s %s already has version %d", kind, id, cur))
		}
		if seq, err = s.publish(tx, k, r, "", at); err != nil {
			return err
		}
		return s.audit(tx, at, actor, action, string(kind), id, map[string]any{"version": version})
	})
	return seq, err
}
