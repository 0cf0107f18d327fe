package permit

import (
	"testing"
	"time"
)

func TestNumber(t *testing.T) {
	for _, c := range []struct {
		unit      string
		year, seq int
		want      string
	}{
		{"28249", 2026, 1, "28249/2026/000001"},
		{"815", 2027, 123456, "815/2027/123456"},
		{"28249", 2026, 1234567, "28249/2026/1234567"},
	} {
		if got := Number(c.unit, c.year, c.seq); got != c.want {
			t.Errorf("Number(%s, %d, %d) = %s, want %s", c.unit, c.year, c.seq, got, c.want)
		}
	}
}

func TestPayloadOf(t *testing.T) {
	at := time.Date(2026, 3, 10, 8, 30, 15, 999, time.UTC)
	app := Application{FullName: "Nguyễn Văn Dũng", BirthDate: "1995-03-15", IDNumber: "082095001234", PurposeCode: "work",
		RouteFrom: "A", RouteTo: "B", VehiclePlate: "63-B1 123.45", ValidFrom: "2026-03-10", ValidTo: "2026-03-12", UnitCode: "28249"}
	p, err := PayloadOf(app, "28249/2026/000001", at)
	if err != nil {
		t.Fatal(err)
	}
	if p.BirthYear != 1995 || p.IDLast4 != "1234" || p.ValidFrom.String() != "2026-03-10" || p.ValidTo.String() != "2026-03-12" ||
		!p.IssuedAt.Equal(at.Truncate(time.Second)) || p.UnitCode != "28249" || p.Number != "28249/2026/000001" {
		t.Errorf("payload %+v", p)
	}
	for name, bad := range map[string]Application{
		"valid_from": {BirthDate: "1995-03-15", ValidFrom: "10/03/2026", ValidTo: "2026-03-12"},
		"valid_to":   {BirthDate: "1995-03-15", ValidFrom: "2026-03-10", ValidTo: "x"},
		"birth":      {BirthDate: "", ValidFrom: "2026-03-10", ValidTo: "2026-03-12"},
	} {
		if _, err := PayloadOf(bad, "n", at); err == nil {
			t.Errorf("%s: a bad application made a payload", name)
		}
	}
}
