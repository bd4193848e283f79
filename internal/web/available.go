package web

import (
	"slices"
	"time"

	"github.com/kurultai/kurultai/internal/charter"
	"github.com/kurultai/kurultai/internal/crisis"
	"github.com/kurultai/kurultai/internal/kurultai"
)

// avail is an action the user may take now, with the records (and the
// options for each) it may be taken on.
type avail struct {
	Name    charter.Action
	Role    charter.Role
	Targets []target
	Options []string // options of an action without a target
}

type target struct {
	ID      string
	Options []string
}

// try is one way to take an action: a target, an option and parameters
// that pass the action's own checks when the state allows it.
type try struct {
	target, option string
	action         crisis.Action
}

// available lists what p may do on st now. Each action is tried with
// crisis.Act (which changes nothing) on every record it could concern, so
// a form appears exactly when the charter and the state allow it; the
// parameters tried are placeholders and what the user sends is checked
// again when the form comes back.
func available(m *crisis.Mechanism, st *crisis.State, p kurultai.Principal, now time.Time) map[string]*avail {
	out := map[string]*avail{}
	if !p.CanWrite() {
		return out
	}
	roles := m.RolesOf(p, st.Affected())
	for _, name := range charter.Actions {
		if name == charter.ActRaiseAlert || !m.Charter.ModeAllows(st.Mode, name) ||
			!slices.ContainsFunc(roles, func(r charter.Role) bool { return m.Charter.RoleAllows(r, name) }) {
			continue
		}
		var a *avail
		for _, t := range tries(m.Charter, st, name, now) {
			res, err := m.Act(st, p, t.action, now)
			if err != nil {
				continue
			}
			if a == nil {
				a = &avail{Name: name, Role: res.Records[0].Base().Role}
			}
			if t.target == "" {
				if t.option != "" {
					a.Options = append(a.Options, t.option)
				}
				continue
			}
			i := slices.IndexFunc(a.Targets, func(x target) bool { return x.ID == t.target })
			if i < 0 {
				a.Targets = append(a.Targets, target{ID: t.target})
				i = len(a.Targets) - 1
			}
			if t.option != "" {
				a.Targets[i].Options = append(a.Targets[i].Options, t.option)
			}
		}
		if a != nil {
			out[string(name)] = a
		}
	}
	return out
}

// Has reports whether the action is available on the target ("" for any).
func (a *avail) Has(id string) bool {
	if a == nil {
		return false
	}
	return id == "" || slices.ContainsFunc(a.Targets, func(t target) bool { return t.ID == id })
}

// OptionsFor returns the options of the action on a target.
func (a *avail) OptionsFor(id string) []string {
	if a == nil {
		return nil
	}
	for _, t := range a.Targets {
		if t.ID == id {
			return t.Options
		}
	}
	return nil
}

// tries returns the ways to try an action on st.
func tries(ch *charter.Charter, st *crisis.State, name charter.Action, now time.Time) []try {
	const text = "-"
	one := func(a crisis.Action) []try { return []try{{action: a}} }
	var ts []try
	switch name {
	case charter.ActRequestConsultation:
		return one(&crisis.RequestConsultation{})
	case charter.ActAskConsent:
		return one(&crisis.AskConsent{})
	case charter.ActAnswerConsent:
		for _, ans := range []string{crisis.ConsentGranted, crisis.ConsentRefused} {
			ts = append(ts, try{option: ans, action: &crisis.AnswerConsent{Answer: ans}})
		}
	case charter.ActDesignateBriefer:
		return one(&crisis.DesignateBriefer{Briefer: text})
	case charter.ActPostReport:
		return one(&crisis.PostReport{Text: text})
	case charter.ActDraftStatement:
		ts = one(&crisis.DraftStatement{Title: text, Text: text})
		for _, d := range st.Drafts {
			ts = append(ts, try{target: d.ID, action: &crisis.DraftStatement{Draft: d.ID, Title: text, Text: text}})
		}
	case charter.ActOpenSilence:
		for _, d := range st.Drafts {
			for _, u := range []string{crisis.Urgent, crisis.Normal} {
				ts = append(ts, try{target: d.ID, option: u, action: &crisis.OpenSilence{Draft: d.ID, Urgency: u}})
			}
		}
	case charter.ActBreakSilence:
		for _, sp := range st.Silences {
			for _, k := range []string{crisis.Objection, crisis.Amendment} {
				ts = append(ts, try{target: sp.ID, option: k, action: &crisis.BreakSilence{Silence: sp.ID, Kind: k, Text: text}})
			}
		}
	case charter.ActExtendSilence:
		for _, sp := range st.Silences {
			ts = append(ts, try{target: sp.ID, action: &crisis.ExtendSilence{Silence: sp.ID, Expires: sp.Expires.Add(time.Hour)}})
		}
	case charter.ActDeclare:
		for _, sp := range st.Silences {
			for _, o := range []string{crisis.Adopted, crisis.NotAdopted} {
				ts = append(ts, try{target: sp.ID, option: o, action: &crisis.Declare{Silence: sp.ID, Outcome: o}})
			}
		}
	case charter.ActChangeMode:
		if mode, ok := ch.Mode(st.Mode); ok {
			for _, to := range mode.To {
				ts = append(ts, try{option: to, action: &crisis.ChangeMode{To: to}})
			}
		}
	case charter.ActClose:
		return one(&crisis.Close{})
	case charter.ActConveneMeeting:
		invitees := ch.Codes(kurultai.KindMember)
		for _, l := range ch.Meetings.Levels {
			ts = append(ts, try{option: l.ID, action: &crisis.ConveneMeeting{Level: l.ID, Start: now.Add(time.Hour), Invitees: invitees, Agenda: text}})
		}
	case charter.ActRecordMeeting:
		for _, ms := range st.Meetings {
			ts = append(ts, try{target: ms.ID, action: &crisis.RecordMeeting{Meeting: ms.ID}})
		}
	case charter.ActRequestAssistance:
		return one(&crisis.RequestAssistance{Items: []crisis.Item{{Item: text, Quantity: 1}}})
	case charter.ActOfferAssistance:
		for _, code := range st.Affected() {
			ts = append(ts, try{option: code, action: &crisis.OfferAssistance{Recipient: code, Items: []crisis.Item{{Item: text, Quantity: 1}}}})
		}
	default:
		return assistanceTries(st, name)
	}
	return ts
}

// assistanceTries returns the ways to answer requests, offers and pledges.
func assistanceTries(st *crisis.State, name charter.Action) []try {
	const text = "-"
	var ts []try
	for _, as := range st.Assistance {
		switch name {
		case charter.ActAnswerAssistance:
			ts = append(ts,
				try{target: as.ID, option: charter.MsgPledge, action: &crisis.AnswerAssistance{Request: as.ID, Message: charter.MsgPledge, Items: []crisis.Item{{Item: text, Quantity: 1}}}},
				try{target: as.ID, option: charter.MsgDecline, action: &crisis.AnswerAssistance{Request: as.ID, Message: charter.MsgDecline}},
				try{target: as.ID, option: charter.MsgNeedInfo, action: &crisis.AnswerAssistance{Request: as.ID, Message: charter.MsgNeedInfo, Text: text}})
		case charter.ActAcceptAssistance:
			if as.Message == charter.MsgOffer {
				ts = append(ts, try{target: as.ID, option: charter.MsgAccept, action: &crisis.AcceptAssistance{Request: as.ID, Message: charter.MsgAccept}})
			}
			for _, p := range as.Pledges {
				ts = append(ts, try{target: p.ID, option: charter.MsgAccept, action: &crisis.AcceptAssistance{Request: as.ID, Pledge: p.ID, Message: charter.MsgAccept}})
			}
		case charter.ActMarkDelivered:
			ts = append(ts, try{target: as.ID, action: &crisis.MarkDelivered{Request: as.ID}})
			for _, p := range as.Pledges {
				ts = append(ts, try{target: p.ID, action: &crisis.MarkDelivered{Request: as.ID, Pledge: p.ID}})
			}
		case charter.ActCancelAssistance:
			ts = append(ts, try{target: as.ID, action: &crisis.CancelAssistance{Request: as.ID}})
			for _, p := range as.Pledges {
				ts = append(ts, try{target: p.ID, action: &crisis.CancelAssistance{Request: as.ID, Pledge: p.ID}})
			}
		case charter.ActCloseAssistance:
			ts = append(ts, try{target: as.ID, action: &crisis.CloseAssistance{Request: as.ID}})
		}
	}
	return ts
}
