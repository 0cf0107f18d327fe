package app

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"giaydiduong/backend/auth"
	"giaydiduong/backend/domain"
	"giaydiduong/backend/printing"
	"giaydiduong/backend/render"
	"giaydiduong/backend/store"
)

// PDFUse says why a permit PDF is made: a preview on screen is not a copy handed out, a
// print or an exported file is, and makes the next one a reprint.
type PDFUse int

const (
	ForPreview PDFUse = iota
	ForPrint
	ForExport
)

// MaxBatch bounds one batch print.
const MaxBatch = 1000

// PermitsPDF renders permits, one per page. Printing and exporting count as copies handed
// out: each is audit-logged and the next copy says "Bản in lại lần N".
func (a *App) PermitsPDF(ctx context.Context, actor Actor, numbers []string, paper render.Paper, use PDFUse) ([]byte, error) {
	var out []byte
	err := a.printedCopies(ctx, actor, numbers, use, func(pdf []byte) error { out = pdf; return nil }, paper, "")
	return out, err
}

// PrintPermits renders permits and sends them to a printer (the office default when printer
// is ""). The copy count moves only if the spooler took the job.
func (a *App) PrintPermits(ctx context.Context, actor Actor, numbers []string, printer string, paper render.Paper) (printing.Job, error) {
	if printer == "" {
		s, err := a.settings(ctx)
		if err != nil {
			return printing.Job{}, err
		}
		if printer = s.DefaultPrinter; printer == "" {
			return printing.Job{}, invalid("printer", "required", "Chưa chọn máy in và văn phòng chưa đặt máy in mặc định", "No printer given and the office has no default printer")
		}
	}
	var job printing.Job
	err := a.printedCopies(ctx, actor, numbers, ForPrint, func(pdf []byte) error {
		title := "Giay di duong " + numbers[0]
		if len(numbers) > 1 {
			title = fmt.Sprintf("Giay di duong (%d)", len(numbers))
		}
		var err error
		job, err = a.Spooler.Print(ctx, printer, pdf, title, 1)
		return printError(err)
	}, paper, printer)
	return job, err
}

func (a *App) printedCopies(ctx context.Context, actor Actor, numbers []string, use PDFUse, deliver func([]byte) error, paper render.Paper, printer string) error {
	if err := a.require(actor, auth.ViewApplications); err != nil {
		return err
	}
	if len(numbers) == 0 || len(numbers) > MaxBatch {
		return invalid("numbers", "count", fmt.Sprintf("Chọn từ 1 đến %d giấy đi đường", MaxBatch), fmt.Sprintf("Choose 1 to %d permits", MaxBatch))
	}
	// One copy of each permit per batch: a number listed twice would hand out two copies
	// with the same label while counting one.
	seen := make(map[string]bool, len(numbers))
	for _, n := range numbers {
		if seen[n] {
			return invalid("numbers", "duplicate", "Giấy đi đường số "+n+" được chọn hai lần; mỗi lần in chỉ in một bản mỗi giấy", "Permit "+n+" is listed twice; a batch has one copy of each permit")
		}
		seen[n] = true
	}
	build := func() ([]byte, []store.Permit, error) {
		views, err := a.permitsByNumber(ctx, numbers)
		if err != nil {
			return nil, nil, err
		}
		permits := make([]render.Permit, len(numbers))
		recs := make([]store.Permit, len(numbers))
		for i, p := range views {
			recs[i] = p.Permit
			if permits[i], err = a.renderable(ctx, p); err != nil {
				return nil, nil, err
			}
		}
		var buf bytes.Buffer
		if err := render.Permits(&buf, permits, render.Options{Paper: paper}); err != nil {
			return nil, nil, fmt.Errorf("render permits: %w", err)
		}
		return buf.Bytes(), recs, nil
	}
	if use == ForPreview {
		pdf, _, err := build()
		if err != nil {
			return err
		}
		return deliver(pdf)
	}
	// Render, hand over and count in one transaction, so a copy is counted exactly when it
	// was delivered.
	return a.write(ctx, actor.Username, func(c *change) error {
		pdf, recs, err := build()
		if err != nil {
			return err
		}
		if err := deliver(pdf); err != nil {
			return err
		}
		action := "permit.print"
		if use == ForExport {
			action = "permit.export"
		}
		for _, p := range recs {
			if err := c.q.SetPrintCount(p.ID, p.PrintCount+1); err != nil {
				return err
			}
			if err := c.record(action, "permit", p.ID, nil, map[string]any{"number": p.Number, "copy": p.PrintCount + 1, "printer": printer, "paper": paper.String()}); err != nil {
				return err
			}
		}
		return nil
	})
}

// renderable turns a permit into what the PDF shows.
func (a *App) renderable(ctx context.Context, p Permit) (render.Permit, error) {
	office, err := a.Office(ctx)
	if err != nil {
		return render.Permit{}, err
	}
	// A reprint names the units the permit was issued under, even after they changed.
	unitName, place := p.UnitName, p.UnitPlace
	if place == "" {
		unitName, place, _ = a.place(p.UnitCode, p.UnitName)
	}
	authority, issuing := letterhead(office.AgencyKind, office.Name, unitName, place)
	app := p.Application
	rules, err := a.rulesVersion(ctx, app.OfficeUnitCode, app.RulesVersion)
	if err != nil {
		return render.Permit{}, err
	}
	purpose := app.PurposeCode
	if pp, ok := rules.Purpose(app.PurposeCode); ok {
		purpose = pp.VI
	}
	vehicle := app.VehicleType
	for _, v := range GetMeta().VehicleTypes {
		if v.Code == app.VehicleType {
			vehicle = v.VI
		}
	}
	if app.VehiclePlate != "" {
		vehicle += " — " + app.VehiclePlate
	}
	gender := "Nam"
	if app.Gender == string(domain.Female) {
		gender = "Nữ"
	}
	sig := render.Signature{Kind: p.SignatureKind, SignerName: p.SignerName, SignerTitle: p.SignerTitle, SignedAt: p.IssuedAt}
	return render.Permit{
		Number: p.Number, AuthorityName: authority, IssuingUnitName: issuing, PlaceName: shortName(unitName),
		FullName: app.FullName, BirthDate: ddmmyyyy(app.BirthDate), Gender: gender, IDNumber: app.IDNumber, Phone: app.Phone,
		Residence: a.address(app.Application), Workplace: app.Workplace, Purpose: purpose,
		RouteFrom: app.RouteFrom, RouteTo: app.RouteTo, Vehicle: vehicle, ValidFrom: ddmmyyyy(app.ValidFrom), ValidTo: ddmmyyyy(app.ValidTo),
		Note: app.Note, IssuedAt: p.IssuedAt, Signature: sig, QR: p.QR, Reprint: p.PrintCount, Demo: office.Demo,
	}, nil
}

// letterhead is the two lines at the top left: the superior body and the issuing office,
// both in full as administrative documents print them. place is the unit and its parents
// as of the document's date. Since July 2025 a commune's committee writes its province above
// it ("TỈNH ĐỒNG THÁP" / "ỦY BAN NHÂN DÂN PHƯỜNG MỸ THO"); documents of the three-level years
// keep their district above ("ỦY BAN NHÂN DÂN THÀNH PHỐ MỸ THO" / "ỦY BAN NHÂN DÂN XÃ TÂN MỸ CHÁNH").
func letterhead(kind domain.AgencyKind, officeName, unitName, place string) (authority, issuing string) {
	const committee = "ỦY BAN NHÂN DÂN "
	chain := strings.Split(place, ", ")
	if unitName == "" {
		unitName = chain[0]
	}
	switch kind {
	case domain.AgencyCommuneCommittee, domain.AgencyDistrictCommittee:
		switch len(chain) {
		case 2:
			return strings.ToUpper(chain[1]), committee + strings.ToUpper(unitName)
		case 3:
			return committee + strings.ToUpper(chain[1]), committee + strings.ToUpper(unitName)
		}
		return "", committee + strings.ToUpper(unitName)
	default:
		return committee + strings.ToUpper(unitName), strings.ToUpper(strings.TrimSuffix(officeName, demoSuffix))
	}
}

// officeLetterhead is the letterhead of a document made today.
func (a *App) officeLetterhead(o *OfficeInfo) (authority, issuing string) {
	name, place, _ := a.place(o.UnitCode, o.UnitName)
	return letterhead(o.AgencyKind, o.Name, name, place)
}

// address joins a street with its commune and the commune's parents as the application
// stored them on its date.
func (a *App) address(app store.Application) string {
	place := app.ResidencePlace
	if place == "" {
		_, place, _ = a.place(app.ResidenceCommuneCode, app.ResidenceCommuneName)
	}
	parts := []string{}
	for _, p := range []string{app.ResidenceStreet, place} {
		if p != "" {
			parts = append(parts, p)
		}
	}
	return strings.Join(parts, ", ")
}

// shortName drops the unit type for the "<place>, ngày …" line.
func shortName(name string) string {
	for _, p := range []string{"Thành phố ", "Thị xã ", "Thị trấn ", "Huyện ", "Quận ", "Phường ", "Xã ", "Tỉnh "} {
		if rest, ok := strings.CutPrefix(name, p); ok {
			return rest
		}
	}
	return name
}

func ddmmyyyy(isoDate string) string {
	t, err := time.Parse(time.DateOnly, isoDate)
	if err != nil {
		return isoDate
	}
	return t.Format("02/01/2006")
}

func (a *App) rulesVersion(ctx context.Context, unit string, version int) (domain.Rules, error) {
	row, err := a.read(ctx).RulesVersion(unit, version)
	if err != nil {
		return domain.Rules{}, err
	}
	return rulesFromRow(row)
}

// ApplicationFormPDF is the blank paper form for citizens who register on paper.
func (a *App) ApplicationFormPDF(ctx context.Context, paper render.Paper) ([]byte, error) {
	office, err := a.officeOrErr(ctx)
	if err != nil {
		return nil, err
	}
	rules, err := a.currentRules(ctx)
	if err != nil {
		return nil, err
	}
	authority, issuing := a.officeLetterhead(office)
	h := render.FormHeader{AuthorityName: authority, IssuingUnitName: issuing, Demo: office.Demo}
	for _, p := range rules.Purposes {
		h.Purposes = append(h.Purposes, p.VI)
	}
	var buf bytes.Buffer
	if err := render.ApplicationForm(&buf, h, render.Options{Paper: paper}); err != nil {
		return nil, fmt.Errorf("render application form: %w", err)
	}
	return buf.Bytes(), nil
}

// PrintApplicationForm prints blank forms (audit-logged).
func (a *App) PrintApplicationForm(ctx context.Context, actor Actor, printer string, copies int, paper render.Paper) (printing.Job, error) {
	if err := a.require(actor, auth.ViewApplications); err != nil {
		return printing.Job{}, err
	}
	pdf, err := a.ApplicationFormPDF(ctx, paper)
	if err != nil {
		return printing.Job{}, err
	}
	var job printing.Job
	err = a.write(ctx, actor.Username, func(c *change) error {
		if job, err = a.Spooler.Print(ctx, printer, pdf, "Mau don de nghi cap giay di duong", copies); err != nil {
			return printError(err)
		}
		return c.record("form.print", "form", "application_form", nil, map[string]any{"printer": printer, "copies": copies, "job": job.ID})
	})
	return job, err
}

// Printers lists the printers the OS knows.
func (a *App) Printers(ctx context.Context) ([]printing.Printer, error) {
	p, err := a.Spooler.Printers(ctx)
	return p, printError(err)
}

// printError keeps the spooler's Vietnamese and English reason for the clerk.
func printError(err error) error {
	var pe *printing.Error
	if errors.As(err, &pe) {
		return &Error{Code: CodeConflict, VI: pe.VI, EN: pe.EN, cause: err}
	}
	return err
}

func (a *App) officeOrErr(ctx context.Context) (*OfficeInfo, error) {
	o, err := a.Office(ctx)
	if err == nil && o == nil {
		err = newError(CodeConflict, "Văn phòng chưa được thiết lập", "The office is not set up yet")
	}
	return o, err
}
