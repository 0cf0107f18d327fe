package domain

import "fmt"

// PermitStatus is a permit's place in its life.
type PermitStatus string

const (
	PermitSigned        PermitStatus = "signed"                  // signed digitally by a leader's token
	PermitAwaitingHand  PermitStatus = "awaiting_hand_signature" // printed for a leader to sign by hand
	PermitHandSigned    PermitStatus = "hand_signed"             // the leader signed and stamped the paper
	PermitIssued        PermitStatus = "issued"                  // handed over to the citizen
	PermitRevoked       PermitStatus = "revoked"                 // withdrawn, with a reason
	PermitActionHandSig Action       = "mark_hand_signed"
	PermitActionHandOut Action       = "hand_over"
	PermitActionRevoke  Action       = "revoke"
	PermitActionSign    Action       = "sign"
)

var permitTransitions = map[PermitStatus]map[Action]PermitStatus{
	PermitAwaitingHand: {PermitActionHandSig: PermitHandSigned, PermitActionSign: PermitSigned, PermitActionRevoke: PermitRevoked},
	PermitHandSigned:   {PermitActionHandOut: PermitIssued, PermitActionRevoke: PermitRevoked},
	PermitSigned:       {PermitActionHandOut: PermitIssued, PermitActionRevoke: PermitRevoked},
	PermitIssued:       {PermitActionRevoke: PermitRevoked},
}

// PermitTransition returns where action leads from s, or an error wrapping ErrInvalidTransition.
func PermitTransition(s PermitStatus, a Action) (PermitStatus, error) {
	if next, ok := permitTransitions[s][a]; ok {
		return next, nil
	}
	return "", fmt.Errorf("%w: cannot %s a permit that is %s", ErrInvalidTransition, a, s)
}

// PermitStatuses lists every permit status.
var PermitStatuses = []PermitStatus{PermitSigned, PermitAwaitingHand, PermitHandSigned, PermitIssued, PermitRevoked}

// How a permit reached the register: issued here from an application, or issued on paper
// before the office had the software and entered afterwards (a "backfill", with no QR).
const (
	ChannelWalkIn        = "walk_in"
	ChannelPaperBackfill = "paper_backfill"
)

// PaperPermitMark is shown beside a backfilled paper permit in every list, report and verdict.
const PaperPermitMark = "Giấy cấp thủ công, đã nhập bổ sung"
