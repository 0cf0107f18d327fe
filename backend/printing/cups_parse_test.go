//go:build !windows

package printing

import (
	"reflect"
	"testing"
)

func TestParsePrinters(t *testing.T) {
	tests := []struct {
		name string
		out  string
		want map[string]cupsPrinter
	}{
		{"none", "", map[string]cupsPrinter{}},
		{"idle, short", "printer GDD-PDF is idle.  enabled since Sat Nov 28 01:04:59 2026\n",
			map[string]cupsPrinter{"GDD-PDF": {state: StateIdle}}},
		{"long", "printer GDD-PDF is idle.  enabled since Sat Nov 28 01:04:59 2026\n" +
			"\tForm mounted:\n\tContent types: any\n\tPrinter types: unknown\n" +
			"\tDescription: GiayDiDuong PDF (cups-pdf, thử nghiệm)\n\tAlerts: none\n\tLocation: may ao\n" +
			"\tUsers allowed:\n\t\t(all)\n",
			map[string]cupsPrinter{"GDD-PDF": {state: StateIdle, description: "GiayDiDuong PDF (cups-pdf, thử nghiệm)"}}},
		{"paused without reason", "printer GDD-PDF disabled since Sat Nov 28 01:05:21 2026 -\n\tPaused\n\tForm mounted:\n\tDescription: \n",
			map[string]cupsPrinter{"GDD-PDF": {state: StatePaused}}},
		{"paused, reason unknown", "printer GDD-PDF disabled since Sat Nov 28 01:05:21 2026 -\n\treason unknown\n",
			map[string]cupsPrinter{"GDD-PDF": {state: StatePaused}}},
		{"paused with reason", "printer GDD-PDF disabled since Sat Nov 28 01:05:21 2026 -\n\tHết giấy: khay 2\n\tForm mounted:\n\tDescription: Tầng 1\n",
			map[string]cupsPrinter{"GDD-PDF": {state: StatePaused, reason: "Hết giấy: khay 2", description: "Tầng 1"}}},
		{"several", "printer HP_M211 now printing HP_M211-7.  enabled since Fri 28 Nov 2025 08:00:00 AM +07\n" +
			"\tSending data to printer.\n" +
			"printer Canon disabled since Fri 28 Nov 2025 08:00:00 AM +07 -\n\tPaused\n" +
			"printer printer is idle.  enabled since Fri 28 Nov 2025\n" +
			"printer Odd is something new\n" +
			"garbage line\n",
			map[string]cupsPrinter{
				"HP_M211": {state: StatePrinting, reason: "Sending data to printer."},
				"Canon":   {state: StatePaused},
				"printer": {state: StateIdle},
				"Odd":     {state: StateUnknown},
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := parsePrinters(tt.out); !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("parsePrinters = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestParseAccepting(t *testing.T) {
	tests := []struct {
		name string
		out  string
		want map[string]bool
	}{
		{"none", "", map[string]bool{}},
		{"mixed", "GDD-PDF accepting requests since Sat Nov 28 01:04:59 2026\n" +
			"HP not accepting requests since Sat Nov 28 01:05:21 2026 -\n\tbao tri\n" +
			"not accepting requests since x\n",
			map[string]bool{"GDD-PDF": true, "HP": false, "not": true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := parseAccepting(tt.out); !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("parseAccepting = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestParseDefaultNamesJobs(t *testing.T) {
	defaults := []struct{ out, want string }{
		{"no system default destination\n", ""},
		{"system default destination: GDD-PDF\n", "GDD-PDF"},
		{"system default destination: HP/a5\n", "HP/a5"},
		{"", ""},
	}
	for _, tt := range defaults {
		if got := parseDefault(tt.out); got != tt.want {
			t.Errorf("parseDefault(%q) = %q, want %q", tt.out, got, tt.want)
		}
	}
	names := []struct {
		out  string
		want []string
	}{
		{"", nil},
		{"GDD-PDF\nHP/a5\r\n\nGDD-PDF\n", []string{"GDD-PDF", "HP/a5"}},
	}
	for _, tt := range names {
		if got := parseNames(tt.out); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("parseNames(%q) = %q, want %q", tt.out, got, tt.want)
		}
	}
	jobs := []struct {
		out  string
		want []string
	}{
		{"", nil},
		{"GDD-PDF-3               root              2048   Sat Nov 28 01:05:21 2026\n" +
			"\tStatus: \n\tAlerts: processing-to-stop-point\n" +
			"GDD-PDF-12              nobody            1k     Sat Nov 28 01:05:22 2026\n",
			[]string{"GDD-PDF-3", "GDD-PDF-12"}},
	}
	for _, tt := range jobs {
		if got := parseJobIDs(tt.out); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("parseJobIDs(%q) = %q, want %q", tt.out, got, tt.want)
		}
	}
}
