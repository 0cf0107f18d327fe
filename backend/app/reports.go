package app

import (
	"context"
	"io"
	"time"

	"giaydiduong/backend/auth"
	"giaydiduong/backend/render"
	"giaydiduong/backend/report"
)

// reportLabels names the units and this office's purposes for reports.
func (a *App) reportLabels(ctx context.Context) (report.Labels, error) {
	l := report.Labels{Units: map[string]string{}, Purposes: map[string]string{}}
	// Today's name wins for a code reused after 2025; a retired code keeps its last name.
	units := a.unitsOfBothEras()
	for i := len(units) - 1; i >= 0; i-- {
		l.Units[units[i].Code] = units[i].Name
	}
	rules, err := a.currentRules(ctx)
	if err != nil {
		return report.Labels{}, err
	}
	for _, p := range rules.Purposes {
		l.Purposes[p.Code] = p.VI
	}
	return l, nil
}

// ReportSummary counts the office's permits issued from from to to (YYYY-MM-DD, inclusive)
// by day, unit, purpose, status and channel.
func (a *App) ReportSummary(ctx context.Context, actor Actor, from, to string) (report.Summary, error) {
	if err := a.require(actor, auth.ViewApplications); err != nil {
		return report.Summary{}, err
	}
	if err := report.ParsePeriod(from, to); err != nil {
		return report.Summary{}, invalid("period", "date_format", err.Error(), "The report period must be two dates YYYY-MM-DD, from before to")
	}
	labels, err := a.reportLabels(ctx)
	if err != nil {
		return report.Summary{}, err
	}
	return report.Summarize(a.read(ctx), from, to, labels)
}

// DailyRegister is the register book of one day.
func (a *App) DailyRegister(ctx context.Context, actor Actor, day string) (report.Register, error) {
	if err := a.require(actor, auth.ViewApplications); err != nil {
		return report.Register{}, err
	}
	if _, err := time.Parse(time.DateOnly, day); err != nil {
		return report.Register{}, invalid("date", "date_format", "Ngày "+day+" không hợp lệ (yyyy-MM-dd)", "The date must be YYYY-MM-DD")
	}
	labels, err := a.reportLabels(ctx)
	if err != nil {
		return report.Register{}, err
	}
	office, err := a.Office(ctx)
	if err != nil {
		return report.Register{}, err
	}
	name := ""
	if office != nil {
		name = office.Name
	}
	return report.DailyRegister(a.read(ctx), name, day, labels)
}

// WriteDailyRegisterPDF writes a day's register as PDF, set in the permit's embedded fonts.
// The PDF writer is report's (shared with the server); the fonts come from render, which only
// the office links, so report need not embed a second copy.
func (a *App) WriteDailyRegisterPDF(ctx context.Context, actor Actor, day string, w io.Writer) error {
	r, err := a.DailyRegister(ctx, actor, day)
	if err != nil {
		return err
	}
	regular, bold := render.SerifFonts()
	return r.WritePDF(w, report.Fonts{Regular: regular, Bold: bold})
}

// WriteDailyRegisterXLSX writes a day's register as an Excel workbook of values.
func (a *App) WriteDailyRegisterXLSX(ctx context.Context, actor Actor, day string, w io.Writer) error {
	r, err := a.DailyRegister(ctx, actor, day)
	if err != nil {
		return err
	}
	return r.WriteXLSX(w)
}
