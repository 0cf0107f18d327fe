package permit

import (
	"fmt"
	"strconv"
	"time"
)

// Number is a permit's number: the issuing unit, the year, and the gapless sequence of that
// unit's year (e.g. 28249/2026/000123).
func Number(unitCode string, year, seq int) string {
	return fmt.Sprintf("%s/%d/%06d", unitCode, year, seq)
}

// Application is what a QR needs of the application a permit is issued from.
type Application struct {
	FullName     string
	BirthDate    string // YYYY-MM-DD
	IDNumber     string
	PurposeCode  string
	RouteFrom    string
	RouteTo      string
	VehiclePlate string
	ValidFrom    string // YYYY-MM-DD
	ValidTo      string // YYYY-MM-DD
	UnitCode     string // the issuing office's unit
}

// PayloadOf is what the QR carries: the least a checkpoint needs to match the bearer to their
// ID card, plus route, window and issuer. at is when the permit takes effect.
func PayloadOf(app Application, number string, at time.Time) (Payload, error) {
	if len(app.BirthDate) < 4 {
		return Payload{}, fmt.Errorf("permit %s: birth date %q", number, app.BirthDate)
	}
	birthYear, _ := strconv.Atoi(app.BirthDate[:4])
	from, err := ParseDate(app.ValidFrom)
	if err != nil {
		return Payload{}, fmt.Errorf("permit %s: valid_from: %w", number, err)
	}
	to, err := ParseDate(app.ValidTo)
	if err != nil {
		return Payload{}, fmt.Errorf("permit %s: valid_to: %w", number, err)
	}
	last4 := app.IDNumber
	if len(last4) > 4 {
		last4 = last4[len(last4)-4:]
	}
	return Payload{
		Number: number, FullName: app.FullName, BirthYear: birthYear, IDLast4: last4, PurposeCode: app.PurposeCode,
		RouteFrom: app.RouteFrom, RouteTo: app.RouteTo, VehiclePlate: app.VehiclePlate, ValidFrom: from, ValidTo: to,
		UnitCode: app.UnitCode, IssuedAt: at.Truncate(time.Second),
	}, nil
}
