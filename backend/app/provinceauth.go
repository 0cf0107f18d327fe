package app

import (
	"errors"
	"fmt"

	"giaydiduong/backend/store"
	"giaydiduong/backend/syncclient"
	"giaydiduong/backend/syncwire"
)

// Once the office is enrolled, an account signs in only as the province vouches for it: the
// account's pulled record and its role's must carry the provincial root's signature (the root
// pinned at enrollment) and say what the local row says. A role, a password hash or an
// "active" flag edited in the local database no longer matches, and is refused. Before
// enrollment the office's own accounts work as always (the demo, setting up).

var errNotVouched = newError(CodeUnauthenticated,
	"Tài khoản này chưa được tỉnh cấp hoặc đã bị sửa trên máy: hãy đồng bộ với máy chủ tỉnh, hoặc liên hệ Sở để được cấp tài khoản",
	"This account was not issued by the province, or was changed on this computer: sync with the provincial server, or ask the department for an account")

// provinceVouches returns nil when the office is not enrolled or the province vouches for u;
// otherwise why not (for the audit log).
func (a *App) provinceVouches(q store.Q, u store.User) (error, error) {
	id, err := a.ProvinceEnrollmentStatus()
	if err != nil || id == nil {
		return nil, err
	}
	root, err := syncclient.PinnedRoot(a.dir)
	if err != nil {
		return nil, err
	}
	open := func(entity, key string) (syncwire.Record, error) {
		r, err := q.PulledRecordOf(entity, key)
		if isNotFound(err) {
			return nil, fmt.Errorf("no %s record %s from the province", entity, key)
		}
		if err != nil {
			return nil, err
		}
		rec, err := syncwire.OpenEntry(root.PublicKey, syncwire.FeedEntry{Record: r.Record, Signature: r.Signature})
		if err != nil {
			return nil, fmt.Errorf("%s record %s: %w", entity, key, err)
		}
		if kind, rid, _ := rec.Key(); string(kind) != entity || rid != key {
			return nil, fmt.Errorf("the %s record stored for %s is %s %s", entity, key, kind, rid)
		}
		return rec, nil
	}
	rec, err := open(string(syncwire.KindAccount), u.ID)
	if err != nil {
		return err, nil
	}
	acc := rec.(*syncwire.Account)
	switch {
	case acc.UnitCode != id.UnitCode:
		return fmt.Errorf("the account is unit %s's, this office is unit %s", acc.UnitCode, id.UnitCode), nil
	case acc.Username != u.Username, acc.Role != u.Role, acc.Active != u.Active, acc.PasswordHash != u.PasswordHash, acc.Version != u.Version:
		return errors.New("the local account differs from the province's signed record"), nil
	}
	if _, err := open(string(syncwire.KindRole), u.Role); err != nil {
		return err, nil
	}
	return nil, nil
}

// accountsFromProvince refuses to make or re-password an account at an enrolled office: it
// could not sign in (the province did not sign it), so say where accounts come from instead.
func (a *App) accountsFromProvince() error {
	id, err := a.ProvinceEnrollmentStatus()
	if err != nil || id == nil {
		return err
	}
	return newError(CodeConflict,
		"Văn phòng đã đăng ký với máy chủ tỉnh: tài khoản và mật khẩu do Sở cấp (gdd-server account add), rồi đồng bộ",
		"The office is enrolled with the province: accounts and passwords are issued there (gdd-server account add), then synced")
}
