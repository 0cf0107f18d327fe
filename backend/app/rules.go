package app

import (
	"context"
	"encoding/json"
	"fmt"

	"giaydiduong/backend/auth"
	"giaydiduong/backend/domain"
	"giaydiduong/backend/store"
)

// RulesInput is an edit of the locality rules; it becomes the next version.
type RulesInput = domain.RulesInput

func rulesFromRow(r store.RulesRow) (domain.Rules, error) {
	out := domain.Rules{UnitCode: r.UnitCode, Version: r.RuleVersion, PermitsRequired: r.PermitsRequired, MaxDays: r.MaxDays,
		CurfewStart: r.CurfewStart, CurfewEnd: r.CurfewEnd, UpdatedAt: r.CreatedAt, UpdatedBy: r.UpdatedBy}
	if err := json.Unmarshal([]byte(r.Purposes), &out.Purposes); err != nil {
		return domain.Rules{}, fmt.Errorf("read rules v%d purposes: %w", r.RuleVersion, err)
	}
	return out, nil
}

// saveRules appends the next version of the unit's rules.
func (c *change) saveRules(r domain.Rules) error {
	last, err := c.q.LatestRules(r.UnitCode)
	if err != nil && !isNotFound(err) {
		return err
	}
	purposes, err := json.Marshal(r.Purposes)
	if err != nil {
		return fmt.Errorf("encode purposes: %w", err)
	}
	row := store.RulesRow{ID: newID(), Version: 1, UnitCode: r.UnitCode, RuleVersion: last.RuleVersion + 1, PermitsRequired: r.PermitsRequired,
		Purposes: string(purposes), MaxDays: r.MaxDays, CurfewStart: r.CurfewStart, CurfewEnd: r.CurfewEnd, UpdatedBy: c.actor, CreatedAt: c.at}
	if err := c.q.InsertRules(&row); err != nil {
		return err
	}
	wire, err := row.Wire()
	if err != nil {
		return err
	}
	return c.record("rules.update", "rules", row.ID, wire, map[string]any{"unit_code": row.UnitCode, "rule_version": row.RuleVersion})
}

// CurrentRules returns the newest rules of the office's unit.
func (a *App) CurrentRules(ctx context.Context, actor Actor) (domain.Rules, error) {
	if err := a.require(actor, auth.ViewApplications); err != nil {
		return domain.Rules{}, err
	}
	return a.currentRules(ctx)
}

func (a *App) currentRules(ctx context.Context) (domain.Rules, error) {
	unit, err := a.officeUnit(ctx)
	if err != nil {
		return domain.Rules{}, err
	}
	row, err := a.read(ctx).LatestRules(unit)
	if err != nil {
		if isNotFound(err) {
			return domain.Rules{}, notFound("quy định địa phương")
		}
		return domain.Rules{}, err
	}
	return rulesFromRow(row)
}

// RulesHistory returns every version, newest first.
func (a *App) RulesHistory(ctx context.Context, actor Actor) ([]domain.Rules, error) {
	if err := a.require(actor, auth.ViewApplications); err != nil {
		return nil, err
	}
	unit, err := a.officeUnit(ctx)
	if err != nil {
		return nil, err
	}
	rows, err := a.read(ctx).RulesHistory(unit)
	if err != nil {
		return nil, err
	}
	out := make([]domain.Rules, 0, len(rows))
	for _, r := range rows {
		rules, err := rulesFromRow(r)
		if err != nil {
			return nil, err
		}
		out = append(out, rules)
	}
	return out, nil
}

// UpdateRules saves a new version of the rules (office admin).
func (a *App) UpdateRules(ctx context.Context, actor Actor, in RulesInput) (domain.Rules, error) {
	if err := a.require(actor, auth.ManageRules); err != nil {
		return domain.Rules{}, err
	}
	if err := domain.ValidateRules(&in); err != nil {
		return domain.Rules{}, err
	}
	unit, err := a.officeUnit(ctx)
	if err != nil {
		return domain.Rules{}, err
	}
	err = a.write(ctx, actor.Username, func(c *change) error {
		return c.saveRules(domain.Rules{UnitCode: unit, PermitsRequired: in.PermitsRequired, Purposes: in.Purposes, MaxDays: in.MaxDays, CurfewStart: in.CurfewStart, CurfewEnd: in.CurfewEnd})
	})
	if err != nil {
		return domain.Rules{}, err
	}
	return a.currentRules(ctx)
}
