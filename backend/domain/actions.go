package domain

// Steps that are not status changes but are open only in some states.
const (
	ActionIssue         Action = "issue"   // an approved application gets its permit
	PermitActionPreview Action = "preview" // see the PDF as it would print
	PermitActionPrint   Action = "print"   // print a copy (counted)

	UserActionEnrollKey  Action = "enroll_key" // bind a signing token to a leader
	UserActionDeactivate Action = "deactivate"
	UserActionActivate   Action = "activate"
)

// applicationSteps and permitSteps fix the order in which open steps are listed, so screens and
// tests see them stably.
var (
	applicationSteps = []Action{ActionSubmit, ActionApprove, ActionReject}
	permitSteps      = []Action{PermitActionHandSig, PermitActionSign, PermitActionHandOut, PermitActionRevoke}
)

// ApplicationSteps lists what the workflow allows next for an application in status s,
// whoever asks: the transitions out of s, and issuing the permit once it is approved.
func ApplicationSteps(s Status) []Action {
	out := []Action{}
	for _, a := range applicationSteps {
		if _, ok := transitions[s][a]; ok {
			out = append(out, a)
		}
	}
	if s == StatusApproved {
		out = append(out, ActionIssue)
	}
	return out
}

// PermitSteps lists what may be done with a permit in status s now, whoever asks: preview
// always, print unless revoked, and the transitions out of s. A permit whose travel window
// has passed is not signed any more (it would help no one).
func PermitSteps(s PermitStatus, expired bool) []Action {
	out := []Action{PermitActionPreview}
	if s != PermitRevoked {
		out = append(out, PermitActionPrint)
	}
	for _, a := range permitSteps {
		if _, ok := permitTransitions[s][a]; !ok || (a == PermitActionSign && expired) {
			continue
		}
		out = append(out, a)
	}
	return out
}

// UserSteps lists what may be done with an account now, whoever asks: a signing token is
// enrolled only for an active approver (the one who signs), and an account is switched off or
// on.
func UserSteps(role Role, active bool) []Action {
	if !active {
		return []Action{UserActionActivate}
	}
	if role == RoleApprover {
		return []Action{UserActionEnrollKey, UserActionDeactivate}
	}
	return []Action{UserActionDeactivate}
}
