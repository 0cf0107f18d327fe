package domain

import (
	"reflect"
	"testing"
)

func TestApplicationSteps(t *testing.T) {
	for _, c := range []struct {
		s    Status
		want []Action
	}{
		{StatusDraft, []Action{ActionSubmit}},
		{StatusSubmitted, []Action{ActionApprove, ActionReject}},
		{StatusApproved, []Action{ActionIssue}},
		{StatusRejected, []Action{}},
		{Status("bogus"), []Action{}},
	} {
		if got := ApplicationSteps(c.s); !reflect.DeepEqual(got, c.want) {
			t.Errorf("ApplicationSteps(%s) = %v, want %v", c.s, got, c.want)
		}
	}
}

// Every step listed must be one the state machine accepts, and every transition it accepts
// must be listed: the list and the machine cannot drift apart.
func TestStepsMatchTransitions(t *testing.T) {
	for _, s := range Statuses {
		steps := ApplicationSteps(s)
		for a := range transitions[s] {
			if !contains(steps, a) {
				t.Errorf("%s: transition %s is not listed", s, a)
			}
		}
		for _, a := range steps {
			if _, err := Transition(s, a); err != nil && a != ActionIssue {
				t.Errorf("%s: listed %s is refused: %v", s, a, err)
			}
		}
	}
	for _, s := range PermitStatuses {
		steps := PermitSteps(s, false)
		for a := range permitTransitions[s] {
			if !contains(steps, a) {
				t.Errorf("%s: permit transition %s is not listed", s, a)
			}
		}
		for _, a := range steps {
			if a == PermitActionPreview || a == PermitActionPrint {
				continue
			}
			if _, err := PermitTransition(s, a); err != nil {
				t.Errorf("%s: listed %s is refused: %v", s, a, err)
			}
		}
	}
}

func TestPermitSteps(t *testing.T) {
	for _, c := range []struct {
		s       PermitStatus
		expired bool
		want    []Action
	}{
		{PermitAwaitingHand, false, []Action{PermitActionPreview, PermitActionPrint, PermitActionHandSig, PermitActionSign, PermitActionRevoke}},
		{PermitAwaitingHand, true, []Action{PermitActionPreview, PermitActionPrint, PermitActionHandSig, PermitActionRevoke}},
		{PermitHandSigned, false, []Action{PermitActionPreview, PermitActionPrint, PermitActionHandOut, PermitActionRevoke}},
		{PermitSigned, false, []Action{PermitActionPreview, PermitActionPrint, PermitActionHandOut, PermitActionRevoke}},
		{PermitIssued, false, []Action{PermitActionPreview, PermitActionPrint, PermitActionRevoke}},
		{PermitRevoked, false, []Action{PermitActionPreview}},
	} {
		if got := PermitSteps(c.s, c.expired); !reflect.DeepEqual(got, c.want) {
			t.Errorf("PermitSteps(%s, expired=%v) = %v, want %v", c.s, c.expired, got, c.want)
		}
	}
}

func contains(list []Action, a Action) bool {
	for _, x := range list {
		if x == a {
			return true
		}
	}
	return false
}
