package province

import (
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"time"

	"giaydiduong/backend/accountlist"
	"giaydiduong/backend/domain"
	"giaydiduong/backend/units"
)

// ImportedAccount is one account an import made, with the first password to hand its holder
// (shown once, here only: the province keeps its hash).
type ImportedAccount struct {
	Row      int         `json:"row"`
	UnitCode string      `json:"unit_code"`
	Username string      `json:"username"`
	FullName string      `json:"full_name"`
	Role     domain.Role `json:"role"`
	Password string      `json:"password,omitempty"`
}

// RefusedAccount is a row (or one of its units) that made no account, and why.
type RefusedAccount struct {
	Row      int    `json:"row"`
	Column   string `json:"column,omitempty"`
	UnitCode string `json:"unit_code,omitempty"`
	Field    string `json:"field,omitempty"`
	VI       string `json:"vi"`
	EN       string `json:"en"`
}

// AccountImport is what `account import` did with a list file.
type AccountImport struct {
	Header  accountlist.Header `json:"header"`
	DryRun  bool               `json:"dry_run"`
	Rows    int                `json:"rows"`
	Created []ImportedAccount  `json:"created"`
	// Existing are accounts the unit already had (the same list imported again adds nothing).
	Existing []ImportedAccount `json:"existing"`
	Refused  []RefusedAccount  `json:"refused"`
}

// An imported account signs in with the holder's ID number: the one identity every row of a
// unit's list carries and is unique per person, so importing a list twice finds the accounts
// it made the first time instead of making new ones.
func importInputs(a accountlist.Account, header accountlist.Header) []AccountInput {
	unitCodes := a.ActsFor
	if len(unitCodes) == 0 {
		unitCodes = []string{header.SendingUnitCode}
	}
	out := make([]AccountInput, 0, len(unitCodes))
	for _, code := range unitCodes {
		out = append(out, AccountInput{UnitCode: code, Username: a.IDNumber, FullName: a.FullName, Title: a.Title, Role: a.DomainRole})
	}
	return out
}

// firstPassword is a random first password (12 characters from an alphabet without look-alikes).
func firstPassword() (string, error) {
	const alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
	b := make([]byte, 12)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("first password: %w", err)
	}
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b), nil
}

// ImportAccounts creates the accounts of a unit's registration list (accountlist's template,
// the province's): every row is judged, the valid ones become accounts (with dryRun, none).
// A database or root-key failure stops it, with what was made so far.
func (s *Service) ImportAccounts(ctx context.Context, actor string, r io.Reader, dryRun bool, today time.Time) (AccountImport, error) {
	versions, _, err := units.Default()
	if err != nil {
		return AccountImport{}, err
	}
	ix := units.NewIndex(versions)
	day := today.Format("2006-01-02")
	res, err := accountlist.Read(r, accountlist.Options{Today: today, UnitInForce: func(code string) bool { _, ok := ix.On(code, day); return ok }})
	if err != nil {
		return AccountImport{}, err
	}
	out := AccountImport{Header: res.Header, DryRun: dryRun, Rows: res.Total, Created: []ImportedAccount{}, Existing: []ImportedAccount{}, Refused: []RefusedAccount{}}
	for _, p := range res.Problems {
		out.Refused = append(out.Refused, RefusedAccount{Row: p.Row, Column: p.Column, Field: p.Field, VI: p.VI, EN: p.EN})
	}
	for _, a := range res.Accounts {
		for _, in := range importInputs(a, res.Header) {
			seen := ImportedAccount{Row: a.Row, UnitCode: in.UnitCode, Username: in.Username, FullName: in.FullName, Role: in.Role}
			if in.Password, err = firstPassword(); err != nil {
				return out, err
			}
			if fe := CheckAccount(&in); len(fe) > 0 {
				for _, f := range fe {
					out.Refused = append(out.Refused, RefusedAccount{Row: a.Row, UnitCode: in.UnitCode, Field: f.Field, VI: f.VI, EN: f.EN})
				}
				continue
			}
			if dryRun {
				out.Created = append(out.Created, seen)
				continue
			}
			acc, err := s.CreateAccount(ctx, actor, in)
			switch e := AsError(err); {
			case err == nil:
				seen.Username, seen.Password = acc.Username, in.Password
				out.Created = append(out.Created, seen)
			case e.Kind == KindConflict:
				out.Existing = append(out.Existing, seen)
			case e.Kind == KindInvalid:
				out.Refused = append(out.Refused, RefusedAccount{Row: a.Row, UnitCode: in.UnitCode, VI: e.VI, EN: e.EN})
			default:
				// The database or the root key failed: stop, saying what was made so far.
				return out, err
			}
		}
	}
	return out, nil
}
