package domain

import (
	"errors"
	"testing"
)

func TestPermitTransitions(t *testing.T) {
	for _, c := range []struct {
		from PermitStatus
		act  Action
		want PermitStatus // "" = refused
	}{
		{PermitAwaitingHand, PermitActionHandSig, PermitHandSigned},
		{PermitAwaitingHand, PermitActionHandOut, ""},
		{PermitHandSigned, PermitActionHandOut, PermitIssued},
		{PermitSigned, PermitActionHandOut, PermitIssued},
		{PermitSigned, PermitActionHandSig, ""},
		{PermitIssued, PermitActionRevoke, PermitRevoked},
		{PermitAwaitingHand, PermitActionRevoke, PermitRevoked},
		{PermitRevoked, PermitActionRevoke, ""},
		{PermitRevoked, PermitActionHandOut, ""},
		{PermitIssued, PermitActionHandOut, ""},
	} {
		got, err := PermitTransition(c.from, c.act)
		if c.want == "" {
			if !errors.Is(err, ErrInvalidTransition) {
				t.Errorf("%s --%s--> allowed (%s), want refused", c.from, c.act, got)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("%s --%s--> %s, %v; want %s", c.from, c.act, got, err, c.want)
		}
	}
}

func TestApplicationTransitions(t *testing.T) {
	for _, from := range Statuses {
		for _, act := range []Action{ActionSubmit, ActionApprove, ActionReject} {
			got, err := Transition(from, act)
			legal := (from == StatusDraft && act == ActionSubmit) || (from == StatusSubmitted && act != ActionSubmit)
			if legal != (err == nil) {
				t.Errorf("%s --%s--> %s, %v: legal=%v", from, act, got, err, legal)
			}
			if err != nil && !errors.Is(err, ErrInvalidTransition) {
				t.Errorf("%s --%s-->: error %v does not wrap ErrInvalidTransition", from, act, err)
			}
		}
	}
}
