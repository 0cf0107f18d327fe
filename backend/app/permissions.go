package app

import (
	"context"

	"giaydiduong/backend/auth"
	"giaydiduong/backend/domain"
)

// SessionUser is the signed-in user as the window sees it: who, and what they may do. The
// window shows only what is listed here; the service layer still checks every call.
type SessionUser struct {
	Actor
	Permissions []auth.Permission `json:"permissions"`
}

func sessionUser(a Actor) *SessionUser {
	return &SessionUser{Actor: a, Permissions: auth.Permissions(a.Role)}
}

// allowApplications sets on each application what actor may do with it now (roles, the
// workflow and the four-eyes rule).
func (a *App) allowApplications(ctx context.Context, actor Actor, apps []Application) error {
	settings, err := a.settings(ctx)
	if err != nil {
		return err
	}
	for i := range apps {
		barred := auth.FourEyesBars(settings.FourEyes, apps[i].CreatedBy, actor.UserID)
		apps[i].Actions = auth.ApplicationActions(actor.Role, domain.Status(apps[i].Status), barred)
	}
	return nil
}

// allowPermit sets on p what actor may do with it now.
func allowPermit(actor Actor, p *Permit) {
	p.Actions = auth.PermitActions(actor.Role, domain.PermitStatus(p.Status), p.Expired)
}
