// Package desktop holds the services bound to the window (Wails) and, through the HTTP
// bridge, to a browser. They are thin: each method resolves the session's user and calls
// the app layer; errors cross as the JSON of app.Error so the UI can show them per field.
package desktop

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"

	"giaydiduong/backend/app"
	"giaydiduong/backend/domain"
	"giaydiduong/backend/store"
)

// Services is one seat's set of bound services.
type Services struct {
	Auth         *AuthService
	Units        *UnitService
	Meta         *MetaService
	Rules        *RulesService
	Applications *ApplicationService
	Settings     *SettingsService
	Users        *UserService
	Permits      *PermitService
	Verify       *VerifyService
	Tokens       *TokenService
	Scans        *ScanService
	Sync         *SyncService
	// Paper backfill, reports and the account-registration list (backfill.go).
	Backfill    *BackfillService
	Reports     *ReportService
	AccountList *AccountListService
}

// New binds the services of one session.
func New(ctx context.Context, a *app.App, s *app.Session) *Services {
	b := base{ctx: ctx, app: a, sess: s}
	return &Services{&AuthService{b}, &UnitService{b}, &MetaService{b}, &RulesService{b}, &ApplicationService{b}, &SettingsService{b}, &UserService{b}, &PermitService{b}, &VerifyService{b}, &TokenService{b}, &ScanService{b}, &SyncService{b},
		&BackfillService{b}, &ReportService{b}, &AccountListService{b}}
}

// All lists the services for binding.
func (s *Services) All() []any {
	return []any{s.Auth, s.Units, s.Meta, s.Rules, s.Applications, s.Settings, s.Users, s.Permits, s.Verify, s.Tokens, s.Scans, s.Sync,
		s.Backfill, s.Reports, s.AccountList}
}

type base struct {
	ctx  context.Context
	app  *app.App
	sess *app.Session
}

// SetContext replaces the context (Wails hands one over at start-up).
func (s *Services) SetContext(ctx context.Context) {
	for _, b := range []*base{&s.Auth.base, &s.Units.base, &s.Meta.base, &s.Rules.base, &s.Applications.base, &s.Settings.base, &s.Users.base, &s.Permits.base, &s.Verify.base, &s.Tokens.base, &s.Scans.base, &s.Sync.base,
		&s.Backfill.base, &s.Reports.base, &s.AccountList.base} {
		b.ctx = ctx
	}
}

// ErrorJSON is the wire form of any service error.
func ErrorJSON(err error) string {
	b, _ := json.Marshal(app.AsError(err)) // a struct of strings cannot fail to encode
	return string(b)
}

// wire converts a service error for the window.
func wire(err error) error {
	if err == nil {
		return nil
	}
	return errors.New(ErrorJSON(err))
}

func call[T any](b base, fn func(app.Actor) (T, error)) (T, error) {
	return callAs(b, b.sess.Actor, fn)
}

// poll is call for what a screen asks on its own timer: not the user's activity.
func poll[T any](b base, fn func(app.Actor) (T, error)) (T, error) {
	return callAs(b, b.sess.Observer, fn)
}

func callAs[T any](b base, who func(context.Context) (app.Actor, error), fn func(app.Actor) (T, error)) (T, error) {
	actor, err := who(b.ctx)
	if err != nil {
		var zero T
		return zero, wire(err)
	}
	v, err := fn(actor)
	return v, wire(err)
}

// AuthService signs users in and out and runs the first-run wizard.
type AuthService struct{ base }

func (s *AuthService) Status() (app.AuthStatus, error) {
	st, err := s.sess.Status(s.ctx)
	return st, wire(err)
}

func (s *AuthService) Login(username, password string) (app.Actor, error) {
	a, err := s.sess.Login(s.ctx, username, password)
	return a, wire(err)
}

func (s *AuthService) Logout() error { return wire(s.sess.Logout(s.ctx)) }
func (s *AuthService) Lock()         { s.sess.Lock() }

func (s *AuthService) Unlock(password string) error { return wire(s.sess.Unlock(s.ctx, password)) }

// Touch tells the session the user is active (typing without calling the backend).
func (s *AuthService) Touch() error {
	_, err := s.sess.Actor(s.ctx)
	return wire(err)
}

// AcknowledgeAccountNotices marks the account-change notices up to seq as read.
func (s *AuthService) AcknowledgeAccountNotices(seq int64) error {
	return wire(s.sess.AcknowledgeAccountNotices(s.ctx, seq))
}

func (s *AuthService) Setup(in app.SetupInput) (app.Actor, error) {
	a, err := s.sess.Setup(s.ctx, in)
	return a, wire(err)
}

// UnitService lists administrative units (today's, unless a day is given) and sets the
// office's own commune.
type UnitService struct{ base }

func (s *UnitService) Provinces() ([]domain.Unit, error) { return s.Children("") }

// Search finds today's communes by name, diacritics optional, in every province or one.
func (s *UnitService) Search(query, provinceCode string) []app.CommuneHit {
	return s.app.SearchCommunes(query, provinceCode, 50)
}

// Versions lists what a code meant over time.
func (s *UnitService) Versions(code string) []domain.Unit { return s.app.UnitVersions(code) }

// SetOfficeUnit sets the office's own commune to one of today's (office admin).
func (s *UnitService) SetOfficeUnit(code string) (*app.OfficeInfo, error) {
	return call(s.base, func(a app.Actor) (*app.OfficeInfo, error) { return s.app.ChangeOfficeUnit(s.ctx, a, code) })
}

func (s *UnitService) Children(parentCode string) ([]domain.Unit, error) {
	u, err := s.app.Units(parentCode)
	return u, wire(err)
}

func (s *UnitService) Get(code string) (domain.Unit, error) {
	if u, ok := s.app.Unit(code); ok {
		return u, nil
	}
	return domain.Unit{}, wire(app.ErrUnitNotFound(code))
}

// MetaService gives the fixed code lists.
type MetaService struct{ base }

func (s *MetaService) Get() app.Meta { return app.GetMeta() }

// RulesService reads and edits the locality rules.
type RulesService struct{ base }

func (s *RulesService) Current() (domain.Rules, error) {
	return call(s.base, func(a app.Actor) (domain.Rules, error) { return s.app.CurrentRules(s.ctx, a) })
}

func (s *RulesService) History() ([]domain.Rules, error) {
	return call(s.base, func(a app.Actor) ([]domain.Rules, error) { return s.app.RulesHistory(s.ctx, a) })
}

func (s *RulesService) Update(in app.RulesInput) (domain.Rules, error) {
	return call(s.base, func(a app.Actor) (domain.Rules, error) { return s.app.UpdateRules(s.ctx, a, in) })
}

// ApplicationService is intake, lists and decisions.
type ApplicationService struct{ base }

func (s *ApplicationService) Add(in domain.ApplicationInput) (app.Application, error) {
	return call(s.base, func(a app.Actor) (app.Application, error) { return s.app.AddApplication(s.ctx, a, in, false) })
}

func (s *ApplicationService) SaveDraft(in domain.ApplicationInput) (app.Application, error) {
	return call(s.base, func(a app.Actor) (app.Application, error) { return s.app.AddApplication(s.ctx, a, in, true) })
}

// AddWith saves a new application with options: draft, and the clerk's confirmation that
// a possible duplicate (shown to them from the "duplicate" error) is intended.
func (s *ApplicationService) AddWith(in domain.ApplicationInput, opts app.AddOptions) (app.Application, error) {
	return call(s.base, func(a app.Actor) (app.Application, error) { return s.app.AddApplicationWith(s.ctx, a, in, opts) })
}

// UpdateDraft replaces a draft's content; without opts.Draft it also submits it.
func (s *ApplicationService) UpdateDraft(id string, in domain.ApplicationInput, opts app.AddOptions) (app.Application, error) {
	return call(s.base, func(a app.Actor) (app.Application, error) { return s.app.UpdateDraft(s.ctx, a, id, in, opts) })
}

// Copy returns an application's content as a new application's input (to correct a rejected one).
func (s *ApplicationService) Copy(id string) (domain.ApplicationInput, error) {
	return call(s.base, func(a app.Actor) (domain.ApplicationInput, error) { return s.app.CopyApplication(s.ctx, a, id) })
}

func (s *ApplicationService) Submit(id string) (app.Application, error) {
	return call(s.base, func(a app.Actor) (app.Application, error) { return s.app.SubmitApplication(s.ctx, a, id) })
}

func (s *ApplicationService) Get(id string) (app.Application, error) {
	return call(s.base, func(a app.Actor) (app.Application, error) { return s.app.GetApplication(s.ctx, a, id) })
}

func (s *ApplicationService) List(f app.ListFilter) (app.ApplicationPage, error) {
	return call(s.base, func(a app.Actor) (app.ApplicationPage, error) { return s.app.ListApplications(s.ctx, a, f) })
}

func (s *ApplicationService) Approve(id string) (app.Application, error) {
	return call(s.base, func(a app.Actor) (app.Application, error) { return s.app.ApproveApplication(s.ctx, a, id) })
}

func (s *ApplicationService) Reject(id, reason string) (app.Application, error) {
	return call(s.base, func(a app.Actor) (app.Application, error) { return s.app.RejectApplication(s.ctx, a, id, reason) })
}

// ParseCCCDQR reads a card's QR text (as a scanner typed it) into the form in.
func (s *ApplicationService) ParseCCCDQR(text string, in domain.ApplicationInput) (app.CardFill, error) {
	return call(s.base, func(app.Actor) (app.CardFill, error) { return s.app.FillFromCCCD(in, text) })
}

// DecodeCCCDImage reads the card in a photo or scan into the form in; the image file comes as
// base64 (the window cannot pass bytes).
func (s *ApplicationService) DecodeCCCDImage(b64 string, in domain.ApplicationInput) (app.CardFill, error) {
	return call(s.base, func(app.Actor) (app.CardFill, error) {
		data, err := base64.StdEncoding.DecodeString(b64)
		if err != nil {
			return app.CardFill{}, &app.Error{Code: app.CodeValidation, VI: "Tệp ảnh gửi lên bị hỏng", EN: "The uploaded image is corrupt",
				Fields: []domain.FieldError{{Field: "cccd_image", Code: "bad_image", VI: "Tệp ảnh gửi lên bị hỏng", EN: "The uploaded image is corrupt"}}}
		}
		return s.app.FillFromCCCDImage(s.ctx, in, data)
	})
}

// SettingsService reads and edits the office settings.
type SettingsService struct{ base }

func (s *SettingsService) Get() (app.Settings, error) {
	return call(s.base, func(a app.Actor) (app.Settings, error) { return s.app.Settings(s.ctx, a) })
}

func (s *SettingsService) Update(in app.Settings) (app.Settings, error) {
	return call(s.base, func(a app.Actor) (app.Settings, error) { return s.app.UpdateSettings(s.ctx, a, in) })
}

// UserService manages local accounts.
type UserService struct{ base }

func (s *UserService) List() ([]app.User, error) {
	return call(s.base, func(a app.Actor) ([]app.User, error) { return s.app.Users(s.ctx, a) })
}

func (s *UserService) Add(in app.UserInput) (store.User, error) {
	return call(s.base, func(a app.Actor) (store.User, error) { return s.app.AddUser(s.ctx, a, in) })
}

func (s *UserService) SetActive(id string, active bool) (store.User, error) {
	return call(s.base, func(a app.Actor) (store.User, error) { return s.app.SetUserActive(s.ctx, a, id, active) })
}

func (s *UserService) ResetPassword(id, password string) error {
	_, err := call(s.base, func(a app.Actor) (struct{}, error) { return struct{}{}, s.app.ResetPassword(s.ctx, a, id, password) })
	return err
}
