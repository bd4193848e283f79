package api

import (
	"github.com/kurultai/kurultai/internal/crisis"
)

// stateOf builds the full view of a derived state.
func stateOf(st *crisis.State) stateView {
	v := stateView{
		summaryView: summaryOf(st), Summary: st.Situation.Summary, Now: st.Now.UTC(),
		Roles: []string{}, Actions: []actionView{},
		History: []historyView{}, ConsultationRequests: []recordView{}, Briefers: []recordView{}, Reports: []recordView{},
		Drafts: []draftView{}, Silences: []silenceView{}, Meetings: []meetingView{}, Assistance: []assistView{},
		Deadlines: []deadlineView{}, KPIs: kpisOf(st), Ignored: []ignoredView{},
	}
	for _, h := range st.History {
		v.History = append(v.History, historyView{From: h.From, To: h.To, At: h.At.UTC(), By: h.By, Reason: h.Reason, Record: h.Record})
	}
	v.Consent = consentView{Status: st.Consent.Status, Path: st.Consent.Path, Answers: []answerV{}}
	if r := st.Consent.Request; r != nil {
		rv := recordOf(r)
		rv.Note = r.Note
		v.Consent.Request, v.Consent.Expires = &rv, tp(r.Expires.Time)
		for _, a := range st.Consent.Answers {
			av := answerV{recordView: recordOf(a), Answer: a.Answer}
			av.Note = a.Note
			v.Consent.Answers = append(v.Consent.Answers, av)
		}
	}
	for _, r := range st.ConsultationRequests {
		rv := recordOf(r)
		rv.Reason = r.Reason
		v.ConsultationRequests = append(v.ConsultationRequests, rv)
	}
	for _, r := range st.Briefers {
		rv := recordOf(r)
		rv.Briefer, rv.Note = r.Briefer, r.Note
		v.Briefers = append(v.Briefers, rv)
	}
	for _, r := range st.Reports {
		rv := recordOf(r)
		rv.Title, rv.Text = r.Title, r.Text
		v.Reports = append(v.Reports, rv)
	}
	for _, d := range st.Drafts {
		dv := draftView{ID: d.ID, By: d.By}
		for _, s := range d.Versions {
			dv.Versions = append(dv.Versions, draftVersion{Version: s.Version, At: s.Modified.UTC(), Title: s.Title, Text: s.Text, Release: s.Release})
		}
		v.Drafts = append(v.Drafts, dv)
	}
	for _, s := range st.Silences {
		v.Silences = append(v.Silences, silenceOf(s))
	}
	for _, ms := range st.Meetings {
		mv := meetingView{
			recordView: recordOf(ms.Meeting), Level: ms.Level, Start: ms.Start.UTC(), Invitees: ms.Invitees, Agenda: ms.Agenda,
			Format: ms.Format, Recorded: ms.Outcome != nil, Held: ms.Held, Present: []string{}, Quorum: ms.Quorum,
			MembersPresent: ms.MembersPresent, Members: ms.Members,
		}
		if o := ms.Outcome; o != nil {
			mv.Present = append(mv.Present, o.Present...)
			mv.Outcome = o.Outcome
		}
		v.Meetings = append(v.Meetings, mv)
	}
	for _, as := range st.Assistance {
		v.Assistance = append(v.Assistance, assistanceOf(as))
	}
	for _, d := range st.Deadlines {
		v.Deadlines = append(v.Deadlines, deadlineOf(d))
	}
	for _, ig := range st.Ignored {
		v.Ignored = append(v.Ignored, ignoredView{ID: ig.ID, Version: ig.Version, Kind: string(ig.Kind), By: ig.By, Reason: ig.Reason})
	}
	return v
}

func silenceOf(s *crisis.SilenceState) silenceView {
	sv := silenceView{
		recordView: recordOf(s.Silence), Draft: s.DraftRef, DraftVersion: s.DraftVersion, Urgency: s.Urgency, Release: s.Release,
		Expires: s.Expires.UTC(), Status: s.Status, Extensions: []extensionView{}, Breaks: []breakView{}, Late: []breakView{},
		Conflict: s.Conflict,
	}
	if s.Draft != nil {
		sv.DraftTitle = s.Draft.Title
	}
	for _, e := range s.Extensions {
		ev := extensionView{recordView: recordOf(e), Expires: e.Expires.UTC()}
		ev.Reason = e.Reason
		sv.Extensions = append(sv.Extensions, ev)
	}
	brk := func(b *crisis.SilenceBreak) breakView {
		bv := breakView{recordView: recordOf(b), Kind: b.BreakKind}
		bv.Text = b.Text
		return bv
	}
	for _, b := range s.Breaks {
		sv.Breaks = append(sv.Breaks, brk(b))
	}
	for _, b := range s.Late {
		sv.Late = append(sv.Late, brk(b))
	}
	if d := s.Declaration; d != nil {
		dv := &declView{recordView: recordOf(d), Outcome: d.Outcome}
		dv.Title, dv.Text, dv.Reason = d.Title, d.Text, d.Reason
		sv.Declaration = dv
	}
	return sv
}

func assistanceOf(as *crisis.AssistanceState) assistView {
	av := assistView{
		recordView: recordOf(as.AssistanceRequest), Message: as.Message, Recipient: as.Recipient, Items: as.Items,
		Status: as.Status, Totals: []totalView{}, Pledges: []pledgeView{}, Responses: []responseView{},
		FirstAnswer: tp(as.FirstAnswer), Accepted: as.Accepted, Declined: as.Declined, Delivered: as.Delivered,
	}
	av.Text = as.Text
	for _, t := range as.Totals {
		av.Totals = append(av.Totals, totalView{Item: t.Item, Unit: t.Unit, Requested: t.Requested, Pledged: t.Pledged, Delivered: t.Delivered})
	}
	for _, p := range as.Pledges {
		pv := pledgeView{recordView: recordOf(p.AssistanceResponse), Items: p.Items, Accepted: p.Accepted, Declined: p.Declined, Cancelled: p.Cancelled, Delivered: p.Delivered}
		pv.Text = p.Text
		av.Pledges = append(av.Pledges, pv)
	}
	for _, r := range as.Responses {
		rv := responseView{recordView: recordOf(r), Message: r.Message, Pledge: r.PledgeRef, Items: r.Items}
		rv.Text = r.Text
		av.Responses = append(av.Responses, rv)
	}
	return av
}
