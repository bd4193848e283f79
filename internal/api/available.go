package api

import (
	"slices"
	"time"

	"github.com/kurultai/kurultai/internal/charter"
	"github.com/kurultai/kurultai/internal/crisis"
	"github.com/kurultai/kurultai/internal/kurultai"
)

// actionView is an action the caller may take now: the role it would act
// in and, for actions about a record, the records (and options) it may
// take it on.
type actionView struct {
	Action  string       `json:"action"`
	Role    string       `json:"role"`
	Targets []targetView `json:"targets,omitempty"`
}

type targetView struct {
	ID      string   `json:"id"`
	Options []string `json:"options,omitempty"`
}

// candidate is one way to take an action: a target, an option and
// parameters that pass the action's own checks when the state allows it.
type candidate struct {
	target, option string
	action         crisis.Action
}

// available lists the actions p may take on st now. Each is tried with
// crisis.Act (which changes nothing) on every record it could concern, so
// the list follows the charter and the state exactly; the parameters
// tried are placeholders, and what the caller sends is checked again.
func (s *Server) available(st *crisis.State, p kurultai.Principal, now time.Time) []actionView {
	out := []actionView{}
	if !p.CanWrite() {
		return out
	}
	roles := s.m.RolesOf(p, st.Affected())
	for _, name := range charter.Actions {
		if name == charter.ActRaiseAlert || !s.m.Charter.ModeAllows(st.Mode, name) || !anyRoleAllows(s.m.Charter, roles, name) {
			continue
		}
		var av *actionView
		for _, c := range s.candidates(st, name, now) {
			res, err := s.m.Act(st, p, c.action, now)
			if err != nil {
				continue
			}
			if av == nil {
				av = &actionView{Action: string(name), Role: string(res.Records[0].Base().Role)}
			}
			if c.target == "" {
				continue
			}
			i := slices.IndexFunc(av.Targets, func(t targetView) bool { return t.ID == c.target })
			if i < 0 {
				av.Targets = append(av.Targets, targetView{ID: c.target})
				i = len(av.Targets) - 1
			}
			if c.option != "" {
				av.Targets[i].Options = append(av.Targets[i].Options, c.option)
			}
		}
		if av != nil {
			out = append(out, *av)
		}
	}
	return out
}

func anyRoleAllows(ch *charter.Charter, roles []charter.Role, a charter.Action) bool {
	return slices.ContainsFunc(roles, func(r charter.Role) bool { return ch.RoleAllows(r, a) })
}

// candidates returns the ways to try an action on st.
func (s *Server) candidates(st *crisis.State, name charter.Action, now time.Time) []candidate {
	const text = "-"
	one := func(a crisis.Action) []candidate { return []candidate{{action: a}} }
	ch := s.m.Charter
	var cs []candidate
	switch name {
	case charter.ActRequestConsultation:
		return one(&crisis.RequestConsultation{})
	case charter.ActAskConsent:
		return one(&crisis.AskConsent{})
	case charter.ActAnswerConsent:
		for _, ans := range []string{crisis.ConsentGranted, crisis.ConsentRefused} {
			cs = append(cs, candidate{option: ans, action: &crisis.AnswerConsent{Answer: ans}})
		}
		if st.Consent.Request != nil {
			for i := range cs {
				cs[i].target = st.Consent.Request.ID
			}
		}
	case charter.ActDesignateBriefer:
		return one(&crisis.DesignateBriefer{Briefer: text})
	case charter.ActPostReport:
		return one(&crisis.PostReport{Text: text})
	case charter.ActDraftStatement:
		cs = one(&crisis.DraftStatement{Title: text, Text: text})
		for _, d := range st.Drafts {
			cs = append(cs, candidate{target: d.ID, option: "new_version", action: &crisis.DraftStatement{Draft: d.ID, Title: text, Text: text}})
		}
	case charter.ActOpenSilence:
		for _, d := range st.Drafts {
			for _, u := range []string{crisis.Urgent, crisis.Normal} {
				cs = append(cs, candidate{target: d.ID, option: u, action: &crisis.OpenSilence{Draft: d.ID, Urgency: u}})
			}
		}
	case charter.ActBreakSilence:
		for _, sp := range st.Silences {
			for _, k := range []string{crisis.Objection, crisis.Amendment} {
				cs = append(cs, candidate{target: sp.ID, option: k, action: &crisis.BreakSilence{Silence: sp.ID, Kind: k, Text: text}})
			}
		}
	case charter.ActExtendSilence:
		for _, sp := range st.Silences {
			cs = append(cs, candidate{target: sp.ID, action: &crisis.ExtendSilence{Silence: sp.ID, Expires: sp.Expires.Add(time.Hour)}})
		}
	case charter.ActDeclare:
		for _, sp := range st.Silences {
			for _, o := range []string{crisis.Adopted, crisis.NotAdopted} {
				cs = append(cs, candidate{target: sp.ID, option: o, action: &crisis.Declare{Silence: sp.ID, Outcome: o}})
			}
		}
	case charter.ActChangeMode:
		if mode, ok := ch.Mode(st.Mode); ok {
			for _, to := range mode.To {
				cs = append(cs, candidate{target: to, action: &crisis.ChangeMode{To: to}})
			}
		}
	case charter.ActClose:
		return one(&crisis.Close{})
	case charter.ActConveneMeeting:
		invitees := ch.Codes(kurultai.KindMember)
		for _, l := range ch.Meetings.Levels {
			cs = append(cs, candidate{option: l.ID, action: &crisis.ConveneMeeting{Level: l.ID, Start: now.Add(time.Hour), Invitees: invitees, Agenda: text}})
		}
	case charter.ActRecordMeeting:
		for _, ms := range st.Meetings {
			cs = append(cs, candidate{target: ms.ID, action: &crisis.RecordMeeting{Meeting: ms.ID}})
		}
	case charter.ActRequestAssistance:
		return one(&crisis.RequestAssistance{Items: []crisis.Item{{Item: text, Quantity: 1}}})
	case charter.ActOfferAssistance:
		for _, code := range st.Affected() {
			cs = append(cs, candidate{target: code, action: &crisis.OfferAssistance{Recipient: code, Items: []crisis.Item{{Item: text, Quantity: 1}}}})
		}
	default:
		return s.assistanceCandidates(st, name)
	}
	return cs
}

// assistanceCandidates returns the ways to answer requests, offers and
// pledges.
func (s *Server) assistanceCandidates(st *crisis.State, name charter.Action) []candidate {
	const text = "-"
	var cs []candidate
	for _, as := range st.Assistance {
		switch name {
		case charter.ActAnswerAssistance:
			cs = append(cs,
				candidate{target: as.ID, option: charter.MsgPledge, action: &crisis.AnswerAssistance{Request: as.ID, Message: charter.MsgPledge, Items: []crisis.Item{{Item: text, Quantity: 1}}}},
				candidate{target: as.ID, option: charter.MsgDecline, action: &crisis.AnswerAssistance{Request: as.ID, Message: charter.MsgDecline}},
				candidate{target: as.ID, option: charter.MsgNeedInfo, action: &crisis.AnswerAssistance{Request: as.ID, Message: charter.MsgNeedInfo, Text: text}})
		case charter.ActAcceptAssistance:
			if as.Message == charter.MsgOffer {
				cs = append(cs, candidate{target: as.ID, option: charter.MsgAccept, action: &crisis.AcceptAssistance{Request: as.ID, Message: charter.MsgAccept}})
			}
			for _, p := range as.Pledges {
				cs = append(cs, candidate{target: p.ID, option: charter.MsgAccept, action: &crisis.AcceptAssistance{Request: as.ID, Pledge: p.ID, Message: charter.MsgAccept}})
			}
		case charter.ActMarkDelivered:
			cs = append(cs, candidate{target: as.ID, action: &crisis.MarkDelivered{Request: as.ID}})
			for _, p := range as.Pledges {
				cs = append(cs, candidate{target: p.ID, action: &crisis.MarkDelivered{Request: as.ID, Pledge: p.ID}})
			}
		case charter.ActCancelAssistance:
			cs = append(cs, candidate{target: as.ID, action: &crisis.CancelAssistance{Request: as.ID}})
			for _, p := range as.Pledges {
				cs = append(cs, candidate{target: p.ID, action: &crisis.CancelAssistance{Request: as.ID, Pledge: p.ID}})
			}
		case charter.ActCloseAssistance:
			cs = append(cs, candidate{target: as.ID, action: &crisis.CloseAssistance{Request: as.ID}})
		}
	}
	return cs
}
