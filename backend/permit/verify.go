package permit

import (
	"fmt"
	"time"
)

// Status is a verification verdict.
type Status string

// Verdicts, in the order Verify decides them.
const (
	StatusMalformed     Status = "MALFORMED"      // not a GDD1 permit text
	StatusListsExpired  Status = "LISTS_EXPIRED"  // the trust or revocation list has expired: nothing can be vouched for
	StatusUnknownSigner Status = "UNKNOWN_SIGNER" // key id not in the trust list
	StatusBadSignature  Status = "BAD_SIGNATURE"  // forged, altered, or signed outside the key's enrolment
	StatusRevoked       Status = "REVOKED"        // the permit, or the key that signed it
	StatusNotYetValid   Status = "NOT_YET_VALID"
	StatusExpired       Status = "EXPIRED"
	StatusValid         Status = "VALID"
)

// Warning codes. They never change the verdict; the screen shows them beside it.
const (
	WarnTrustListStale        = "trust_list_stale"        // trust list older than MaxTrustAge
	WarnRevocationListStale   = "revocation_list_stale"   // revocation list older than MaxTrustAge
	WarnRevocationListMissing = "revocation_list_missing" // no revocation list: revocations unknown
	WarnCurfew                = "curfew"                  // now is inside the curfew hours
)

// MaxClockSkew is how far in the future a permit's issue time may lie, against the
// issuing or verifying clock, before it is refused: PC clocks drift, but not by hours.
const MaxClockSkew = 10 * time.Minute

// Curfew is a daily interval of local (VietnamTime) hours. Use ParseCurfew; the zero value is
// no curfew.
type Curfew struct {
	start, end int // minutes after midnight; start == end means none
}

// ParseCurfew reads "HH:MM" start and end. The interval includes start and excludes end, and
// wraps midnight when end is earlier than start ("18:00"-"06:00"). Equal times, or two empty
// strings, mean no curfew.
func ParseCurfew(start, end string) (Curfew, error) {
	if start == "" && end == "" {
		return Curfew{}, nil
	}
	s, err := parseHHMM(start)
	if err != nil {
		return Curfew{}, fmt.Errorf("curfew start: %w", err)
	}
	e, err := parseHHMM(end)
	if err != nil {
		return Curfew{}, fmt.Errorf("curfew end: %w", err)
	}
	return Curfew{s, e}, nil
}

func parseHHMM(s string) (int, error) {
	if len(s) != 5 || s[2] != ':' || !allDigits(s[:2], 2) || !allDigits(s[3:], 2) {
		return 0, fmt.Errorf("%q is not HH:MM", s)
	}
	h, m := int(s[0]-'0')*10+int(s[1]-'0'), int(s[3]-'0')*10+int(s[4]-'0')
	if h > 23 || m > 59 {
		return 0, fmt.Errorf("%q is not a time of day", s)
	}
	return h*60 + m, nil
}

// Contains reports whether t, read in VietnamTime, falls inside the curfew.
func (c Curfew) Contains(t time.Time) bool {
	if c.start == c.end {
		return false
	}
	lt := t.In(VietnamTime)
	m := lt.Hour()*60 + lt.Minute()
	if c.start < c.end {
		return m >= c.start && m < c.end
	}
	return m >= c.start || m < c.end
}

// String returns "HH:MM-HH:MM", or "" for no curfew.
func (c Curfew) String() string {
	if c.start == c.end {
		return ""
	}
	return fmt.Sprintf("%02d:%02d-%02d:%02d", c.start/60, c.start%60, c.end/60, c.end%60)
}

// VerifyOptions tune Verify.
type VerifyOptions struct {
	// MaxTrustAge is the list age above which a staleness warning is given; 0 disables it.
	MaxTrustAge time.Duration
	// Curfew, when set, gives a warning when now falls inside it.
	Curfew Curfew
	// MaxValidDays, when set, bounds a permit's window (both ends included) by the local
	// rules, on top of the bound its trust entry carries.
	MaxValidDays int
}

// Result is Verify's answer.
type Result struct {
	Status   Status   `json:"result"`
	Warnings []string `json:"warnings"`
	// Payload is the decoded permit for every status but MALFORMED. It is only vouched for
	// when the signature checked out: VALID, EXPIRED, NOT_YET_VALID and REVOKED.
	Payload *Payload `json:"permit,omitempty"`
	// Signer is the trust entry of the permit's key id, when the trust list has it.
	Signer *TrustEntry `json:"signer,omitempty"`
	// Revocation is set when Status is REVOKED; KeyRevocation too when the key was revoked.
	Revocation    *RevocationEntry `json:"revocation,omitempty"`
	KeyRevocation *KeyRevocation   `json:"key_revocation,omitempty"`
	// TrustAge and RevocationAge are how old the lists are at now; verifiers always show them.
	TrustAge      time.Duration `json:"trust_age"`
	RevocationAge time.Duration `json:"revocation_age"`
	// Detail says why, in English, for logs and support; not meant for the verdict screen.
	Detail string `json:"detail,omitempty"`
}

// Verify checks a QR text offline at time now against the last imported lists. A nil trust
// list makes every permit UNKNOWN_SIGNER; a nil revocation list revokes nothing and warns.
// The lists are trusted as given: obtain them from ParseBundle (or ParseTrustList and
// ParseRevocationList), which check the provincial signature.
func Verify(text string, now time.Time, trust *TrustList, revoked *RevocationList, opts VerifyOptions) Result {
	var res Result
	res.Warnings = []string{}
	if trust != nil {
		res.TrustAge = now.Sub(trust.IssuedAt)
		if opts.MaxTrustAge > 0 && res.TrustAge > opts.MaxTrustAge {
			res.Warnings = append(res.Warnings, WarnTrustListStale)
		}
	}
	if revoked != nil {
		res.RevocationAge = now.Sub(revoked.IssuedAt)
		if opts.MaxTrustAge > 0 && res.RevocationAge > opts.MaxTrustAge {
			res.Warnings = append(res.Warnings, WarnRevocationListStale)
		}
	} else {
		res.Warnings = append(res.Warnings, WarnRevocationListMissing)
	}
	if opts.Curfew.Contains(now) {
		res.Warnings = append(res.Warnings, WarnCurfew)
	}
	verdict := func(s Status, detail string) Result {
		res.Status, res.Detail = s, detail
		return res
	}

	p, m, err := Decode(text)
	if err != nil {
		return verdict(StatusMalformed, err.Error())
	}
	res.Payload = &p
	if err := CheckExpiry(trust, revoked, now); err != nil {
		return verdict(StatusListsExpired, err.Error())
	}

	entry, ok := trust.Lookup(p.KeyID)
	if !ok {
		return verdict(StatusUnknownSigner, fmt.Sprintf("key id %s is not in the trust list", p.KeyID))
	}
	res.Signer = &entry
	pub, err := parseP256(entry.PublicKey)
	if err != nil {
		return verdict(StatusUnknownSigner, fmt.Sprintf("trust entry %s is unusable: %v", entry.KeyID, err))
	}
	if err := m.verify(aadPermit, pub); err != nil {
		return verdict(StatusBadSignature, err.Error())
	}
	// A valid signature is not enough: the key must have been enrolled, for this unit, for the
	// whole window, when the permit says it was issued. Otherwise an expired key could
	// back-date permits, a current one sign a permit valid in 2035, or one office's key sign in
	// another's name.
	if err := checkAgainstKey(p, entry, opts.MaxValidDays); err != nil {
		return verdict(StatusBadSignature, err.Error())
	}
	if kr, ok := trust.KeyRevoked(entry.KeyID); ok {
		// Every permit of a revoked key: its signer could back-date any issue time.
		res.KeyRevocation = &kr
		res.Revocation = &RevocationEntry{Number: p.Number, Reason: kr.Reason, RevokedAt: kr.RevokedAt}
		return verdict(StatusRevoked, fmt.Sprintf("key %s revoked at %v: %s", kr.KeyID, kr.RevokedAt, kr.Reason))
	}
	if rev, ok := revoked.Lookup(p.Number); ok {
		res.Revocation = &rev
		return verdict(StatusRevoked, fmt.Sprintf("revoked at %v: %s", rev.RevokedAt, rev.Reason))
	}
	if p.IssuedAt.After(now.Add(MaxClockSkew)) {
		return verdict(StatusNotYetValid, fmt.Sprintf("issued at %v, after now %v: check this device's clock", p.IssuedAt, now))
	}
	if now.Before(p.ValidFrom.Start(VietnamTime)) {
		return verdict(StatusNotYetValid, fmt.Sprintf("valid from %v", p.ValidFrom))
	}
	// valid_to is inclusive: the permit ends at the first instant of the next local day.
	if !now.Before(p.ValidTo.Start(VietnamTime).AddDate(0, 0, 1)) {
		return verdict(StatusExpired, fmt.Sprintf("valid to %v", p.ValidTo))
	}
	return verdict(StatusValid, "")
}

// checkAgainstKey checks that what p claims lies inside what its key was enrolled for.
// Key validity is an instant range; a permit is whole VietnamTime days, so its first day may
// be the key's first day (a key enrolled this morning issues today's permits), and its last
// day must end by the key's end.
func checkAgainstKey(p Payload, entry TrustEntry, maxDays int) error {
	if p.UnitCode != entry.UnitCode || NumberUnit(p.Number) != entry.UnitCode {
		return fmt.Errorf("key %s is enrolled for unit %s, not %s (number %s)", entry.KeyID, entry.UnitCode, p.UnitCode, p.Number)
	}
	if p.IssuedAt.Before(entry.ValidFrom) || p.IssuedAt.After(entry.ValidTo) {
		return fmt.Errorf("key %s was not valid at the issue time %v (valid %v..%v)", entry.KeyID, p.IssuedAt, entry.ValidFrom, entry.ValidTo)
	}
	if p.ValidFrom.days() < DateOf(entry.ValidFrom.In(VietnamTime)).days() {
		return fmt.Errorf("permit valid from %v, before key %s's validity starts (%v)", p.ValidFrom, entry.KeyID, entry.ValidFrom)
	}
	if p.ValidTo.Start(VietnamTime).AddDate(0, 0, 1).After(entry.ValidTo) {
		return fmt.Errorf("permit valid to %v, after key %s's validity ends (%v)", p.ValidTo, entry.KeyID, entry.ValidTo)
	}
	days := int(p.ValidTo.days()-p.ValidFrom.days()) + 1
	for _, limit := range []int{entry.MaxValidDays, maxDays} {
		if limit > 0 && days > limit {
			return fmt.Errorf("permit valid for %d days, more than the %d the rules allow", days, limit)
		}
	}
	return nil
}

// CheckIssue applies, before signing, every rule Verify will apply to p against the trust
// entry of its key: unit, key validity, the rules' maximum window (maxDays, 0 for none), an
// issue time not in the future of now, and the key not revoked. An office that signs only
// what passes never issues a QR that every checkpoint rejects.
func CheckIssue(p Payload, trust *TrustList, now time.Time, maxDays int) error {
	if err := p.Validate(); err != nil {
		return err
	}
	entry, ok := trust.Lookup(p.KeyID)
	if !ok {
		return fmt.Errorf("key %s is not in the trust list", p.KeyID)
	}
	if kr, ok := trust.KeyRevoked(p.KeyID); ok {
		return fmt.Errorf("key %s was revoked at %v: %s", kr.KeyID, kr.RevokedAt, kr.Reason)
	}
	if p.IssuedAt.After(now.Add(MaxClockSkew)) {
		return fmt.Errorf("issue time %v is in the future", p.IssuedAt)
	}
	return checkAgainstKey(p, entry, maxDays)
}

// CheckExpiry refuses lists past their expiry at now: a verifier handed old lists must not
// answer VALID for a permit revoked since.
func CheckExpiry(trust *TrustList, revoked *RevocationList, now time.Time) error {
	if trust != nil && !now.Before(trust.ExpiresAt) {
		return fmt.Errorf("trust list %d expired at %v", trust.Sequence, trust.ExpiresAt)
	}
	if revoked != nil && !now.Before(revoked.ExpiresAt) {
		return fmt.Errorf("revocation list %d expired at %v", revoked.Sequence, revoked.ExpiresAt)
	}
	return nil
}
